import type { Compiled } from './compiled.js';
import { Deadline } from './deadline.js';
import type { Prng } from './prng.js';
import { beats, scoreOf, type Score } from './score.js';
import { nonDominated } from './dominance.js';
import { State } from './state.js';

/**
 * The flow-level neighbourhoods of modemflow's heuristic (see
 * heuristic-improved.ts): insert, relocate, ejection pairs, swap, and the
 * power repair; moves are scored by deltas where they can be.
 */

export class FlowMoves {
  protected readonly scratch: State;
  protected readonly cand: Int32Array[];
  /** Flows by decreasing bandwidth. */
  private sizeOrder: Int32Array | undefined;
  /** Flows by decreasing class, then bandwidth. */
  private classOrder: Int32Array | undefined;
  protected readonly active: Uint8Array;
  /**
   * Weight of power above P_max against cost while descending. Infinity =
   * strictly lexicographic.
   */
  mu = Infinity;
  /** Time budget: every neighbourhood gives up (finding nothing) once it expires. */
  deadline: Deadline = Deadline.NONE;
  /** Big instances: descents use only relocation sweeps (the other neighbourhoods grow with v^2 or m^2). */
  light = false;

  constructor(
    protected readonly c: Compiled,
    protected readonly rng: Prng,
  ) {
    this.scratch = new State(c);
    this.cand = nonDominated(c, { cost: true, power: true });
    this.active = new Uint8Array(c.m);
  }

  /** Flows by decreasing bandwidth (sorted on first use: the light descents of huge instances never need it). */
  protected get bySize(): Int32Array {
    const c = this.c;
    return (this.sizeOrder ??= Int32Array.from(Array.from({ length: c.v }, (_, z) => z).sort((a, b) => c.bw[b]! - c.bw[a]! || a - b)));
  }

  /** Flows by decreasing class, then bandwidth. */
  protected get byClass(): Int32Array {
    const c = this.c;
    return (this.classOrder ??= Int32Array.from(Array.from({ length: c.v }, (_, z) => z).sort((a, b) => c.qos[b]! - c.qos[a]! || c.bw[b]! - c.bw[a]! || a - b)));
  }

  /** Change in (cost, power) if flow z moved to interface b under bearer j (b idle or j = b's bearer). */
  protected delta(s: State, z: number, b: number, j: number): void {
    const c = this.c;
    const a = s.flowIf[z]!;
    const nb = c.bearers[b]![j]!;
    const up = c.up[z]!;
    const down = c.down[z]!;
    let dc = nb.cost * c.bw[z]!;
    let dp = nb.txW * up + nb.rxW * down + (s.count[b] === 0 ? nb.baseW : 0);
    if (a >= 0) {
      const ob = c.bearers[a]![s.bearer[a]!]!;
      dc -= ob.cost * c.bw[z]!;
      dp -= ob.txW * up + ob.rxW * down + (s.count[a] === 1 ? ob.baseW : 0);
    }
    this.dc = dc;
    this.dp = dp;
  }
  private dc = 0;
  private dp = 0;

  /** The score of a state with the given totals (no allocation of a new state). */
  protected scoreAt(unplaced: number, cost: number, powerW: number): Score {
    const limit = this.c.powerLimitW;
    const excessW = Number.isFinite(limit) ? Math.max(0, powerW - limit - 1e-9 * Math.max(1, limit)) : 0;
    return { unplaced, excessW, cost, powerW };
  }

  better(a: Score, b: Score): boolean {
    if (this.mu === Infinity) return beats(a, b);
    if (a.unplaced !== b.unplaced) return a.unplaced < b.unplaced;
    const fa = a.cost + this.mu * a.excessW;
    const fb = b.cost + this.mu * b.excessW;
    const tol = 1e-10 * Math.max(1, Math.abs(fa), Math.abs(fb));
    if (fa < fb - tol) return true;
    if (fb < fa - tol) return false;
    return a.powerW < b.powerW - 1e-10 * Math.max(1, a.powerW);
  }

