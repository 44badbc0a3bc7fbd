import { QOS_RANK, meetsQos } from '../model/qos.js';
import type { QosClass } from '../model/qos.js';
import type { FlowSpec, TfapAnswer, TfapInstance, TfapStatus } from '../model/tfap.js';
import { costPerSecond, powerW } from './objective.js';
import { invalidations, placeNewFlow, shouldAdopt } from './policy.js';
import type { CurrentAssignment } from './policy.js';

/**
 * The daemon's decision policy between and at full solves (thesis 002, line
 * 1445; DESIGN.md decision 2), as one pure step so that modemflowd and the
 * evaluation's simulator run the same code:
 *   - flows that ended are forgotten; interfaces no longer offered lose their flows;
 *   - while the current assignment stays valid, each new flow is placed where
 *     it fits with the least change (placeNewFlow), strictest class first;
 *   - a full solve runs when the assignment is invalid, a new flow fits
 *     nowhere, or the caller asks (slow timer, command); its answer is
 *     adopted only past the hysteresis (shouldAdopt);
 *   - a flow no bearer on offer carries at its class, even alone, is decided
 *     at the best class on offer (relaxToOffer): so it neither fails every
 *     full solve nor forces one at each step, and it returns to its class
 *     when a bearer offers it again;
 *   - when nothing serves every flow, the best effort keeps what is valid
 *     and places what it can: the rest is reported unplaced.
 */

export interface PolicyInput {
  instance: TfapInstance;
  current: CurrentAssignment;
  /** Why a full solve is wanted regardless of validity ('timer', 'command'), or null. */
  forceFull: string | null;
  /** Relative cost gain a full solve must bring when the current assignment is valid. */
  hysteresis: number;
  /** The solver for full solves (the heuristic with its time budget, in the daemon). */
  solve: (inst: TfapInstance) => TfapAnswer;
  /**
   * Ranks interfaces (lower first) for a flow placed below its class, before the cost: modemflowd passes
   * the measured round trip, so a call or a stream no modem serves at its class takes the least-delay one.
   * Without it, the cheapest (the thesis' rule).
   */
  degradedRank?: (interfaceId: string) => number;
}

export type PolicyDecisionKind = 'place' | 'move' | 'unplace';

export interface PolicyDecision {
  kind: PolicyDecisionKind;
  flow: string;
  from: string | null;
  to: string | null;
  reason: string;
}

export interface FullSolveOutcome {
  trigger: string;
  adopted: boolean;
  reason: string;
  answer: TfapAnswer;
}

export interface PolicyOutput {
  assignment: CurrentAssignment;
  /** 'none': nothing to do; 'incremental': new flows placed without a full solve. */
  kind: 'none' | 'incremental' | 'full';
  full: FullSolveOutcome | null;
  decisions: PolicyDecision[];
  /** Flows with no place (they follow the default route). */
  unplaced: string[];
  /** Flows carried below their class (no modem meets it now): the best class on offer. */
  degraded: string[];
  status: TfapStatus;
  costPerSecond: number;
  powerW: number;
}

const KBIT_PER_GB = 8e6;

