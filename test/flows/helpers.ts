// Test helpers: builders of conntrack lines in the `-o extended,id` shape of the
// fixtures, and a ProcessSpawner fake fed by the test.
import { parseConntrackEntry } from '../../src/flows/conntrack-parser.js';
import type { ConntrackEntry } from '../../src/flows/conntrack-entry.js';
import type { NodeJSSignal, ProcessSpawner, SpawnedProcess, SpawnHandlers } from '../../src/model/ports.js';

export interface LineSpec {
  proto?: 'tcp' | 'udp' | 'icmp' | 'esp';
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  state?: string;
  /** Source NAT address the reply goes to (masquerade on a modem). */
  natTo?: string;
  mark?: number;
  upBytes?: number;
  downBytes?: number;
  id?: number;
  assured?: boolean;
}

const NUM: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, esp: 50 };

export function ctLine(s: LineSpec): string {
  const proto = s.proto ?? 'tcp';
  const v6 = s.src.includes(':');
  const l3 = v6 ? 'ipv6     10' : 'ipv4     2';
  const name = proto === 'esp' ? 'unknown' : proto;
  const state = proto === 'tcp' ? ` ${s.state ?? 'ESTABLISHED'}` : '';
  const ports = (a: number | undefined, b: number | undefined): string =>
    proto === 'tcp' || proto === 'udp' ? ` sport=${a ?? 40000} dport=${b ?? 443}` : proto === 'icmp' ? ' type=8 code=0 id=7' : '';
  const rports = (a: number | undefined, b: number | undefined): string =>
    proto === 'tcp' || proto === 'udp' ? ` sport=${b ?? 443} dport=${a ?? 40000}` : proto === 'icmp' ? ' type=0 code=0 id=7' : '';
  const counters = (b: number | undefined): string => (b === undefined ? '' : ` packets=${Math.max(1, Math.floor(b / 1000))} bytes=${b}`);
  const assured = (s.assured ?? proto === 'tcp') ? ' [ASSURED]' : '';
  return (
    `${l3} ${name.padEnd(8)} ${NUM[proto]} 300${state} src=${s.src} dst=${s.dst}${ports(s.sport, s.dport)}${counters(s.upBytes)}` +
    ` src=${s.dst} dst=${s.natTo ?? s.src}${rports(s.sport, s.dport)}${counters(s.downBytes)}${assured} mark=${s.mark ?? 0} use=1` +
    (s.id === undefined ? '' : ` id=${s.id}`)
  );
}

export function ct(s: LineSpec): ConntrackEntry {
  const r = parseConntrackEntry(ctLine(s));
  if (!r.ok) throw new Error(`test line does not parse: ${r.errors.join('; ')}: ${ctLine(s)}`);
  return r.value;
}


/** A ProcessSpawner fake: records spawns; the test feeds lines and exits. */
export class ScriptedSpawner implements ProcessSpawner {
  readonly spawned: Array<{ program: string; args: string[]; netns?: string; handlers: SpawnHandlers; killed: NodeJSSignal | null; exited: boolean }> = [];

  spawn(program: string, args: readonly string[], handlers: SpawnHandlers, options: { netns?: string } = {}): SpawnedProcess {
    const rec = { program, args: [...args], handlers, killed: null as NodeJSSignal | null, exited: false, ...(options.netns ? { netns: options.netns } : {}) };
    this.spawned.push(rec);
    return {
      pid: 1000 + this.spawned.length,
      kill: (signal: NodeJSSignal = 'SIGTERM') => {
        if (rec.exited) return;
        rec.killed = signal;
        rec.exited = true;
        handlers.onExit(null, signal);
      },
    };
  }

  latest(): (typeof this.spawned)[number] {
    const p = this.spawned[this.spawned.length - 1];
    if (!p) throw new Error('nothing spawned');
    return p;
  }

  exit(code: number | null): void {
    const p = this.latest();
    p.exited = true;
    p.handlers.onExit(code, null);
  }
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
