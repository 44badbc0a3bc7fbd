import type { Compiled } from './compiled.js';
import type { Deadline } from './deadline.js';
import { nonDominated } from './dominance.js';
import { SegmentBins, type Table, tables } from './relaxation.js';
import { State } from './state.js';

/**
 * Truncated depth-first branch and bound over flow -> interface maps, for
 * either objective: least power (eq. 3.5, P_max ignored), or least cost
 * (eq. 3.4) within P_max. Given the flows of an interface, the bearer is
 * chosen afterwards (least power; or, at a leaf, the cheapest bearers whose
 * power fits P_max together), so only the map is searched, and only over
 * non-dominated bearers (dominance.ts).
 *
 * Flows are placed biggest first. A child's bound is the value so far plus
 * the relaxation of relaxation.ts (the remaining volume poured fractionally
 * into what room the interfaces' bearers leave, at their least rates), which
 * also cuts children whose flows cannot fit at all; in cost mode a child is
 * cut as well when the same relaxation of power exceeds P_max. Children are
 * tried by increasing bound, so the first dive is a greedy construction, and
 * the tree is walked as a limited discrepancy search (the greedy path, then
 * every path that strays from it by 1, 2, ... ranks), which spreads a small
 * budget over the top of the tree. Identical flows go on non-decreasing
 * interface indices (they are interchangeable). Stops after maxNodes nodes;
 * `complete` says the search finished, and then the answer is optimal (or
 * proven not to exist).
 */

export interface BnbOptions {
  objective: 'cost' | 'power';
  maxNodes: number;
  /**
   * Flow order: biggest first (default: the bound prunes far more), strictest class first, or the most power
   * a flow can draw first (for a power search: the flows that decide it are placed while the bound is loose).
   */
  order?: 'class' | 'size' | 'power';
  /** Interface each flow must keep (-1 = free): a partial re-optimisation (large neighbourhood search). */
  fixed?: Int32Array;
  /** Only an assignment of value below this counts (an incumbent found elsewhere). */
  upperBound?: number;
  /** Time budget: the search stops (incomplete) once it expires. */
  deadline?: Deadline;
  /** Stop (incomplete) at the first assignment of value at most this: good enough for the caller (a power limit). */
  goodEnough?: number;
}

export interface BnbResult {
  /** The best assignment found (every flow placed), or undefined if none. */
  state?: State;
  /** Objective value of `state` (cost, or power). */
  value: number;
  complete: boolean;
  nodes: number;
}

const CAP_EPS = 1e-9;

/** Bearer lists and tables per instance and criteria, kept while the instance lives (the LNS calls often). */
interface Prepared {
  lists: Int32Array[];
  tb: Table[];
  /** Per flow: the largest marginal power it could draw on any kept bearer (no base power). */
  worstP: Float64Array;
  /** Slots: 0..m-1 the empty interfaces, then one per depth and interface for tentative placements. */
  segs: SegmentBins;
}

const prepared = new WeakMap<Compiled, Map<string, Prepared>>();

function prepare(c: Compiled, cost: boolean, power: boolean): Prepared {
  let byKey = prepared.get(c);
  if (!byKey) prepared.set(c, (byKey = new Map()));
  const key = `${cost}/${power}`;
  let p = byKey.get(key);
  if (!p) {
    const lists = nonDominated(c, { cost, power });
    const tb = tables(c, lists);
    const worstP = new Float64Array(c.v);
    for (let z = 0; z < c.v; z++) {
      let worst = 0;
      for (const t of tb) for (let j = 0; j < t.qos.length; j++) worst = Math.max(worst, t.tx[j]! * c.up[z]! + t.rx[j]! * c.down[z]!);
      worstP[z] = worst;
    }
    p = { lists, tb, worstP, segs: new SegmentBins(c.m, tb, c.m + c.v * c.m) };
    byKey.set(key, p);
  }
  return p;
}