/** Strictest class first, then the larger demand: the hard ones get the first pick. */
function placementOrder(a: FlowSpec, b: FlowSpec): number {
  const q = QOS_RANK[b.qos] - QOS_RANK[a.qos];
  if (q !== 0) return q;
  return b.upKbps + b.downKbps - (a.upKbps + a.downKbps) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The current assignment restricted to live flows and to interfaces still offered with the same bearer. */
export function pruneAssignment(inst: TfapInstance, cur: CurrentAssignment): CurrentAssignment {
  const offered = new Map(inst.interfaces.map((r) => [r.id, new Set(r.bearers.map((b) => b.id))]));
  const activation: Record<string, string> = {};
  for (const [ifId, bearerId] of Object.entries(cur.activation)) {
    if (offered.get(ifId)?.has(bearerId)) activation[ifId] = bearerId;
  }
  const live = new Set(inst.flows.map((f) => f.id));
  const assignment: Record<string, string> = {};
  for (const [flowId, ifId] of Object.entries(cur.assignment)) {
    if (live.has(flowId) && activation[ifId] !== undefined) assignment[flowId] = ifId;
  }
  // An interface that carries nothing is not kept active for nothing.
  const used = new Set(Object.values(assignment));
  for (const ifId of Object.keys(activation)) if (!used.has(ifId)) delete activation[ifId];
  return { activation, assignment };
}

function priceText(inst: TfapInstance, ifId: string, bearerId: string): string {
  const b = inst.interfaces.find((r) => r.id === ifId)?.bearers.find((x) => x.id === bearerId);
  if (!b) return '';
  const perGb = b.costPerKbit * KBIT_PER_GB;
  return ` (${Number(perGb.toPrecision(3))}/GB)`;
}

/** Places `flows` one by one without moving anything; returns the flows that fit nowhere. */
function placeAll(
  inst: TfapInstance,
  cur: CurrentAssignment,
  flows: FlowSpec[],
  decisions: PolicyDecision[],
  rankLowered: { ids: ReadonlySet<string>; rank: (interfaceId: string) => number } | null,
): string[] {
  const failed: string[] = [];
  for (const f of [...flows].sort(placementOrder)) {
    const p = placeNewFlow(inst, cur, f, rankLowered?.ids.has(f.id) ? rankLowered.rank : undefined);
    if (!p.ok) {
      failed.push(f.id);
      continue;
    }
    cur.assignment[f.id] = p.interfaceId;
    if (p.activates) cur.activation[p.interfaceId] = p.bearerId;
    const pinned = f.pinned !== undefined ? 'pinned to its modem' : `cheapest ${f.qos}-capable with room${priceText(inst, p.interfaceId, p.bearerId)}`;
    decisions.push({ kind: 'place', flow: f.id, from: null, to: p.interfaceId, reason: p.activates ? `${pinned}, activating it` : pinned });
  }
  return failed;
}

function summary(inst: TfapInstance, a: CurrentAssignment): { costPerSecond: number; powerW: number } {
  return { costPerSecond: costPerSecond(inst, a.activation, a.assignment), powerW: powerW(inst, a.activation, a.assignment) };
}

function statusOf(inst: TfapInstance, a: CurrentAssignment, unplaced: string[]): TfapStatus {
  if (unplaced.length > 0) return 'infeasible';
  const limit = inst.powerLimitW;
  return limit !== null && powerW(inst, a.activation, a.assignment) > limit + 1e-9 * Math.max(1, limit) ? 'over_power_limit' : 'ok';
}

/** The step for the flows that may move (pinned ones are handled by decide()). */
function decideMovable(input: PolicyInput, lowered: ReadonlySet<string>): PolicyOutput {
  const inst = input.instance;
  const rankLowered = input.degradedRank && lowered.size > 0 ? { ids: lowered, rank: input.degradedRank } : null;
  const before = input.current;
  const pruned = pruneAssignment(inst, before);
  const decisions: PolicyDecision[] = [];
  const fresh = inst.flows.filter((f) => pruned.assignment[f.id] === undefined);
  const assignedOnly: TfapInstance = { ...inst, flows: inst.flows.filter((f) => pruned.assignment[f.id] !== undefined) };
  const problems = invalidations(assignedOnly, pruned);
  // Flows whose interface left the offer count as an invalidation too: they must be re-placed.
  const orphaned = Object.keys(before.assignment).filter((f) => inst.flows.some((x) => x.id === f) && pruned.assignment[f] === undefined);
  if (orphaned.length > 0) problems.unshift(`${orphaned.length} group(s) lost their modem (${[...new Set(orphaned.map((f) => before.assignment[f]))].join(', ')})`);

  const working: CurrentAssignment = { activation: { ...pruned.activation }, assignment: { ...pruned.assignment } };
  // New flows go in with the least change while the rest holds; an invalid assignment is solved afresh anyway.
  const failed = problems.length === 0 ? placeAll(inst, working, fresh, decisions, rankLowered) : fresh.map((f) => f.id);
  if (problems.length === 0 && failed.length === 0 && input.forceFull === null) {
    const kind = fresh.length > 0 ? 'incremental' : 'none';
    return { assignment: working, kind, full: null, decisions, unplaced: [], degraded: [], status: statusOf(inst, working, []), ...summary(inst, working) };
  }
  const trigger =
    input.forceFull ?? problems[0] ?? `group ${failed[0]} fits no active modem${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ''}`;

  // Full solve, adopted past the hysteresis (always when the current one is invalid).
  const answer = input.solve(inst);
  const adopt = shouldAdopt(inst, working, answer, { minRelativeGain: input.hysteresis });
  let next: CurrentAssignment;
  let unplaced: string[];
  if (adopt.adopt) {
    decisions.length = 0;
    next = { activation: { ...answer.activation }, assignment: { ...answer.assignment } };
    unplaced = inst.flows.filter((f) => next.assignment[f.id] === undefined).map((f) => f.id);
  } else {
    // Keep what holds; what could not be placed is tried once more (the offer may have room now) or stays unplaced.
    next = working;
    const retry = fresh.filter((f) => failed.includes(f.id));
    unplaced = placeAll(inst, next, retry, decisions, rankLowered);
  }
  // What no bearer serves at its class goes to the best class on offer rather than the default route.
  const degraded = placeDegraded(inst, next, unplaced, before, decisions, input.degradedRank);
  unplaced = unplaced.filter((f) => !degraded.includes(f));
  const solveReason = adopt.adopt ? `full solve (${trigger}): ${adopt.reason}` : '';
  const placed = new Set(decisions.map((d) => d.flow));
  for (const f of inst.flows) {
    if (placed.has(f.id)) continue;
    const from = before.assignment[f.id] ?? null;
    const to = next.assignment[f.id] ?? null;
    if (from === to) continue;
    const kind: PolicyDecisionKind = to === null ? 'unplace' : from === null ? 'place' : 'move';
    const reason =
      to === null
        ? `no modem can carry it now (${answer.reason ?? answer.status}); it follows the default route`
        : `${solveReason || `full solve (${trigger})`}${priceText(inst, to, next.activation[to]!)}`;
    decisions.push({ kind, flow: f.id, from, to, reason });
  }
  return {
    assignment: next,
    kind: 'full',
    full: { trigger, adopted: adopt.adopt, reason: adopt.reason, answer },
    decisions,
    unplaced,
    degraded,
    status: statusOf(inst, next, [...unplaced, ...degraded]),
    ...summary(inst, next),
  };
}

const CLASSES_DOWN: readonly QosClass[] = ['C', 'S', 'I', 'B'];

/** Where a new flow would go at its class, or else at the best class below it that fits; null when nowhere. */
export function placeAtBestClass(
  inst: TfapInstance,
  cur: CurrentAssignment,
  flow: FlowSpec,
  degradedRank?: (interfaceId: string) => number,
): { interfaceId: string; bearerId: string; qos: QosClass } | null {
  for (const q of CLASSES_DOWN.filter((c) => QOS_RANK[c] <= QOS_RANK[flow.qos])) {
    const p = placeNewFlow(inst, cur, { ...flow, qos: q }, q === flow.qos ? undefined : degradedRank);
    if (p.ok) return { interfaceId: p.interfaceId, bearerId: p.bearerId, qos: q };
  }
  return null;
}

/**
 * Flows no bearer can carry at their class, placed at the best class below
 * it that fits (a call on the modem with the least delay on offer beats the
 * default route, which knows nothing). Returns the flows so placed.
 */
function placeDegraded(
  inst: TfapInstance,
  cur: CurrentAssignment,
  ids: readonly string[],
  before: CurrentAssignment,
  decisions: PolicyDecision[],
  rank: ((interfaceId: string) => number) | undefined,
): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const f = inst.flows.find((x) => x.id === id);
    if (!f) continue;
    for (const q of CLASSES_DOWN.filter((c) => QOS_RANK[c] < QOS_RANK[f.qos])) {
      const p = placeNewFlow(inst, cur, { ...f, qos: q }, rank);
      if (!p.ok) continue;
      cur.assignment[f.id] = p.interfaceId;
      if (p.activates) cur.activation[p.interfaceId] = p.bearerId;
      const from = before.assignment[f.id] ?? null;
      out.push(f.id);
      if (from === p.interfaceId) break;
      decisions.push({
        kind: from === null ? 'place' : 'move',
        flow: f.id,
        from,
        to: p.interfaceId,
        reason: `no modem meets class ${f.qos} now: the best on offer is ${q}${priceText(inst, p.interfaceId, p.bearerId)}`,
      });
      break;
    }
  }
  return out;
}

