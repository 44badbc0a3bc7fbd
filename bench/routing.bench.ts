// Routing benchmark (root): in the netns test bed,
//  1. build + apply the full ruleset for 8 modems and 10,000 pinned connections (target <= 200 ms),
//  2. an update of 100 pins (target <= 20 ms),
//  3. throughput with links of 20/10/5 Mbit/s and 30 concurrent TCP downloads spread by the
//     ruleset (target >= 90% of the sum).
// Timings 1-2 run inside the router namespace (this script re-executes itself there), so they
// include every ip/nft process start as on a router. Writes bench/results/routing.md.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { DEFAULT_CLASS_RULES, FALLBACK_CLASS } from '../src/model/default-classes.js';
import { markLayout } from '../src/model/mark-layout.js';
import { ExecFileRunner } from '../src/os/exec-runner.js';
import type { CommandResult, CommandRunner, RunOptions } from '../src/model/ports.js';
import { MemoryLogger } from '../src/os/logger.js';
import { RoutingController } from '../src/routing/controller.js';
import { NetnsRunner } from '../src/routing/netns-runner.js';
import { buildNft, renderFullTable } from '../src/routing/nft-ruleset.js';
import type { ConnectionPin, RoutedModem, RoutingPlan, RoutingSettings } from '../src/routing/plan.js';
import { validatePlan } from '../src/routing/validate-plan.js';

const run = promisify(execFile);
const SELF = process.argv[1]!;
const ROOT = resolve(dirname(SELF), '../..');
const NETNS = resolve(ROOT, 'test/netns');
const PREFIX = 'mfrx';
const MODEMS = 8;
const PINS = 10_000;
const SETTINGS: RoutingSettings = { tableBase: 100, rulePriorityBase: 1000, markMask: 0x0fff0000, tableName: 'modemflow' };
const CLASSES = [...DEFAULT_CLASS_RULES, FALLBACK_CLASS];
const WEB = CLASSES.findIndex((c) => c.name === 'web') + 1;

function modem(i: number): RoutedModem {
  return {
    name: `m${i}`, slot: i, interface: `wwan${i}`, device: `wan${i}`,
    gatewayV4: `100.64.${i}.1`, gatewayV6: `fd64:${i}::1`, addressesV4: [`100.64.${i}.2`], addressesV6: [`fd64:${i}::2`],
    up: true, usable: true,
  };
}

/** 10,000 distinct connections from 200 LAN hosts (4 in 5 IPv4), spread over the modems. */
function pins(shift: number, changed: number): ConnectionPin[] {
  return Array.from({ length: PINS }, (_, i) => {
    const host = 2 + (i % 200);
    const v6 = i % 5 === 4;
    const slot = 1 + ((i + (i < changed ? shift : 0)) % MODEMS);
    return {
      tuple: {
        family: v6 ? 6 : 4,
        proto: i % 3 === 0 ? 'udp' : 'tcp',
        src: v6 ? `fd77::${host.toString(16)}` : `192.168.77.${host}`,
        dst: v6 ? `2001:db8:${(i % 97).toString(16)}::${(i % 251).toString(16)}` : `198.51.${i % 97}.${i % 251}`,
        sport: 10_000 + i,
        dport: [443, 80, 3478, 5060][i % 4]!,
      },
      slot,
    };
  });
}

