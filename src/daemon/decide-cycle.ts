import { decide, placeAtBestClass } from '../assignment/dynamic-policy.js';
import type { PolicyOutput } from '../assignment/dynamic-policy.js';
import type { CurrentAssignment } from '../assignment/policy.js';
import { coordinate } from '../coordination/coordinate.js';
import { elasticDemand, planSpread, spreadGroupIds } from '../coordination/elastic-spread.js';
import type { SpreadOutput, SpreadState } from '../coordination/elastic-spread.js';
import type { CoordinationOutput, CoordinationSettings, CoordinationState, DemandSummary } from '../coordination/types.js';
import { toSolverFlows } from '../flows/solver-flows.js';
import { buildBearers } from '../metrics/bearers.js';
import { powerCoefficients } from '../metrics/power-model.js';
import type { ModemDecisionState } from '../model/api.js';
import type { ClassRule, ModemConfig } from '../model/config.js';
import type { Exclusion, FlowGroup } from '../model/flow-group.js';
import { CARRYING_KBPS } from '../model/modem.js';
import type { ModemView } from '../model/modem.js';
import { QOS_RANK } from '../model/qos.js';
import type { InterfaceSpec, TfapAnswer, TfapInstance } from '../model/tfap.js';

/**
 * One decision cycle of modemflowd, pure: from what the daemon knows (modem
 * views, flow groups, configuration, P_max, the previous state) to what it
 * should do (the assignment, class targets for new hosts, modem states, the
 * one wake/sleep action). The daemon carries the result out; tests and the
 * evaluation's simulator call this directly.
 */

export interface CycleInput {
  nowMs: number;
  configs: ModemConfig[];
  views: ModemView[];
  groups: readonly FlowGroup[];
  /** The full class list, in order. */
  classes: readonly ClassRule[];
  /** modem name -> routing slot. */
  slots: ReadonlyMap<string, number>;
  powerLimitW: number | null;
  coordination: CoordinationState;
  settings: CoordinationSettings;
  current: CurrentAssignment;
  forceFull: string | null;
  hysteresis: number;
  solve: (inst: TfapInstance) => TfapAnswer;
  utcOffsetMin: number;
  /** Elastic groups spread over several modems (elastic-spread.ts), from the previous cycle. */
  spread: SpreadState;
  spreadEnabled: boolean;
}

export interface ModemDecision {
  name: string;
  state: ModemDecisionState;
  /** Fit to carry traffic in routing terms (standby and tier-out stay routable). */
  routable: boolean;
  reason: string | null;
  exclusions: Exclusion[];
}

export interface CycleResult {
  coordination: CoordinationOutput;
  instance: TfapInstance;
  policy: PolicyOutput;
  /** class name -> modem, for new hosts of the class. */
  classTargets: Map<string, string>;
  /** Where traffic no placement names goes: the cheapest offered modem (null: main table). */
  defaultModem: string | null;
  modems: ModemDecision[];
  demand: DemandSummary;
  spread: SpreadOutput;
}

/** Exclusion codes that keep a modem routable: it is fine, just not offered now. */
const BENIGN = new Set(['standby', 'tier']);
/**
 * Exclusions that mean the modem is gone for its connections: they are
 * flushed and start again elsewhere. Anything else (a threshold such as
 * loss or RTT, often the modem's own load) only stops new connections:
 * established ones stay while the link carries them (DESIGN decision 1).
 */
const GONE = new Set(['down', 'dead-path', 'quota', 'disabled', 'asleep', 'transition']);

export function demandOf(groups: readonly FlowGroup[]): DemandSummary {
  let upKbps = 0;
  let downKbps = 0;
  let strictest: DemandSummary['strictestQos'] = null;
  for (const g of groups) {
    upKbps += g.upKbps;
    downKbps += g.downKbps;
    if (strictest === null || QOS_RANK[g.qos] > QOS_RANK[strictest]) strictest = g.qos;
  }
  return { upKbps, downKbps, strictestQos: strictest };
}