  /** Best insertion of unserved flow z (not on `exclude`), activating an idle interface if needed. */
  insert(s: State, z: number, exclude: number): boolean {
    const c = this.c;
    let best: Score | undefined;
    let bi = -1;
    let bj = -1;
    for (let pass = 0; pass < 2 && bi < 0; pass++) {
      // Pass 0: active interfaces only; pass 1: wake an idle one.
      for (let i = 0; i < c.m; i++) {
        if (i === exclude || (s.count[i]! > 0) !== (pass === 0)) continue;
        if (pass === 0) {
          const j = s.bearer[i]!;
          if (!s.fits(z, i, j)) continue;
          s.place(z, i);
          const sc = scoreOf(s);
          s.remove(z);
          if (!best || this.better(sc, best)) { best = sc; bi = i; bj = j; }
        } else {
          const old = s.bearer[i]!;
          for (const j of this.cand[i]!) {
            if (!s.fits(z, i, j)) continue;
            s.bearer[i] = j;
            s.place(z, i);
            const sc = scoreOf(s);
            s.remove(z);
            if (!best || this.better(sc, best)) { best = sc; bi = i; bj = j; }
          }
          s.bearer[i] = old;
        }
      }
    }
    if (bi < 0) return false;
    s.bearer[bi] = bj;
    s.place(z, bi);
    return true;
  }

  /** Relocate moves (to active or idle interfaces): first improvement. */
  relocate(s: State, cur: Score): Score | undefined {
    const c = this.c;
    for (let z = 0; z < c.v; z++) {
      if (this.deadline.expired()) return undefined;
      const a = s.flowIf[z]!;
      if (a < 0) {
        if (this.insert(s, z, -1)) return scoreOf(s);
        continue;
      }
      if (c.pin[z]! >= 0) continue;
      for (let b = 0; b < c.m; b++) {
        if (b === a) continue;
        if (s.count[b]! > 0) {
          const j = s.bearer[b]!;
          if (!s.fitsMoving(z, b, j)) continue;
          this.delta(s, z, b, j);
          if (this.better(this.scoreAt(cur.unplaced, cur.cost + this.dc, cur.powerW + this.dp), cur)) return this.apply(s, z, b, j);
          continue;
        }
        for (const j of this.cand[b]!) {
          if (!s.fitsMoving(z, b, j)) continue;
          this.delta(s, z, b, j);
          if (this.better(this.scoreAt(cur.unplaced, cur.cost + this.dc, cur.powerW + this.dp), cur)) return this.apply(s, z, b, j);
        }
      }
    }
    return undefined;
  }

  /**
   * Relocation for big instances: one pass over the flows that applies each
   * improving move at once and goes on with the next flow (a pass costs
   * O(v x m), where restarting after every move would cost that per move).
   */
  relocateSweep(s: State, cur: Score): Score | undefined {
    const c = this.c;
    let improved = false;
    for (let z = 0; z < c.v; z++) {
      if (this.deadline.expired()) break;
      const a = s.flowIf[z]!;
      if (a < 0) {
        if (this.insert(s, z, -1)) {
          cur = scoreOf(s);
          improved = true;
        }
        continue;
      }
      if (c.pin[z]! >= 0) continue;
      let moved = false;
      for (let b = 0; b < c.m && !moved; b++) {
        if (b === a) continue;
        const only = s.count[b]! > 0;
        const js = only ? [s.bearer[b]!] : this.cand[b]!;
        for (const j of js) {
          if (!s.fitsMoving(z, b, j)) continue;
          this.delta(s, z, b, j);
          if (!this.better(this.scoreAt(cur.unplaced, cur.cost + this.dc, cur.powerW + this.dp), cur)) continue;
          cur = this.apply(s, z, b, j);
          improved = moved = true;
          break;
        }
      }
    }
    return improved ? cur : undefined;
  }

  protected apply(s: State, z: number, b: number, j: number): Score {
    s.remove(z);
    s.bearer[b] = j;
    s.place(z, b);
    return scoreOf(s);
  }

  /**
   * Ejection pair: a relocation to a cheaper interface that breaks P_max,
   * followed by the relocation of another flow that brings power back under
   * it with the least cost (lexicographic mode only).
   */
  ejection(s: State, cur: Score): Score | undefined {
    const c = this.c;
    if (this.mu !== Infinity || !Number.isFinite(c.powerLimitW) || cur.unplaced > 0 || cur.excessW > 0) return undefined;
    for (let z = 0; z < c.v; z++) {
      if (this.deadline.expired()) return undefined;
      const a = s.flowIf[z]!;
      if (a < 0 || c.pin[z]! >= 0) continue;
      for (let b = 0; b < c.m; b++) {
        if (b === a || s.count[b] === 0 || !s.fits(z, b, s.bearer[b]!)) continue;
        if (c.bearers[b]![s.bearer[b]!]!.cost >= c.bearers[a]![s.bearer[a]!]!.cost) continue;
        s.remove(z);
        s.place(z, b);
        const mid = scoreOf(s);
        if (mid.excessW > 0 && mid.cost < cur.cost) {
          const best = this.bestRepair(s, z, cur);
          if (best) return best;
        }
        s.remove(z);
        s.place(z, a);
      }
    }
    return undefined;
  }

