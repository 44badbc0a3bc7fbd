import { FlowMoves } from './flow-moves.js';
import { scoreOf, type Score } from './score.js';
import type { State } from './state.js';

/**
 * The interface-level neighbourhoods of modemflow's heuristic: exchange of
 * two interfaces' loads, bearer change with repair (rebear) or with a full
 * re-spread of the flows (rebuild), and the descent that uses them all.
 */
export class Neighbourhoods extends FlowMoves {
  /** Up to `k` bearers of interface i that hold its current flows: cheapest ones and most frugal ones. */
  protected holders(s: State, i: number, k: number): number[] {
    const c = this.c;
    const ok: number[] = [];
    for (const j of this.cand[i]!) if (s.bearerHolds(i, j)) ok.push(j);
    if (ok.length <= 2 * k) return ok;
    const bs = c.bearers[i]!;
    const up = s.loadUp[i]!;
    const down = s.loadDown[i]!;
    const pw = (j: number) => bs[j]!.baseW + bs[j]!.txW * up + bs[j]!.rxW * down;
    const byCost = [...ok].sort((x, y) => bs[x]!.cost - bs[y]!.cost || pw(x) - pw(y)).slice(0, k);
    const byPower = [...ok].sort((x, y) => pw(x) - pw(y) || bs[x]!.cost - bs[y]!.cost).slice(0, k);
    return [...new Set([...byCost, ...byPower])];
  }

  /**
   * Exchange the whole flow sets of two interfaces and give each the best
   * bearer for its new load: finds the mirror image of an assignment when
   * the cheap bearer sits on the other, equivalent radio.
   */
  swapLoads(s: State, cur: Score): Score | undefined {
    const c = this.c;
    const fa: number[] = [];
    const fb: number[] = [];
    for (let a = 0; a < c.m; a++) {
      if (this.deadline.expired()) return undefined;
      for (let b = a + 1; b < c.m; b++) {
        if (s.count[a] === 0 && s.count[b] === 0) continue;
        fa.length = 0;
        fb.length = 0;
        let pinned = false;
        for (let z = 0; z < c.v; z++) {
          if (s.flowIf[z] === a) fa.push(z);
          else if (s.flowIf[z] === b) fb.push(z);
          else continue;
          if (c.pin[z]! >= 0) pinned = true;
        }
        if (pinned) continue;
        this.scratch.copyFrom(s);
        for (const z of fa) s.remove(z);
        for (const z of fb) s.remove(z);
        for (const z of fa) s.place(z, b);
        for (const z of fb) s.place(z, a);
        const ha = s.count[a]! > 0 ? this.holders(s, a, 3) : [s.bearer[a]!];
        const hb = s.count[b]! > 0 ? this.holders(s, b, 3) : [s.bearer[b]!];
        let best: Score | undefined;
        let bja = -1;
        let bjb = -1;
        for (const ja of ha) {
          for (const jb of hb) {
            s.bearer[a] = ja;
            s.bearer[b] = jb;
            const sc = scoreOf(s);
            if (!best || this.better(sc, best)) { best = sc; bja = ja; bjb = jb; }
          }
        }
        if (best && this.better(best, cur)) {
          s.bearer[a] = bja;
          s.bearer[b] = bjb;
          return best;
        }
        s.copyFrom(this.scratch);
      }
    }
    return undefined;
  }

