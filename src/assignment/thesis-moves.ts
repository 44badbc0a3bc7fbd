import type { Compiled } from './compiled.js';
import type { BearerTables } from './bearer-order.js';
import type { State } from './state.js';

/** `append` failed: the flow could not be put on the bearer (the thesis' {f}). */
export const APPEND_FAILED = null;

/**
 * Procedure `append` (section 3.3.1): put flow z on interface i associated
 * with bearer j (which then serves all of i's flows), replacing, if needed,
 * flows of equal or lower QoS whose total bandwidth is below z's. Returns the
 * displaced flows ([] = placed without displacing), or null on failure.
 */
export function append(s: State, z: number, i: number, j: number): number[] | null {
  const c = s.c;
  if (c.pin[z]! >= 0 && c.pin[z] !== i) return APPEND_FAILED;
  const b = c.bearers[i]![j]!;
  if (b.qos < c.qos[z]! || b.qos < s.maxQos(i)) return APPEND_FAILED;
  if (c.up[z]! > b.upKbps || c.down[z]! > b.downKbps) return APPEND_FAILED;
  let overUp = s.loadUp[i]! + c.up[z]! - b.upKbps;
  let overDown = s.loadDown[i]! + c.down[z]! - b.downKbps;
  const displaced: number[] = [];
  if (overUp > 1e-9 || overDown > 1e-9) {
    const cand: number[] = [];
    for (let k = 0; k < c.v; k++) {
      if (s.flowIf[k] === i && c.qos[k]! <= c.qos[z]! && c.pin[k]! < 0 && c.bw[k]! < c.bw[z]!) cand.push(k);
    }
    cand.sort((a, b2) => c.bw[b2]! - c.bw[a]! || a - b2);
    let removedBw = 0;
    for (const k of cand) {
      if (overUp <= 1e-9 && overDown <= 1e-9) break;
      const helps = (overUp > 1e-9 && c.up[k]! > 0) || (overDown > 1e-9 && c.down[k]! > 0);
      if (!helps || removedBw + c.bw[k]! >= c.bw[z]!) continue;
      displaced.push(k);
      removedBw += c.bw[k]!;
      overUp -= c.up[k]!;
      overDown -= c.down[k]!;
    }
    if (overUp > 1e-9 || overDown > 1e-9) return APPEND_FAILED;
    for (const k of displaced) s.remove(k);
  }
  s.bearer[i] = j;
  s.place(z, i);
  return displaced;
}

/**
 * Algorithm 3, `searchStep`: move flow z from interface rs to rt, trying rt's
 * bearers in the given order starting from its current one; flows it displaces
 * go back to rs's bearer. Mutates s; returns false (s unchanged) if no move.
 */
export function searchStep(s: State, scratch: State, t: BearerTables, rs: number, z: number, rt: number, optimizeCost: boolean): boolean {
  const c: Compiled = s.c;
  if (c.pin[z]! >= 0) return false;
  scratch.copyFrom(s);
  const order = optimizeCost ? t.byCost[rt]! : t.byPower[rt]!;
  const bsa = s.bearer[rs]!;
  s.remove(z);
  let start = 0;
  if (s.bearer[rt]! >= 0 && s.count[rt]! > 0) start = Math.max(0, order.indexOf(s.bearer[rt]!));
  let displaced: number[] | null = null;
  for (let k = start; k < order.length; k++) {
    displaced = append(s, z, rt, order[k]!);
    if (displaced !== null) break;
  }
  if (displaced === null) {
    s.copyFrom(scratch);
    return false;
  }
  for (const k of displaced) {
    if (!s.fits(k, rs, bsa)) {
      s.copyFrom(scratch);
      return false;
    }
    s.place(k, rs);
  }
  if (s.count[rs] === 0) s.bearer[rs] = -1;
  return true;
}

/** Algorithm 4, first-fit construction by ascending cost (or ascending w_j). */
export function construct(s: State, t: BearerTables, byPower: boolean): void {
  const c = s.c;
  const list: [number, number][] = [];
  for (let i = 0; i < c.m; i++) for (let j = 0; j < c.bearers[i]!.length; j++) list.push([i, j]);
  const cap = (i: number, j: number) => c.bearers[i]![j]!.upKbps + c.bearers[i]![j]!.downKbps;
  list.sort((a, b) => {
    const ka = byPower ? t.w[a[0]]![a[1]]! : c.bearers[a[0]]![a[1]]!.cost;
    const kb = byPower ? t.w[b[0]]![b[1]]! : c.bearers[b[0]]![b[1]]!.cost;
    return ka - kb || cap(b[0], b[1]) - cap(a[0], a[1]) || a[0] - b[0] || a[1] - b[1];
  });
  const flows = Array.from({ length: c.v }, (_, z) => z).sort((a, b) => c.bw[b]! - c.bw[a]! || c.qos[b]! - c.qos[a]! || a - b);
  for (const z of flows) {
    let pending = [z];
    for (const [i, j] of list) {
      const next: number[] = [];
      for (const k of pending) {
        const r = append(s, k, i, j);
        if (r === null) next.push(k);
        else next.push(...r);
      }
      pending = next;
      if (pending.length === 0) break;
    }
  }
}