export function runCycle(input: CycleInput): CycleResult {
  const candidates = buildBearers(input.views, input.configs, input.nowMs, { utcOffsetMin: input.utcOffsetMin });
  const demand = demandOf(input.groups);
  const coordination = coordinate(
    {
      nowMs: input.nowMs,
      views: input.views,
      configs: input.configs,
      candidates,
      demand,
      powerLimitW: input.powerLimitW,
      carrierOptions: [],
      settings: input.settings,
    },
    input.coordination,
  );
  const offered = new Set(coordination.interfaces.map((i) => i.id));
  const modems = input.configs.map((c) => modemDecision(c, input.views.find((v) => v.name === c.name) ?? null, coordination, offered));
  // Pins hold while the modem still carries its connections (routable): only a group on a gone modem is
  // free to move (DESIGN decision 1). A pin to a routable modem that is not offered is a fact the policy leaves alone.
  const routable = new Set(modems.filter((m) => m.routable).map((m) => m.name));
  const slotToInterface = new Map<number, string>();
  for (const [name, slot] of input.slots) if (routable.has(name)) slotToInterface.set(slot, name);
  // A spread group is placed by its shares: to the solver its rate (several modems' worth) fits nowhere.
  const spreading = spreadGroupIds(input.spread, input.groups, input.spreadEnabled);
  const nameOfSlot = new Map([...input.slots].map(([name, slot]) => [slot, name]));
  const classes = new Map(input.classes.map((c) => [c.name, c]));
  const solverGroups = elasticDemand(
    input.groups.filter((g) => !spreading.has(g.id)),
    input.views,
    (g) => input.current.assignment[g.id] ?? (g.currentSlot === null ? null : (nameOfSlot.get(g.currentSlot) ?? null)),
    (name) => classes.get(name) ?? null,
  );
  const instance: TfapInstance = {
    powerLimitW: input.powerLimitW,
    interfaces: coordination.interfaces,
    flows: toSolverFlows(solverGroups, slotToInterface),
  };
  // Below its class, a flow takes the modem whose path serves it best now (a loaded cheap link's queue and
  // loss are what cost a call or a stream), then the cheapest.
  const badness = new Map(input.views.map((v) => [v.name, pathBadness(v)]));
  const degradedRank = (id: string): number => badness.get(id) ?? Infinity;
  const decided = decide({ instance, current: input.current, forceFull: input.forceFull, hysteresis: input.hysteresis, solve: input.solve, degradedRank });
  const spread = planSpread({
    nowMs: input.nowMs,
    instance,
    activation: decided.assignment.activation,
    assignment: decided.assignment.assignment,
    powerW: decided.powerW,
    groups: input.groups,
    previous: input.spread,
    enabled: input.spreadEnabled,
  });
  // What the router draws: the assignment's modems, the load of the spreads, and the idle power of
  // every other modem that is up (standby, or draining before it may sleep) — the model counts only the active.
  const drawing = new Set([...Object.keys(decided.assignment.activation), ...[...spread.shares.values()].flatMap((l) => l.map((x) => x.modem))]);
  const extraW = spread.extraW + idleUpW(input.configs, input.views, drawing);
  const policy: PolicyOutput = extraW > 0 ? { ...decided, powerW: decided.powerW + extraW } : decided;

  // New hosts of each class: where a flow with the class' assumed demand would go now (at the best
  // class on offer when no modem meets the class: a call's first packets then take the least-delay modem).
  // A standby modem that meets the class beats an active one below it: it is up and routable, and the next
  // cycle's activation offers it for the class (otherwise a call started while only a lossy modem was active
  // would stay on it until its connection earned its own group).
  const standby = candidates.interfaces.filter((r) => modems.some((m) => m.name === r.id && m.state === 'standby'));
  const classTargets = new Map<string, string>();
  for (const c of input.classes) {
    const p = placeAtBestClass(instance, policy.assignment, { id: `class:${c.name}`, upKbps: c.upKbps, downKbps: c.downKbps, qos: c.qos }, degradedRank);
    const better = p === null || QOS_RANK[p.qos] < QOS_RANK[c.qos] ? cheapestMeeting(standby, c) : null;
    const target = better ?? p?.interfaceId ?? null;
    if (target !== null) classTargets.set(c.name, target);
  }
  const fallback = input.classes[input.classes.length - 1];
  let defaultModem = fallback ? (classTargets.get(fallback.name) ?? null) : null;
  if (defaultModem === null) defaultModem = cheapestOffered(instance);

  return { coordination, instance, policy, classTargets, defaultModem, modems, demand, spread };
}