function plan(pinList: ConnectionPin[], modems = MODEMS): RoutingPlan {
  return {
    modems: Array.from({ length: modems }, (_, k) => modem(k + 1)),
    classes: CLASSES,
    lan: { interfaces: ['lan0'], prefixes: ['192.168.77.0/24', 'fd77::/64'] },
    exemptDestinations: [],
    placements: [
      { host: null, classIndex: WEB, target: { kind: 'share', shares: Array.from({ length: modems }, (_, k) => ({ slot: k + 1, weight: 8 - k })) } },
      ...Array.from({ length: 50 }, (_, h) => ({ host: `192.168.77.${10 + h}`, classIndex: 1 + (h % 10), target: { kind: 'slot' as const, slot: 1 + (h % modems) } })),
    ],
    defaultTarget: { kind: 'slot', slot: 1 },
    pins: pinList,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** CPU ms used so far by this process and its reaped children (ip, nft): /proc/self/stat, 10 ms ticks for children. */
function cpuMs(): number {
  const own = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the comm field: state is field 3, cutime/cstime are fields 16/17.
  const ticks = Number(fields[13]) + Number(fields[14]);
  return (own.user + own.system) / 1000 + ticks * 10;
}

const cpuSpent: number[] = [];

/** Wall ms of fn; its CPU ms (with children) goes to cpuSpent. */
async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const c0 = cpuMs();
  const t0 = performance.now();
  const v = await fn();
  const wall = performance.now() - t0;
  cpuSpent.push(cpuMs() - c0);
  return [wall, v];
}

/** Adds up the wall time spent in each program, to show where an apply goes. */
class TimingRunner implements CommandRunner {
  readonly ms = new Map<string, number>();
  constructor(private readonly inner: CommandRunner) {}
  async run(program: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const t0 = performance.now();
    const r = await this.inner.run(program, args, options);
    this.ms.set(program, (this.ms.get(program) ?? 0) + performance.now() - t0);
    return r;
  }
}

/** Runs inside the router namespace: the apply timings. */
async function inner(): Promise<void> {
  const runner = new TimingRunner(new ExecFileRunner(30_000));
  const newCtl = (): RoutingController => new RoutingController({ runner, logger: new MemoryLogger(), settings: SETTINGS });
  const base = plan(pins(0, 0));
  const must = <T>(r: { ok: true; value: T } | { ok: false; errors: string[] }): T => {
    if (!r.ok) throw new Error(r.errors.join('; '));
    return r.value;
  };

  const pure: number[] = [];
  let textBytes = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const v = validatePlan(base);
    if (!v.ok) throw new Error(v.errors.join('; '));
    textBytes = renderFullTable(buildNft(v.value, markLayout(SETTINGS.markMask)!, SETTINGS.tableName)).length;
    pure.push(performance.now() - t0);
  }

  const ctl = newCtl();
  const [coldMs, cold] = await time(() => ctl.start(base));
  must(cold);
  const full: number[] = [];
  runner.ms.clear();
  cpuSpent.length = 0;
  for (let i = 0; i < 5; i++) {
    const [ms, r] = await time(() => newCtl().start(base)); // a restart: reconcile + whole table
    must(r);
    full.push(ms);
  }
  const fullCpu = [...cpuSpent];
  const fullNftMs = (runner.ms.get('nft') ?? 0) / 5;
  const fullIpMs = (runner.ms.get('ip') ?? 0) / 5;
  const listed = JSON.parse((await runner.run('nft', ['-j', 'list', 'map', 'inet', SETTINGS.tableName, 'pins4'])).stdout) as { nftables: Array<{ map?: { elem?: unknown[] } }> };
  const listed6 = JSON.parse((await runner.run('nft', ['-j', 'list', 'map', 'inet', SETTINGS.tableName, 'pins6'])).stdout) as { nftables: Array<{ map?: { elem?: unknown[] } }> };
  const installedPins = (listed.nftables.find((x) => x.map)?.map?.elem?.length ?? 0) + (listed6.nftables.find((x) => x.map)?.map?.elem?.length ?? 0);

  // 100 pins move to another modem per round (100 deletes + 100 adds in one transaction).
  const fast: number[] = [];
  const viaApply: number[] = [];
  cpuSpent.length = 0;
  for (let round = 1; round <= 10; round++) {
    const moved = pins(round, 100).slice(0, 100);
    const [ms, r] = await time(() => ctl.updatePins({ set: moved }));
    if (must(r).changed !== 100) throw new Error('expected 100 moved pins');
    fast.push(ms);
  }
  const fastCpu = [...cpuSpent];
  for (let round = 11; round <= 20; round++) {
    const next = plan(pins(round, 100));
    const [ms, r] = await time(() => ctl.apply(next));
    if (must(r).nft !== 'pins') throw new Error('expected a pin update');
    viaApply.push(ms);
  }
  must(await ctl.stop());
  console.log(JSON.stringify({ pure, textBytes, coldMs, full, fullCpu, fullNftMs, fullIpMs, installedPins, fast, fastCpu, viaApply }));
}

async function bed(...args: string[]): Promise<void> {
  await run(resolve(NETNS, 'testbed.sh'), ['--prefix', PREFIX, ...args]);
}