/**
 * Pinned flows (established NATed connections) are facts, not choices: they
 * stay on their interface whatever it costs, even past the capacity the
 * estimate gives it (the estimate may be low; the traffic is real). So the
 * policy decides only the movable flows, on an instance where each pinned
 * interface offers what its pinned flows leave, its base power already
 * spent, and P_max is what the pinned load leaves. A flow pinned to an
 * interface that is not offered at all is left out of the decision.
 */
export function splitPinned(inst: TfapInstance, cur: CurrentAssignment): { reduced: TfapInstance; fixed: CurrentAssignment } {
  const byId = new Map(inst.interfaces.map((r) => [r.id, r]));
  const fixed: CurrentAssignment = { activation: {}, assignment: {} };
  const use = new Map<string, { up: number; down: number; w: number }>();
  const movable: FlowSpec[] = [];
  let ignored = false;
  for (const f of inst.flows) {
    const r = f.pinned !== undefined ? byId.get(f.pinned) : undefined;
    if (f.pinned !== undefined && (!r || r.bearers.length === 0)) {
      // Pinned to an interface not on offer (up, but left out for new traffic): it stays there, outside the decision.
      ignored = true;
      continue;
    }
    if (!r) {
      movable.push(f);
      continue;
    }
    const bearer = r.bearers.find((b) => b.id === cur.activation[r.id]) ?? r.bearers[0]!;
    fixed.assignment[f.id] = r.id;
    fixed.activation[r.id] = bearer.id;
    const u = use.get(r.id) ?? { up: 0, down: 0, w: bearer.baseW };
    u.up += f.upKbps;
    u.down += f.downKbps;
    u.w += bearer.txWPerKbps * f.upKbps + bearer.rxWPerKbps * f.downKbps;
    use.set(r.id, u);
  }
  if (use.size === 0 && !ignored) return { reduced: inst, fixed };
  let spentW = 0;
  const interfaces = inst.interfaces.map((r) => {
    const u = use.get(r.id);
    if (!u) return r;
    spentW += u.w;
    const b = r.bearers.find((x) => x.id === fixed.activation[r.id])!;
    return { id: r.id, bearers: [{ ...b, upKbps: Math.max(0, b.upKbps - u.up), downKbps: Math.max(0, b.downKbps - u.down), baseW: 0 }] };
  });
  const powerLimitW = inst.powerLimitW === null ? null : Math.max(0, inst.powerLimitW - spentW);
  return { reduced: { powerLimitW, interfaces, flows: movable }, fixed };
}

