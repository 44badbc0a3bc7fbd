// A small network-namespace test bed for the metrics tests (not a test itself).
// Everything it creates is named mfm-*, and cleanup() removes it all.
import { ExecFileRunner } from '../../src/os/exec-runner.js';

const runner = new ExecFileRunner(15_000);

/** Why root-only tests must skip here, or null when they can run. */
export function rootSkipReason(): string | null {
  if (process.env['MODEMFLOW_SKIP_ROOT'] === '1') return 'MODEMFLOW_SKIP_ROOT=1';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  return null;
}

export async function sh(program: string, args: string[], netns?: string): Promise<string> {
  const r = await runner.run(program, args, netns !== undefined ? { netns } : {});
  if (r.code !== 0) throw new Error(`${program} ${args.join(' ')}${netns ? ` (netns ${netns})` : ''}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

export class NetnsBed {
  private readonly namespaces: string[] = [];
  /** Unique per bed so parallel test files never collide. */
  readonly tag: string;

  constructor(label: string) {
    this.tag = `${label}${process.pid % 10000}`;
  }

  name(part: string): string {
    return `mfm-${this.tag}-${part}`;
  }

  async ns(part: string): Promise<string> {
    const name = this.name(part);
    await runner.run('ip', ['netns', 'del', name]);
    await sh('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    await sh('ip', ['link', 'set', 'lo', 'up'], name);
    return name;
  }

  /** A veth pair between two namespaces with addresses (CIDR) on each end. */
  async link(a: string, aIf: string, aAddr: string, b: string, bIf: string, bAddr: string): Promise<void> {
    await sh('ip', ['link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf, 'netns', b], a);
    await sh('ip', ['addr', 'add', aAddr, 'dev', aIf], a);
    await sh('ip', ['addr', 'add', bAddr, 'dev', bIf], b);
    await sh('ip', ['link', 'set', aIf, 'up'], a);
    await sh('ip', ['link', 'set', bIf, 'up'], b);
  }

  async cleanup(): Promise<void> {
    for (const n of this.namespaces.splice(0).reverse()) await runner.run('ip', ['netns', 'del', n]);
  }
}

let netemCache: boolean | null = null;

/** Whether this kernel has sch_netem (delay/loss emulation); some VM kernels are built without it. */
export async function hasNetem(): Promise<boolean> {
  if (netemCache !== null) return netemCache;
  const ns = `mfm-netemcheck${process.pid % 10000}`;
  await runner.run('ip', ['netns', 'add', ns]);
  try {
    await runner.run('ip', ['link', 'add', 'mfmchk0', 'type', 'dummy'], { netns: ns });
    const r = await runner.run('tc', ['qdisc', 'add', 'dev', 'mfmchk0', 'root', 'netem', 'delay', '1ms'], { netns: ns });
    netemCache = r.code === 0;
  } finally {
    await runner.run('ip', ['netns', 'del', ns]);
  }
  return netemCache;
}

/** Drop a share of echo requests arriving in `netns` with nftables (real kernel loss, works without netem). */
export async function nftDropEcho(netns: string, percent: number): Promise<void> {
  const rule = percent >= 100 ? 'icmp type echo-request drop' : `icmp type echo-request numgen random mod 100 < ${percent} drop`;
  const script = `table inet mfmloss\ndelete table inet mfmloss\ntable inet mfmloss {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    ${rule}\n  }\n}\n`;
  const r = await runner.run('nft', ['-f', '-'], { netns, input: script });
  if (r.code !== 0) throw new Error(`nft in ${netns}: ${r.stderr}`);
}

export async function nftClear(netns: string): Promise<void> {
  await runner.run('nft', ['delete', 'table', 'inet', 'mfmloss'], { netns });
}
