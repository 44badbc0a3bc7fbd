import type { CommandRunner } from '../../model/ports.js';

/**
 * The two `ping` programs a router may have, and what their output looks like.
 *  - busybox (stock OpenWrt): options -c -s -i -A -t -I IFACE/IP -W -w -q -p;
 *    a reply prints "64 bytes from 1.1.1.1: seq=0 ttl=57 time=12.345 ms",
 *    sequence numbers start at 0, nothing is printed for a lost probe.
 *  - iputils (Debian, the test machines): a reply prints
 *    "64 bytes from 1.1.1.1: icmp_seq=1 ttl=57 time=12.3 ms", sequence
 *    numbers start at 1; -n keeps it from resolving names.
 * Both print " (DUP!)" after duplicates. `-I <address>` binds the probe to
 * the modem's source address, so the `from <address> lookup <table>` rule of
 * src/routing sends it out through that modem only.
 */
export type PingDialect = 'busybox' | 'iputils';

export interface PingFlavor {
  dialect: PingDialect;
  firstSeq: number;
}

export const PING_FLAVORS: Readonly<Record<PingDialect, PingFlavor>> = {
  busybox: { dialect: 'busybox', firstSeq: 0 },
  iputils: { dialect: 'iputils', firstSeq: 1 },
};

/** Arguments for a continuous ping from `source` to `target` every `intervalMs`. */
export function pingArgs(dialect: PingDialect, source: string, target: string, intervalMs: number): string[] {
  const interval = (intervalMs / 1000).toFixed(3).replace(/\.?0+$/, '');
  const args = dialect === 'iputils' ? ['-n'] : [];
  // Addresses only: a name would be resolved by ping, through whatever route DNS takes.
  args.push('-i', interval, '-I', source, target);
  return args;
}

export type PingLine =
  | { kind: 'reply'; seq: number; rttMs: number; duplicate: boolean }
  | { kind: 'error'; seq: number | null; text: string };

const REPLY = /^\d+ bytes from [^:]+: (?:icmp_)?seq=(\d+) .*?time[=<]([\d.]+) ms(.*)$/;
const ERROR = /^From \S+ (?:icmp_seq=(\d+) )?(.+)$/;

/** One line of either dialect's output; null for headers, statistics and blank lines. */
export function parsePingLine(line: string): PingLine | null {
  const m = REPLY.exec(line.trim());
  if (m) {
    const rttMs = Number(m[2]);
    if (!Number.isFinite(rttMs)) return null;
    return { kind: 'reply', seq: Number(m[1]), rttMs, duplicate: (m[3] ?? '').includes('DUP!') };
  }
  const e = ERROR.exec(line.trim());
  if (e) return { kind: 'error', seq: e[1] !== undefined ? Number(e[1]) : null, text: e[2] ?? '' };
  return null;
}

/** Which ping is installed: iputils answers -V with its name, busybox rejects the option. */
export async function detectPingDialect(runner: CommandRunner, program = 'ping'): Promise<PingDialect> {
  const r = await runner.run(program, ['-V'], { timeoutMs: 2000 });
  return /iputils/i.test(r.stdout + r.stderr) ? 'iputils' : 'busybox';
}

/** IPv4 or IPv6 literal, so nothing that reaches ping's argv is a name or an option. */
export function isIpLiteral(s: string): boolean {
  if (/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(s)) return true;
  return /^[0-9A-Fa-f:]+$/.test(s) && s.includes(':') && s.length <= 39 && !s.startsWith('-');
}
