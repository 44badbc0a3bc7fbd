import { meetsQos } from '../model/qos.js';
import type { TfapAnswer, TfapInstance } from '../model/tfap.js';
import { costPerSecond, powerW } from './objective.js';

/** Same tolerance rule as the solvers, written out again so the checker stays independent. */
function atMost(value: number, limit: number): boolean {
  return value <= limit + 1e-9 * Math.max(1, Math.abs(limit));
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Independent feasibility check of an answer against its instance: one bearer
 * per interface, every flow served once by an active interface, capacities up
 * and down, QoS (eq. 3.3), pins, power against P_max, the reported figures and
 * the status. Reads only the public JSON shapes, none of the solvers' code.
 * Returns the list of problems (empty = the answer is valid).
 */
export function checkAnswer(inst: TfapInstance, ans: TfapAnswer): string[] {
  const problems: string[] = [];
  const ifs = new Map(inst.interfaces.map((r) => [r.id, r]));
  const flowIds = new Set(inst.flows.map((f) => f.id));

  for (const [ifId, bearerId] of Object.entries(ans.activation)) {
    const r = ifs.get(ifId);
    if (!r) problems.push(`activation names unknown interface "${ifId}"`);
    else if (!r.bearers.some((b) => b.id === bearerId)) problems.push(`activation: interface "${ifId}" has no bearer "${bearerId}"`);
  }
  for (const [flowId, ifId] of Object.entries(ans.assignment)) {
    if (!flowIds.has(flowId)) problems.push(`assignment names unknown flow "${flowId}"`);
    if (ans.activation[ifId] === undefined) problems.push(`flow "${flowId}" is assigned to "${ifId}", which is not active`);
  }

  const upUse = new Map<string, number>();
  const downUse = new Map<string, number>();
  const unserved: string[] = [];
  for (const f of inst.flows) {
    const ifId = ans.assignment[f.id];
    if (ifId === undefined) {
      unserved.push(f.id);
      continue;
    }
    if (f.pinned !== undefined && f.pinned !== ifId) problems.push(`flow "${f.id}" is pinned to "${f.pinned}" but assigned to "${ifId}"`);
    const bearer = ifs.get(ifId)?.bearers.find((b) => b.id === ans.activation[ifId]);
    if (!bearer) continue;
    if (!meetsQos(bearer.qos, f.qos)) problems.push(`flow "${f.id}" needs QoS ${f.qos} but bearer "${ifId}/${bearer.id}" offers ${bearer.qos}`);
    upUse.set(ifId, (upUse.get(ifId) ?? 0) + f.upKbps);
    downUse.set(ifId, (downUse.get(ifId) ?? 0) + f.downKbps);
  }
  for (const [ifId, bearerId] of Object.entries(ans.activation)) {
    const bearer = ifs.get(ifId)?.bearers.find((b) => b.id === bearerId);
    if (!bearer) continue;
    const up = upUse.get(ifId);
    const down = downUse.get(ifId);
    if (up === undefined || down === undefined) {
      problems.push(`interface "${ifId}" is active but serves no flow`);
      continue;
    }
    if (!atMost(up, bearer.upKbps)) problems.push(`uplink of "${ifId}/${bearerId}" over capacity: ${up} > ${bearer.upKbps} kbps`);
    if (!atMost(down, bearer.downKbps)) problems.push(`downlink of "${ifId}/${bearerId}" over capacity: ${down} > ${bearer.downKbps} kbps`);
  }

  const cost = costPerSecond(inst, ans.activation, ans.assignment);
  const power = powerW(inst, ans.activation, ans.assignment);
  if (!close(cost, ans.costPerSecond)) problems.push(`costPerSecond ${ans.costPerSecond} differs from eq. 3.4: ${cost}`);
  if (!close(power, ans.powerW)) problems.push(`powerW ${ans.powerW} differs from eq. 3.5: ${power}`);

  const meetsLimit = inst.powerLimitW === null || atMost(power, inst.powerLimitW);
  switch (ans.status) {
    case 'ok':
      if (unserved.length > 0) problems.push(`status ok but flows not served: ${unserved.join(', ')}`);
      if (!meetsLimit) problems.push(`status ok but power ${power} W exceeds P_max ${inst.powerLimitW} W`);
      break;
    case 'over_power_limit':
      if (unserved.length > 0) problems.push(`status over_power_limit but flows not served: ${unserved.join(', ')}`);
      if (meetsLimit) problems.push(`status over_power_limit but power ${power} W meets P_max ${inst.powerLimitW ?? 'null'}`);
      break;
    case 'infeasible':
      if (unserved.length === 0) problems.push('status infeasible but every flow is served');
      if (!ans.reason) problems.push('status infeasible without a reason');
      break;
  }
  return problems;
}