/**
 * How badly a modem's path serves a delay-sensitive flow now, lower better: RTT x sqrt(loss), as TCP's
 * rate bound goes with 1/(RTT sqrt(p)) (Mathis et al., CCR 1997); loss below 0.01 % is below what the
 * probes resolve. Infinity for a path that is dead or has no answer yet.
 */
export function pathBadness(view: ModemView): number {
  const p = view.path;
  if (!p?.alive || p.short.rttMs === null) return Infinity;
  const lossPct = (p.long.samples >= 20 ? p.long.lossPct : p.short.lossPct) ?? 0;
  return p.short.rttMs * Math.sqrt(Math.max(lossPct / 100, 1e-4));
}

/** Base power of the enabled modems whose link is up but which are not among those counted already. */
export function idleUpW(configs: readonly ModemConfig[], views: readonly ModemView[], counted: ReadonlySet<string>): number {
  let w = 0;
  for (const cfg of configs) {
    if (!cfg.enabled || counted.has(cfg.name)) continue;
    const view = views.find((v) => v.name === cfg.name);
    if (view?.link.up) w += powerCoefficients(cfg, view.radio?.rat ?? null).baseW;
  }
  return w;
}

/** The modem among `interfaces` whose bearer meets the class with room for its assumed rate, cheapest first. */
export function cheapestMeeting(interfaces: readonly InterfaceSpec[], c: Pick<ClassRule, 'qos' | 'upKbps' | 'downKbps'>): string | null {
  let best: { id: string; cost: number } | null = null;
  for (const r of interfaces) {
    for (const b of r.bearers) {
      if (QOS_RANK[b.qos] < QOS_RANK[c.qos] || b.downKbps < c.downKbps || b.upKbps < c.upKbps) continue;
      if (!best || b.costPerKbit < best.cost) best = { id: r.id, cost: b.costPerKbit };
    }
  }
  return best?.id ?? null;
}

/** The offered modem with the cheapest bearer (null when none is offered). */
export function cheapestOffered(inst: TfapInstance): string | null {
  return cheapestMeeting(inst.interfaces, { qos: 'B', upKbps: 0, downKbps: 0 });
}

function modemDecision(cfg: ModemConfig, view: ModemView | null, coord: CoordinationOutput, offered: Set<string>): ModemDecision {
  const exclusions = coord.excluded.filter((e) => e.modem === cfg.name);
  const t = coord.state.transition;
  const reason = exclusions.map((e) => e.reason).join('; ') || null;
  const mk = (state: ModemDecisionState, routable: boolean, why: string | null = reason): ModemDecision => ({ name: cfg.name, state, routable, reason: why, exclusions });
  if (!cfg.enabled) return mk('disabled', false, 'disabled in the configuration');
  if (t && t.modem === cfg.name) return mk(t.kind === 'sleep' ? 'sleeping' : 'waking', t.kind !== 'sleep' && offered.has(cfg.name), `${t.kind} in progress`);
  if (offered.has(cfg.name)) return mk('active', true, null);
  if (exclusions.some((e) => e.code === 'asleep')) return mk('asleep', false);
  // netifd saying down is news even when a radio provider also fails.
  if (view && !view.link.up && view.link.sinceMs !== null) return mk('down', false);
  // A slow radio provider must not cost the connections of a link that works: routable while up.
  if (!view || view.health !== 'ok') return mk('unknown', view?.link.up ?? false, view?.problem ?? reason ?? 'no metrics yet');
  if (!view.link.up) return mk('down', false);
  if (exclusions.length > 0 && exclusions.every((e) => BENIGN.has(e.code))) return mk('standby', true);
  // A dead path flushes connections only on evidence: probes answered once and stopped, and nothing arrives.
  // Probes lost on a link busy receiving are its own queue; a probe that has not answered yet (just started
  // after a link came back or a reload) has shown nothing.
  const carrying = (view.link.rxKbps ?? 0) >= CARRYING_KBPS;
  const provenDead = view.path !== null && view.path.lastReplyMs !== null && !carrying;
  return mk('excluded', !exclusions.some((e) => GONE.has(e.code) && (e.code !== 'dead-path' || provenDead)));
}
