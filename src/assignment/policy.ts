import { meetsQos } from '../model/qos.js';
import type { FlowSpec, TfapAnswer, TfapInstance } from '../model/tfap.js';
import { checkAnswer } from './checker.js';
import { costPerSecond, powerW } from './objective.js';

/**
 * The conservative policy between full solves (thesis 002, line 1445;
 * DESIGN.md decision 2): new flows go where they fit with the least change,
 * a full solve runs only when the current assignment stops being valid or a
 * fresh solve is clearly better (hysteresis), so assignments do not flap.
 */

/** What the daemon currently runs: interface -> bearer, flow -> interface. */
export interface CurrentAssignment {
  activation: Record<string, string>;
  assignment: Record<string, string>;
}

export type Placement =
  | { ok: true; interfaceId: string; bearerId: string; activates: boolean }
  | { ok: false; reason: string };

/**
 * Where to put a new flow without touching anything else: the cheapest
 * interface whose bearer still has room and class for it (the thesis' rule,
 * 002 line 1445: "the cheapest radio interface with spare capacity"), an
 * active one before an idle one at equal price (waking one interface is
 * still no redirection). Power stays within P_max. `{ ok: false }` means:
 * run a full solve.
 */
export function placeNewFlow(inst: TfapInstance, cur: CurrentAssignment, flow: FlowSpec, preferOf?: (interfaceId: string) => number): Placement {
  const limit = inst.powerLimitW ?? Infinity;
  const upUse = new Map<string, number>();
  const downUse = new Map<string, number>();
  for (const f of inst.flows) {
    const ifId = cur.assignment[f.id];
    if (ifId === undefined || f.id === flow.id) continue;
    upUse.set(ifId, (upUse.get(ifId) ?? 0) + f.upKbps);
    downUse.set(ifId, (downUse.get(ifId) ?? 0) + f.downKbps);
  }
  // Copy the assignment only when the flow is in it (rare): the daemon asks this for every class each cycle.
  const basePower = powerW(inst, cur.activation, cur.assignment[flow.id] === undefined ? cur.assignment : withoutFlow(cur.assignment, flow.id));
  let best: { ifId: string; bearerId: string; prefer: number; cost: number; powerW: number; activates: boolean } | undefined;
  for (const r of inst.interfaces) {
    if (flow.pinned !== undefined && flow.pinned !== r.id) continue;
    const activeBearer = cur.activation[r.id];
    const candidates = activeBearer === undefined ? r.bearers : r.bearers.filter((b) => b.id === activeBearer);
    for (const b of candidates) {
      const up = (upUse.get(r.id) ?? 0) + flow.upKbps;
      const down = (downUse.get(r.id) ?? 0) + flow.downKbps;
      if (!meetsQos(b.qos, flow.qos) || up > b.upKbps || down > b.downKbps) continue;
      const activates = activeBearer === undefined;
      const addedW = (activates ? b.baseW : 0) + b.txWPerKbps * flow.upKbps + b.rxWPerKbps * flow.downKbps;
      const totalW = basePower + addedW;
      if (totalW > limit + 1e-9 * Math.max(1, limit)) continue;
      const cost = b.costPerKbit;
      // The thesis' rule (002, line 1445): the cheapest radio interface with spare capacity; waking one breaks a tie.
      // A caller's preference (lower first) goes before the cost when given.
      const rank = (x: { prefer: number; cost: number; powerW: number; activates: boolean }) => [x.prefer, x.cost, x.activates ? 1 : 0, x.powerW] as const;
      const mine = { ifId: r.id, bearerId: b.id, prefer: preferOf ? preferOf(r.id) : 0, cost, powerW: totalW, activates };
      if (!best || lexLess(rank(mine), rank(best))) best = mine;
    }
  }
  if (!best) return { ok: false, reason: `flow "${flow.id}" fits no active interface and no idle one within P_max` };
  return { ok: true, interfaceId: best.ifId, bearerId: best.bearerId, activates: best.activates };
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! < b[k]!;
  return false;
}

function withoutFlow(assignment: Record<string, string>, flowId: string): Record<string, string> {
  const out = { ...assignment };
  delete out[flowId];
  return out;
}

/**
 * Is the current assignment still valid for a changed instance (bearer
 * capacity or class dropped, a modem gone, P_max lowered, a flow unplaced)?
 * Flows that ended are simply forgotten. Returns the reasons it is not.
 */
export function invalidations(inst: TfapInstance, cur: CurrentAssignment): string[] {
  const flowIds = new Set(inst.flows.map((f) => f.id));
  const assignment: Record<string, string> = {};
  for (const [f, i] of Object.entries(cur.assignment)) if (flowIds.has(f)) assignment[f] = i;
  const used = new Set(Object.values(assignment));
  const activation: Record<string, string> = {};
  for (const [i, b] of Object.entries(cur.activation)) if (used.has(i)) activation[i] = b;
  const ans: TfapAnswer = {
    status: 'ok',
    activation,
    assignment,
    costPerSecond: costPerSecond(inst, activation, assignment),
    powerW: powerW(inst, activation, assignment),
    solveMs: 0,
    method: 'heuristic',
  };
  return checkAnswer(inst, ans);
}

export interface AdoptOptions {
  /** Relative cost gain a fresh solve must bring to be adopted (default 0.05 = 5 %). */
  minRelativeGain?: number;
  /** ... and at least this absolute gain per second (default 0). */
  minAbsoluteGain?: number;
}

export type AdoptDecision = { adopt: boolean; reason: string };

/**
 * Hysteresis on cost: adopt a fresh full solve if the current assignment is
 * invalid, or if the fresh one is valid and cheaper by the margin.
 */
export function shouldAdopt(inst: TfapInstance, cur: CurrentAssignment, fresh: TfapAnswer, o: AdoptOptions = {}): AdoptDecision {
  const problems = invalidations(inst, cur);
  if (fresh.status !== 'ok') {
    return problems.length > 0
      ? { adopt: fresh.status === 'over_power_limit', reason: `current invalid (${problems[0]}); fresh solve is ${fresh.status}` }
      : { adopt: false, reason: `fresh solve is ${fresh.status}; keeping the current assignment` };
  }
  if (problems.length > 0) return { adopt: true, reason: `current assignment invalid: ${problems[0]}` };
  const curCost = costPerSecond(inst, cur.activation, cur.assignment);
  const gain = curCost - fresh.costPerSecond;
  const rel = o.minRelativeGain ?? 0.05;
  const abs = o.minAbsoluteGain ?? 0;
  if (gain > rel * curCost && gain > abs) return { adopt: true, reason: `fresh solve saves ${Number(gain.toPrecision(3))} per second (${((100 * gain) / curCost).toFixed(1)} %)` };
  return { adopt: false, reason: `gain ${Number(gain.toPrecision(3))} per second is below the hysteresis margin` };
}

/** What changing from `a` to `b` would do: flows redirected and interfaces re-attached. */
export function changes(a: CurrentAssignment, b: CurrentAssignment): { movedFlows: string[]; rebeared: string[] } {
  const movedFlows = Object.keys(b.assignment).filter((f) => a.assignment[f] !== undefined && a.assignment[f] !== b.assignment[f]);
  const rebeared = Object.keys(b.activation).filter((i) => a.activation[i] !== undefined && a.activation[i] !== b.activation[i]);
  return { movedFlows, rebeared };
}