/**
 * The best class at or below the flow's own that some bearer on offer can
 * give it alone (capacity and class; null: none at all).
 */
export function bestClassOnOffer(inst: TfapInstance, flow: FlowSpec): QosClass | null {
  for (const q of CLASSES_DOWN.filter((c) => QOS_RANK[c] <= QOS_RANK[flow.qos])) {
    for (const r of inst.interfaces) {
      if (flow.pinned !== undefined && flow.pinned !== r.id) continue;
      if (r.bearers.some((b) => meetsQos(b.qos, q) && flow.upKbps <= b.upKbps && flow.downKbps <= b.downKbps)) return q;
    }
  }
  return null;
}

/**
 * A flow that no bearer on offer can carry at its class (a call while every
 * network's delay is too long) is decided at the best class on offer: it
 * would be placed there anyway (placeDegraded), and keeping its own class in
 * the instance would make every full solve fail, freezing the placement of
 * every other flow until the offer recovers. When the offer recovers, the
 * flow's class rises again and its place is no longer valid: a full solve
 * puts it back at its class. A flow that fits no bearer at any class is
 * returned apart (`hopeless`).
 */
export function relaxToOffer(inst: TfapInstance): { relaxed: TfapInstance; lowered: Map<string, { from: QosClass; to: QosClass }>; hopeless: FlowSpec[] } {
  const lowered = new Map<string, { from: QosClass; to: QosClass }>();
  const hopeless: FlowSpec[] = [];
  const flows: FlowSpec[] = [];
  for (const f of inst.flows) {
    const q = bestClassOnOffer(inst, f);
    if (q === null) hopeless.push(f);
    else if (q !== f.qos) {
      lowered.set(f.id, { from: f.qos, to: q });
      flows.push({ ...f, qos: q });
    } else flows.push(f);
  }
  if (lowered.size === 0 && hopeless.length === 0) return { relaxed: inst, lowered, hopeless };
  return { relaxed: { ...inst, flows }, lowered, hopeless };
}