export function branchAndBound(c: Compiled, o: BnbOptions): BnbResult {
  const { m, v } = c;
  const costMode = o.objective === 'cost';
  const fixed = o.fixed;
  const limit = costMode ? c.powerLimitW : Infinity;
  const limitTol = limit + 1e-9 * Math.max(1, Math.abs(limit));
  const constrained = Number.isFinite(limit);
  const { lists, tb, worstP, segs } = prepare(c, costMode, !costMode || constrained);
  segs.reset();

  // Least cost and least power of interface i carrying (up, down) with class q (Infinity: no bearer holds it).
  let minC = 0;
  let minP = 0;
  const evalIf = (i: number, up: number, down: number, q: number): void => {
    const t = tb[i]!;
    const bw = up + down;
    minC = Infinity;
    minP = Infinity;
    for (let k = 0; k < t.qos.length; k++) {
      if (t.qos[k]! < q || t.up[k]! + CAP_EPS < up || t.down[k]! + CAP_EPS < down) continue;
      const cc = t.cost[k]! * bw;
      const pp = t.base[k]! + t.tx[k]! * up + t.rx[k]! * down;
      if (cc < minC) minC = cc;
      if (pp < minP) minP = pp;
    }
  };

  // Flow order: fixed flows first (they have one child), then biggest (or strictest class, or most power);
  // identical flows adjacent.
  const order = Int32Array.from(
    Array.from({ length: v }, (_, z) => z).sort(
      (a, b) =>
        (fixed ? (fixed[b]! >= 0 ? 1 : 0) - (fixed[a]! >= 0 ? 1 : 0) : 0) ||
        (o.order === 'class' ? c.qos[b]! - c.qos[a]! || c.bw[b]! - c.bw[a]! : o.order === 'power' ? worstP[b]! - worstP[a]! : c.bw[b]! - c.bw[a]! || c.qos[b]! - c.qos[a]!) ||
        c.up[b]! - c.up[a]! ||
        c.pin[a]! - c.pin[b]! ||
        a - b,
    ),
  );
  const sameAsPrev = new Uint8Array(v);
  for (let k = 1; k < v; k++) {
    const a = order[k - 1]!;
    const b = order[k]!;
    sameAsPrev[k] = (!fixed || fixed[a]! < 0) && c.up[a] === c.up[b] && c.down[a] === c.down[b] && c.qos[a] === c.qos[b] && c.pin[a] === c.pin[b] ? 1 : 0;
  }
  // restVol[(k * 4 + q) * 2 + dir]: volume of the flows order[k..] of class q, up (0) or down (1).
  const restVol = new Float64Array((v + 1) * 8);
  for (let k = v - 1; k >= 0; k--) {
    const z = order[k]!;
    for (let x = 0; x < 8; x++) restVol[k * 8 + x] = restVol[(k + 1) * 8 + x]!;
    restVol[(k * 4 + c.qos[z]!) * 2] += c.up[z]!;
    restVol[(k * 4 + c.qos[z]!) * 2 + 1] += c.down[z]!;
  }
  // restMaxP[k]: largest marginal power the flows order[k..] could draw (no base power).
  const restMaxP = new Float64Array(v + 1);
  for (let k = v - 1; k >= 0; k--) restMaxP[k] = restMaxP[k + 1]! + worstP[order[k]!]!;
  const lu = new Float64Array(m);
  const ld = new Float64Array(m);
  const qm = new Int8Array(m).fill(-1);
  const vc = new Float64Array(m);
  const vp = new Float64Array(m);
  const asg = new Int32Array(v).fill(-1);
  const bestAsg = new Int32Array(v).fill(-1);
  const bestBearer = new Int32Array(m).fill(-1);
  const leafBearer = new Int32Array(m).fill(-1);
  // Per depth: candidate interfaces, their new cost / power and the primary increase.
  const candI = new Int32Array(v * m);
  const candC = new Float64Array(v * m);
  const candP = new Float64Array(v * m);
  const candD = new Float64Array(v * m);
  let bestValue = o.upperBound ?? Infinity;
  let totC = 0;
  let totP = 0;
  let nodes = 0;
  let stopped = false;

  /**
   * The bearers of a complete map: least power per interface (ties: cheaper)
   * in power mode; in cost mode the cheapest set whose power fits P_max (a
   * small multiple-choice knapsack, searched depth first). Returns the value
   * or Infinity; the choice goes to leafBearer.
   */
  const active: number[] = [];
  const pick = new Int32Array(m);
  let leafBest = Infinity;
  const knap = (a: number, cost: number, power: number): void => {
    if (a === active.length) {
      if (cost < leafBest) {
        leafBest = cost;
        for (const i of active) leafBearer[i] = pick[i]!;
      }
      return;
    }
    const i = active[a]!;
    const t = tb[i]!;
    const up = lu[i]!;
    const down = ld[i]!;
    // Least cost and power of the interfaces after this one, for pruning.
    let restCost = 0;
    let restPow = 0;
    for (let b = a + 1; b < active.length; b++) {
      restCost += vc[active[b]!]!;
      restPow += vp[active[b]!]!;
    }
    for (let k = 0; k < t.qos.length; k++) {
      if (t.qos[k]! < qm[i]! || t.up[k]! + CAP_EPS < up || t.down[k]! + CAP_EPS < down) continue;
      const cc = cost + t.cost[k]! * (up + down);
      const pp = power + t.base[k]! + t.tx[k]! * up + t.rx[k]! * down;
      if (cc + restCost >= leafBest || pp + restPow > limitTol) continue;
      pick[i] = k;
      knap(a + 1, cc, pp);
    }
  };
  const leaf = (): number => {
    active.length = 0;
    for (let i = 0; i < m; i++) {
      leafBearer[i] = -1;
      if (qm[i]! >= 0) active.push(i);
    }
    if (!costMode) {
      for (const i of active) {
        const t = tb[i]!;
        let bp = Infinity;
        let bc = Infinity;
        for (let k = 0; k < t.qos.length; k++) {
          if (t.qos[k]! < qm[i]! || t.up[k]! + CAP_EPS < lu[i]! || t.down[k]! + CAP_EPS < ld[i]!) continue;
          const pp = t.base[k]! + t.tx[k]! * lu[i]! + t.rx[k]! * ld[i]!;
          const cc = t.cost[k]! * (lu[i]! + ld[i]!);
          if (pp < bp - 1e-12 * pp || (pp <= bp + 1e-12 * pp && cc < bc)) [bp, bc, leafBearer[i]] = [pp, cc, k];
        }
      }
      return totP;
    }
    leafBest = bestValue;
    knap(0, 0, 0);
    return leafBest;
  };

  let discCut = false;
  const dfs = (k: number, disc: number): void => {
    if (++nodes > o.maxNodes || ((nodes & 15) === 0 && o.deadline?.expired() === true)) {
      stopped = true;
      return;
    }
    if (k === v) {
      const value = leaf();
      if (value < bestValue - 1e-12 * Math.abs(value)) {
        bestValue = value;
        bestAsg.set(asg);
        bestBearer.set(leafBearer);
        if (o.goodEnough !== undefined && value <= o.goodEnough) stopped = true;
      }
      return;
    }
    const z = order[k]!;
    const up = c.up[z]!;
    const down = c.down[z]!;
    const q = c.qos[z]!;
    const from = sameAsPrev[k] ? asg[order[k - 1]!]! : 0;
    const base = k * m;
    let n = 0;
    const only = fixed ? fixed[z]! : -1;
    for (let i = only >= 0 ? only : from; i < (only >= 0 ? only + 1 : m); i++) {
      if (c.pin[z]! >= 0 && c.pin[z] !== i) continue;
      const nq = q > qm[i]! ? q : qm[i]!;
      evalIf(i, lu[i]! + up, ld[i]! + down, nq);
      if (minC === Infinity) continue;
      const nc = minC;
      const np = minP;
      const dc = nc - vc[i]!;
      const dp = np - vp[i]!;
      // The relaxation only adds: a child already cut without it needs no segments built (same cuts as below).
      const own = costMode ? totC + dc : totP + dp;
      if (own >= bestValue - 1e-12 * Math.abs(own) || (constrained && totP + dp > limitTol)) continue;
      const trial = m + k * m + i;
      segs.build(trial, i, lu[i]! + up, ld[i]! + down, nq);
      let boundP = totP + dp;
      if (costMode && !constrained) boundP = 0;
      else {
        // The relaxation only matters when the largest marginal power could break P_max.
        if (!costMode) boundP += segs.pour(restVol, k + 1, i, trial, true, bestValue - boundP);
        else if (boundP + restMaxP[k + 1]! > limitTol) boundP += segs.pour(restVol, k + 1, i, trial, true, limitTol - boundP);
        if (boundP === Infinity || boundP > limitTol) continue;
      }
      let d: number;
      if (costMode) {
        d = totC + dc;
        d += segs.pour(restVol, k + 1, i, trial, false, bestValue - d);
      } else d = boundP;
      if (d === Infinity || d >= bestValue - 1e-12 * Math.abs(d)) continue;
      // Insertion into the sorted candidate list of this depth.
      let p = n++;
      while (p > 0 && candD[base + p - 1]! > d) {
        candI[base + p] = candI[base + p - 1]!;
        candC[base + p] = candC[base + p - 1]!;
        candP[base + p] = candP[base + p - 1]!;
        candD[base + p] = candD[base + p - 1]!;
        p--;
      }
      candI[base + p] = i;
      candC[base + p] = nc;
      candP[base + p] = np;
      candD[base + p] = d;
    }
    for (let p = 0; p < n && !stopped; p++) {
      // Children come by increasing bound: once one cannot win, none can.
      const lb = candD[base + p]!;
      if (lb >= bestValue - 1e-12 * Math.abs(lb)) break;
      // The p-th best child spends p discrepancies (limited discrepancy search).
      if (p > disc) {
        discCut = true;
        break;
      }
      const i = candI[base + p]!;
      const oldC = vc[i]!;
      const oldP = vp[i]!;
      const oldQ = qm[i]!;
      lu[i]! += up;
      ld[i]! += down;
      if (q > oldQ) qm[i] = q;
      vc[i] = candC[base + p]!;
      vp[i] = candP[base + p]!;
      totC += vc[i]! - oldC;
      totP += vp[i]! - oldP;
      asg[z] = i;
      const oldSlot = segs.cur[i]!;
      segs.cur[i] = m + k * m + i;
      dfs(k + 1, disc - p);
      segs.cur[i] = oldSlot;
      asg[z] = -1;
      totC -= vc[i]! - oldC;
      totP -= vp[i]! - oldP;
      vc[i] = oldC;
      vp[i] = oldP;
      qm[i] = oldQ;
      lu[i]! -= up;
      ld[i]! -= down;
      // Float dust from += / -= must not leak into the capacity tests.
      if (oldQ === -1) {
        lu[i] = 0;
        ld[i] = 0;
      }
    }
  };
  for (let i = 0; i < m; i++) segs.build(i, i, 0, 0, -1);
  // Fixed flows come first and have one place each: put them there once rather than on every pass of
  // the search (nor count them as nodes); the interfaces they load get their segments rebuilt.
  let k0 = 0;
  if (fixed) {
    for (; k0 < v && fixed[order[k0]!]! >= 0; k0++) {
      const z = order[k0]!;
      const i = fixed[z]!;
      const nq = c.qos[z]! > qm[i]! ? c.qos[z]! : qm[i]!;
      evalIf(i, lu[i]! + c.up[z]!, ld[i]! + c.down[z]!, nq);
      if (minC === Infinity || (c.pin[z]! >= 0 && c.pin[z] !== i)) return { value: Infinity, complete: true, nodes };
      lu[i]! += c.up[z]!;
      ld[i]! += c.down[z]!;
      qm[i] = nq;
      totC += minC - vc[i]!;
      totP += minP - vp[i]!;
      vc[i] = minC;
      vp[i] = minP;
      asg[z] = i;
    }
    for (let i = 0; i < m; i++) if (qm[i]! >= 0) segs.build(i, i, lu[i]!, ld[i]!, qm[i]!);
  }
  // Limited discrepancy search: first the greedy dive, then every path that
  // strays from it by 1, 2, ... ranks, until the budget runs out or a pass
  // cut nothing (then the search was exhaustive).
  for (let disc = 0; !stopped; disc++) {
    discCut = false;
    dfs(k0, disc);
    if (!discCut) break;
  }

  if (bestAsg[0] === -1 && v > 0) return { value: Infinity, complete: !stopped, nodes };
  const s = new State(c);
  for (let z = 0; z < v; z++) s.place(z, bestAsg[z]!);
  for (let i = 0; i < m; i++) if (s.count[i]! > 0) s.bearer[i] = lists[i]![bestBearer[i]!]!;
  return { state: s, value: bestValue, complete: !stopped, nodes };
}