  /** Best single relocation (not of `moved`) whose result beats `cur`; applied if found. */
  protected bestRepair(s: State, moved: number, cur: Score): Score | undefined {
    const c = this.c;
    let best: Score | undefined;
    let bz = -1;
    let bt = -1;
    for (let z = 0; z < c.v; z++) {
      const a = s.flowIf[z]!;
      if (z === moved || a < 0 || c.pin[z]! >= 0) continue;
      for (let b = 0; b < c.m; b++) {
        if (b === a || s.count[b] === 0 || !s.fits(z, b, s.bearer[b]!)) continue;
        s.remove(z);
        s.place(z, b);
        const sc = scoreOf(s);
        if (beats(sc, cur) && (!best || beats(sc, best))) { best = sc; bz = z; bt = b; }
        s.remove(z);
        s.place(z, a);
      }
    }
    if (!best) return undefined;
    s.remove(bz);
    s.place(bz, bt);
    return best;
  }

  /** Swap two flows between active interfaces: first improvement (evaluated by deltas). */
  swap(s: State, cur: Score): Score | undefined {
    const c = this.c;
    for (let z1 = 0; z1 < c.v; z1++) {
      if (this.deadline.expired()) return undefined;
      const a = s.flowIf[z1]!;
      if (a < 0 || c.pin[z1]! >= 0) continue;
      const ba = c.bearers[a]![s.bearer[a]!]!;
      const u1 = c.up[z1]!;
      const d1 = c.down[z1]!;
      for (let z2 = z1 + 1; z2 < c.v; z2++) {
        const b = s.flowIf[z2]!;
        if (b < 0 || b === a || c.pin[z2]! >= 0) continue;
        const u2 = c.up[z2]!;
        const d2 = c.down[z2]!;
        if (u1 === u2 && d1 === d2) continue;
        const bb = c.bearers[b]![s.bearer[b]!]!;
        if (bb.qos < c.qos[z1]! || ba.qos < c.qos[z2]!) continue;
        if (s.loadUp[b]! - u2 + u1 > bb.upKbps + 1e-9 || s.loadDown[b]! - d2 + d1 > bb.downKbps + 1e-9) continue;
        if (s.loadUp[a]! - u1 + u2 > ba.upKbps + 1e-9 || s.loadDown[a]! - d1 + d2 > ba.downKbps + 1e-9) continue;
        const dc = (bb.cost - ba.cost) * (c.bw[z1]! - c.bw[z2]!);
        const dp = (bb.txW - ba.txW) * (u1 - u2) + (bb.rxW - ba.rxW) * (d1 - d2);
        if (!this.better(this.scoreAt(cur.unplaced, cur.cost + dc, cur.powerW + dp), cur)) continue;
        s.remove(z1);
        s.remove(z2);
        s.place(z1, b);
        s.place(z2, a);
        return scoreOf(s);
      }
    }
    return undefined;
  }

  /**
   * While over P_max: relocate the flow whose move buys the most power per
   * unit of added cost (the thesis' function g, applied as a repair).
   */
  repairPower(s: State, costCap = Infinity): void {
    const c = this.c;
    const limit = c.powerLimitW;
    if (!Number.isFinite(limit)) return;
    for (let guard = 0; guard < 2 * c.v && !this.deadline.expired(); guard++) {
      // Past costCap the repaired state cannot win: stop early.
      if (s.power() <= limit || s.cost() > costCap) return;
      let bestRatio = Infinity;
      let bz = -1;
      let bt = -1;
      for (let z = 0; z < c.v; z++) {
        const a = s.flowIf[z]!;
        if (a < 0 || c.pin[z]! >= 0) continue;
        for (let b = 0; b < c.m; b++) {
          if (b === a || s.count[b] === 0 || !s.fitsMoving(z, b, s.bearer[b]!)) continue;
          this.delta(s, z, b, s.bearer[b]!);
          if (this.dp < -1e-12) {
            const ratio = this.dc / -this.dp;
            if (ratio < bestRatio) { bestRatio = ratio; bz = z; bt = b; }
          }
        }
      }
      if (bz < 0) return;
      s.remove(bz);
      s.place(bz, bt);
    }
  }

}