/** Flows carried on a bearer below their class. */
function belowClass(inst: TfapInstance, a: CurrentAssignment): string[] {
  const out: string[] = [];
  for (const f of inst.flows) {
    const ifId = a.assignment[f.id];
    const b = ifId === undefined ? undefined : inst.interfaces.find((r) => r.id === ifId)?.bearers.find((x) => x.id === a.activation[ifId]);
    if (b && !meetsQos(b.qos, f.qos)) out.push(f.id);
  }
  return out;
}

/** One decision step; see the file comment. Pure: the solver comes in as an argument. */
export function decide(input: PolicyInput): PolicyOutput {
  const inst = input.instance;
  const first = splitPinned(inst, input.current);
  const { relaxed, lowered, hopeless } = relaxToOffer(first.reduced);
  // A flow that fits no bearer even alone stays where it runs, as a fact (the estimate may be low;
  // the traffic is real), like a pinned one; with no place yet it stays unplaced.
  const keep = hopeless.filter((f) => {
    const on = input.current.assignment[f.id];
    return on !== undefined && relaxed.interfaces.some((r) => r.id === on && r.bearers.length > 0);
  });
  const second =
    keep.length === 0
      ? { reduced: relaxed, fixed: { activation: {}, assignment: {} } as CurrentAssignment }
      : splitPinned({ ...relaxed, flows: [...relaxed.flows, ...keep.map((f) => ({ ...f, pinned: input.current.assignment[f.id]! }))] }, input.current);
  const fixed: CurrentAssignment = {
    activation: { ...first.fixed.activation, ...second.fixed.activation },
    assignment: { ...first.fixed.assignment, ...second.fixed.assignment },
  };
  const movableCurrent: CurrentAssignment = { activation: { ...input.current.activation }, assignment: {} };
  for (const [f, i] of Object.entries(input.current.assignment)) if (fixed.assignment[f] === undefined) movableCurrent.assignment[f] = i;
  const out = decideMovable({ ...input, instance: second.reduced, current: movableCurrent }, new Set(lowered.keys()));
  const assignment: CurrentAssignment = {
    activation: { ...out.assignment.activation, ...fixed.activation },
    assignment: { ...out.assignment.assignment, ...fixed.assignment },
  };
  const decisions = out.decisions.map((d) => {
    const l = lowered.get(d.flow);
    if (!l || d.to === null) return d;
    return { ...d, reason: `no modem meets class ${l.from} now: the best on offer is ${l.to}${priceText(inst, d.to, assignment.activation[d.to]!)}` };
  });
  for (const [f, to] of Object.entries(fixed.assignment)) {
    const from = input.current.assignment[f] ?? null;
    if (from === to) continue;
    decisions.push({ kind: from === null ? 'place' : 'move', flow: f, from, to, reason: 'established NATed connection: it stays on the modem it started on' });
  }
  const unplaced = [...out.unplaced, ...hopeless.filter((f) => !keep.includes(f)).map((f) => f.id)];
  for (const id of unplaced) {
    if (input.current.assignment[id] === undefined || decisions.some((d) => d.flow === id)) continue;
    decisions.push({ kind: 'unplace', flow: id, from: input.current.assignment[id]!, to: null, reason: 'no modem can carry it now, at any class; it follows the default route' });
  }
  const degraded = belowClass(inst, assignment);
  const status = degraded.length > 0 && unplaced.length === 0 ? 'infeasible' : statusOf(inst, assignment, unplaced);
  return { ...out, assignment, decisions, unplaced, degraded, status, ...summary(inst, assignment) };
}
