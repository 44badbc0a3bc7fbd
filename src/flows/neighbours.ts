import type { CommandRunner } from '../model/ports.js';
import { canonicalIp } from '../model/ip-address.js';

/**
 * The neighbour table (IP -> MAC) that `src_mac` class rules need: conntrack
 * knows addresses, not MACs. Parsed from `ip neigh show` (iproute2 and
 * busybox print the same shape):
 *   192.168.1.20 dev br-lan lladdr aa:bb:cc:dd:ee:ff REACHABLE
 *   fe80::1 dev br-lan lladdr aa:bb:cc:dd:ee:01 router STALE
 *   192.168.1.30 dev br-lan  FAILED            (no MAC: left out)
 */

export type NeighbourTable = ReadonlyMap<string, string>;

const MAC_RE = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/;

/** Canonical IP -> lower-case MAC; lines without a usable MAC are left out. */
export function parseNeighbours(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const toks = line.trim().split(/\s+/);
    const ip = canonicalIp(toks[0] ?? '');
    const at = toks.indexOf('lladdr');
    if (!ip || at < 0) continue;
    const mac = toks[at + 1] ?? '';
    if (!MAC_RE.test(mac) || toks.includes('FAILED') || toks.includes('INCOMPLETE')) continue;
    out.set(ip, mac.toLowerCase());
  }
  return out;
}

/** Runs `ip neigh show`; null (and the reason) when it fails. */
export async function readNeighbours(runner: CommandRunner, netns?: string): Promise<{ table: Map<string, string> } | { error: string }> {
  const r = await runner.run('ip', ['neigh', 'show'], netns ? { netns, timeoutMs: 5000 } : { timeoutMs: 5000 });
  if (r.code !== 0) return { error: `ip neigh show failed (exit ${r.code ?? (r.timedOut ? 'timeout' : 'signal')}): ${r.stderr.trim()}` };
  return { table: parseNeighbours(r.stdout) };
}
