import { QOS_RANK, meetsQos } from '../../src/model/qos.js';
import type { QosClass } from '../../src/model/qos.js';
import type { BearerSpec, FlowSpec, TfapAnswer, TfapInstance } from '../../src/model/tfap.js';
import { costPerSecond, powerW } from '../../src/assignment/objective.js';

/**
 * ALG_u as the thesis applies it (002, lines 1436-1444): the utility-based
 * network selection of [NVAGD08], run once per class C, S, I, B in turn.
 * For class Q: priority of the QoS criterion 3, 2, 1, 0 for C, S, I, B; of
 * the bandwidth criterion the ratio of the class' demand to the capacity
 * all interfaces offer it, mapped onto 0..3; of cost 3; of power gain 0
 * (ignored). Bearers of class Q or better are ranked by the weighted product
 * of the criteria's utilities, and the class' flows go to the first one(s)
 * with room. The utility shapes are ours (the thesis does not print them):
 * cost (c_max - c) / (c_max - c_min) lifted off zero, bandwidth = free
 * capacity / the largest, QoS = 1 / (1 + classes above what is needed).
 */

const Q_PRIORITY: Record<QosClass, number> = { C: 3, S: 2, I: 1, B: 0 };
const COST_PRIORITY = 3;
const ORDER: readonly QosClass[] = ['C', 'S', 'I', 'B'];

interface Candidate {
  ifId: string;
  bearer: BearerSpec;
  freeUp: number;
  freeDown: number;
}

export function solveAlgU(inst: TfapInstance): TfapAnswer {
  const activation: Record<string, string> = {};
  const assignment: Record<string, string> = {};
  const used = new Map<string, { up: number; down: number }>();
  const unplaced: string[] = [];
  for (const q of ORDER) {
    const flows = inst.flows.filter((f) => f.qos === q).sort((a, b) => b.upKbps + b.downKbps - (a.upKbps + a.downKbps) || (a.id < b.id ? -1 : 1));
    if (flows.length === 0) continue;
    const candidates = candidatesFor(inst, q, activation, used);
    const demand = flows.reduce((s, f) => s + f.upKbps + f.downKbps, 0);
    // The capacity the interfaces offer class q: the active bearer's room, or an idle interface's largest suitable bearer.
    let offered = 0;
    for (const r of inst.interfaces) {
      const mine = candidates.filter((c) => c.ifId === r.id);
      offered += Math.max(0, ...mine.map((c) => c.freeUp + c.freeDown));
    }
    const ratio = offered > 0 ? Math.min(1, demand / offered) : 1;
    const bwPriority = Math.round(3 * ratio);
    const ranked = rank(candidates, q, bwPriority);
    for (const f of flows) {
      const pick = ranked.find((c) => fits(c, f, activation));
      if (!pick) {
        unplaced.push(f.id);
        continue;
      }
      activation[pick.ifId] = pick.bearer.id;
      assignment[f.id] = pick.ifId;
      const u = used.get(pick.ifId) ?? { up: 0, down: 0 };
      u.up += f.upKbps;
      u.down += f.downKbps;
      used.set(pick.ifId, u);
      for (const c of ranked) if (c.ifId === pick.ifId) {
        c.freeUp = c.bearer.upKbps - u.up;
        c.freeDown = c.bearer.downKbps - u.down;
      }
    }
  }
  const cost = costPerSecond(inst, activation, assignment);
  const power = powerW(inst, activation, assignment);
  const base = { activation, assignment, costPerSecond: cost, powerW: power, solveMs: 0, method: 'heuristic' as const };
  if (unplaced.length > 0) return { ...base, status: 'infeasible', reason: `ALG_u found no bearer with room for ${unplaced.join(', ')}` };
  const over = inst.powerLimitW !== null && power > inst.powerLimitW + 1e-9 * Math.max(1, inst.powerLimitW);
  return { ...base, status: over ? 'over_power_limit' : 'ok' };
}

function candidatesFor(inst: TfapInstance, q: QosClass, activation: Record<string, string>, used: Map<string, { up: number; down: number }>): Candidate[] {
  const out: Candidate[] = [];
  for (const r of inst.interfaces) {
    const active = activation[r.id];
    const u = used.get(r.id) ?? { up: 0, down: 0 };
    for (const b of r.bearers) {
      if (active !== undefined && b.id !== active) continue;
      if (!meetsQos(b.qos, q)) continue;
      out.push({ ifId: r.id, bearer: b, freeUp: b.upKbps - u.up, freeDown: b.downKbps - u.down });
    }
  }
  return out;
}

function rank(cands: Candidate[], q: QosClass, bwPriority: number): Candidate[] {
  if (cands.length === 0) return [];
  const costs = cands.map((c) => c.bearer.costPerKbit);
  const cMin = Math.min(...costs);
  const cMax = Math.max(...costs);
  const bwMax = Math.max(1, ...cands.map((c) => c.freeUp + c.freeDown));
  const utility = (c: Candidate): number => {
    const uCost = cMax > cMin ? 0.05 + (0.95 * (cMax - c.bearer.costPerKbit)) / (cMax - cMin) : 1;
    const uBw = Math.max(1e-6, (c.freeUp + c.freeDown) / bwMax);
    const uQ = 1 / (1 + QOS_RANK[c.bearer.qos] - QOS_RANK[q]);
    return Math.pow(uCost, COST_PRIORITY) * Math.pow(uBw, bwPriority) * Math.pow(uQ, Q_PRIORITY[q]);
  };
  return cands
    .map((c) => ({ c, u: utility(c) }))
    .sort((a, b) => b.u - a.u || (a.c.ifId < b.c.ifId ? -1 : a.c.ifId > b.c.ifId ? 1 : a.c.bearer.id < b.c.bearer.id ? -1 : 1))
    .map((x) => x.c);
}

function fits(c: Candidate, f: FlowSpec, activation: Record<string, string>): boolean {
  const active = activation[c.ifId];
  if (active !== undefined && active !== c.bearer.id) return false;
  return f.upKbps <= c.freeUp && f.downKbps <= c.freeDown;
}