  /**
   * Re-associate interface i with bearer j (-1 = switch it off): flows the new
   * bearer cannot carry are re-inserted elsewhere; then flows on dearer
   * interfaces are pulled onto i while that lowers the cost. Mutates s.
   */
  rebear(s: State, i: number, j: number): void {
    const c = this.c;
    const evicted: number[] = [];
    for (const z of this.bySize) {
      if (s.flowIf[z] !== i) continue;
      s.remove(z);
      evicted.push(z);
    }
    if (j < 0) {
      for (const z of evicted) this.insert(s, z, c.pin[z] === i ? -1 : i);
      return;
    }
    s.bearer[i] = j;
    const b = c.bearers[i]![j]!;
    let k = 0;
    for (const z of evicted) {
      if (s.fits(z, i, j)) s.place(z, i);
      else evicted[k++] = z;
    }
    evicted.length = k;
    for (const z of evicted) this.insert(s, z, c.pin[z] === i ? -1 : i);
    // Pull, strictest class then biggest first, from interfaces that charge more than b.
    for (const z of this.byClass) {
      const a = s.flowIf[z]!;
      if (a === i || c.pin[z]! >= 0) continue;
      if (a >= 0 && c.bearers[a]![s.bearer[a]!]!.cost <= b.cost) continue;
      if (!s.fits(z, i, j)) continue;
      if (a >= 0) s.remove(z);
      s.place(z, i);
    }
  }

  /**
   * Re-associate interface i with bearer j (-1 = off) and re-assign every
   * flow from scratch: strictest class first, then biggest, each to the
   * cheapest active interface that fits (waking an idle one if none does).
   * Class first keeps scarce high-class capacity for the flows that need it.
   */
  rebuild(s: State, i: number, j: number): void {
    const c = this.c;
    const active = this.active;
    for (let k = 0; k < c.m; k++) active[k] = k === i ? (j >= 0 ? 1 : 0) : s.count[k]! > 0 ? 1 : 0;
    for (let z = 0; z < c.v; z++) if (s.flowIf[z]! >= 0) s.remove(z);
    if (j >= 0) s.bearer[i] = j;
    for (const z of this.byClass) {
      let bi = -1;
      let bc = Infinity;
      for (let k = 0; k < c.m; k++) {
        const jk = s.bearer[k]!;
        if (active[k] === 0 || !s.fits(z, k, jk)) continue;
        const cost = c.bearers[k]![jk]!.cost;
        if (cost < bc) { bi = k; bc = cost; }
      }
      if (bi >= 0) s.place(z, bi);
      else this.insert(s, z, -1);
    }
  }

  /** Bearer-change moves on every interface: first improvement. */
  rebearMoves(s: State, cur: Score): Score | undefined {
    const c = this.c;
    // A repair only adds cost: once within P_max, a candidate dearer than cur cannot win.
    const cap = cur.unplaced === 0 && cur.excessW === 0 ? cur.cost : Infinity;
    for (let i = 0; i < c.m; i++) {
      if (this.deadline.expired()) return undefined;
      const active = s.count[i]! > 0;
      if (active) {
        this.scratch.copyFrom(s);
        this.rebear(s, i, -1);
        if (this.mu === Infinity) this.repairPower(s, cap);
        const sc = scoreOf(s);
        if (this.better(sc, cur)) return sc;
        s.copyFrom(this.scratch);
      }
      for (const j of this.cand[i]!) {
        for (let how = 0; how < 2; how++) {
          if (how === 0 && active && j === s.bearer[i]) continue;
          this.scratch.copyFrom(s);
          if (how === 0) this.rebear(s, i, j);
          else this.rebuild(s, i, j);
          if (this.mu === Infinity) this.repairPower(s, cap);
          const sc = scoreOf(s);
          if (this.better(sc, cur)) return sc;
          s.copyFrom(this.scratch);
        }
      }
    }
    return undefined;
  }

  /** Descent to a local optimum; `full` adds the costly bearer-change neighbourhood. */
  descend(s: State, full = true): Score {
    let cur = scoreOf(s);
    for (;;) {
      if (this.deadline.expired()) return cur;
      if (this.light) {
        const next = this.relocateSweep(s, cur);
        if (!next) return cur;
        cur = next;
        continue;
      }
      const next =
        this.relocate(s, cur) ?? this.swap(s, cur) ?? this.swapLoads(s, cur) ?? this.ejection(s, cur) ?? (full ? this.rebearMoves(s, cur) : undefined);
      if (!next) return cur;
      cur = next;
    }
  }

}