async function throughput(): Promise<{ perUplinkMbit: number[]; totalMbit: number; flows: number[]; seconds: number; failed: number }> {
  const rates = ['20mbit', '10mbit', '5mbit'];
  for (const [k, r] of rates.entries()) await bed('shape', '--uplink', String(k + 1), '--rate', r);
  const servers = spawn('ip', ['netns', 'exec', `${PREFIX}-inet`, process.execPath, resolve(NETNS, 'fixtures/servers.mjs'), '--tcp', '80'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((ok, fail) => {
      servers.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && ok());
      servers.once('exit', (c) => fail(new Error(`servers exited ${c}`)));
    });
    const ctl = new RoutingController({ runner: new NetnsRunner(new ExecFileRunner(), `${PREFIX}-rt`), logger: new MemoryLogger(), settings: SETTINGS });
    const p = plan([], 3);
    p.placements = [{ host: null, classIndex: WEB, target: { kind: 'share', shares: [{ slot: 1, weight: 20 }, { slot: 2, weight: 10 }, { slot: 3, weight: 5 }] } }];
    const r = await ctl.start(p);
    if (!r.ok) throw new Error(r.errors.join('; '));
    const seconds = 10;
    const probes = Array.from({ length: 30 }, () => ({ proto: 'tcp', host: '203.0.113.10', port: 80, cmd: `flood ${seconds}`, timeoutMs: (seconds + 20) * 1000 }));
    const { stdout } = await run('ip', ['netns', 'exec', `${PREFIX}-lan`, process.execPath, resolve(NETNS, 'fixtures/client.mjs'), JSON.stringify(probes), 'parallel'], { maxBuffer: 1 << 20 });
    await ctl.stop();
    const results = stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; peer: string | null; bytes: number; ms: number });
    // The flows start together; the run lasts until the last one has drained (servers stop writing after `seconds`).
    const runS = Math.max(...results.map((x) => x.ms)) / 1000;
    const bytes = [0, 0, 0];
    const flows = [0, 0, 0];
    let failed = 0;
    for (const x of results) {
      const up = Number(/^198\.18\.(\d)\.2$/.exec(x.peer ?? '')?.[1] ?? 0);
      if (!x.ok || up < 1 || up > 3) failed++;
      else {
        bytes[up - 1]! += x.bytes;
        flows[up - 1]! += 1;
      }
    }
    const perUplinkMbit = bytes.map((b) => (b * 8) / runS / 1e6);
    return { perUplinkMbit, totalMbit: perUplinkMbit.reduce((a, b) => a + b, 0), flows, seconds: runS, failed };
  } finally {
    servers.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('routing bench: skipped, needs root (network namespaces)');
    return;
  }
  const nftVersion = (await run('nft', ['--version'])).stdout.trim();
  await bed('--uplinks', String(MODEMS), 'up');
  try {
    const { stdout } = await run('ip', ['netns', 'exec', `${PREFIX}-rt`, process.execPath, '--enable-source-maps', SELF, '--inner'], { maxBuffer: 1 << 24, timeout: 300_000 });
    const a = JSON.parse(stdout.trim().split('\n').pop()!) as {
      pure: number[]; textBytes: number; coldMs: number; full: number[]; fullCpu: number[]; fullNftMs: number; fullIpMs: number; installedPins: number;
      fast: number[]; fastCpu: number[]; viaApply: number[];
    };
    const tp = await throughput();
    const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}, Linux ${release()}, ${nftVersion}`;
    const f = (x: number): string => x.toFixed(1);
    const lines = [
      `# routing benchmark`,
      ``,
      `Machine: ${machine}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end (the machine is shared).`,
      `Command: \`node build.mjs bench && node dist/bench/routing.js\` (root).`,
      ``,
      `## Full ruleset: ${MODEMS} modems, ${PINS} pins (target <= 200 ms)`,
      `- validate + build + render (pure, ${(a.textBytes / 1024).toFixed(0)} KiB of nft text): median ${f(median(a.pure))} ms of 5`,
      `- first start on a clean router (ip batch adds ${MODEMS} tables + rules, one nft transaction): ${f(a.coldMs)} ms`,
      `- restart (reconcile, nothing to change in ip, whole table replaced): median ${f(median(a.full))} ms, max ${f(Math.max(...a.full))} ms of 5;`,
      `  of which, on average, the nft process ${f(a.fullNftMs)} ms and the ip processes (4 reads, all at once) ${f(a.fullIpMs)} ms;`,
      `  CPU time (this process + ip/nft children, children in 10 ms ticks): median ${f(median(a.fullCpu))} ms per restart`,
      `- pins in the kernel afterwards: ${a.installedPins}`,
      ``,
      `## Update of 100 pins (target <= 20 ms)`,
      `- updatePins({ set: 100 moved pins }) (100 deletes + 100 adds, one nft transaction): median ${f(median(a.fast))} ms, max ${f(Math.max(...a.fast))} ms of 10;`,
      `  CPU time: median ${f(median(a.fastCpu))} ms per update`,
      `- apply() of a whole plan whose only change is 100 pins (validates all 10,000, re-reads ip rules/routes): median ${f(median(a.viaApply))} ms, max ${f(Math.max(...a.viaApply))} ms of 10`,
      ``,
      `## Throughput: links 20/10/5 Mbit/s (htb), 30 concurrent TCP downloads, share 20:10:5 (target >= 90% of 35 Mbit/s)`,
      `- run: ${tp.seconds.toFixed(2)} s from the first connect to the last byte (servers send for 10 s)`,
      `- flows per uplink: ${tp.flows.join(' / ')}; failed: ${tp.failed}`,
      `- goodput per uplink: ${tp.perUplinkMbit.map(f).join(' / ')} Mbit/s`,
      `- total goodput: ${f(tp.totalMbit)} Mbit/s = ${((tp.totalMbit / 35) * 100).toFixed(1)}% of 35 Mbit/s (TCP payload; the shaper counts Ethernet frames, so ~95% is the ceiling)`,
      ``,
    ];
    const text = lines.join('\n');
    console.log(text);
    mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(resolve(ROOT, 'bench/results/routing.md'), text);
  } finally {
    await bed('down');
  }
}

if (process.argv.includes('--inner')) await inner();
else await main();
