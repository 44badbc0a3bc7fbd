import type { Exclusion } from '../model/flow-group.js';
import type { ModemView } from '../model/modem.js';
import type { InterfaceSpec } from '../model/tfap.js';
import { activate, chooseSleep } from './activation.js';
import type { ActivationContext } from './activation.js';
import { planCarrierDiversity } from './carrier-diversity.js';
import { classifyModem, copyMemory, freshMemory, leastBad } from './classify.js';
import type { ModemSituation } from './classify.js';
import { derateSharedCells } from './shared-cells.js';
import { settleTransition } from './transitions.js';
import type {
  CoordinationAction,
  CoordinationInput,
  CoordinationOutput,
  CoordinationState,
  ModemMemory,
  Recommendation,
  Transition,
} from './types.js';

/**
 * One coordination step: from the metrics' candidates, the modems' views and
 * the previous state to what the solver is offered, why the rest is not,
 * what to recommend and which single wake/sleep/switch to carry out.
 * Pure: the caller passes `state` back next time.
 */
export function coordinate(input: CoordinationInput, previous: CoordinationState): CoordinationOutput {
  const { nowMs, settings } = input;
  const viewByName = new Map<string, ModemView>(input.views.map((v) => [v.name, v]));
  const specById = new Map<string, InterfaceSpec>(input.candidates.interfaces.map((i) => [i.id, i]));
  // The solver's interface id is the netifd interface; accept the modem name too, as src/metrics may key by it.
  const specOf = (modem: string, iface: string): InterfaceSpec | null => specById.get(iface) ?? specById.get(modem) ?? null;
  const recommendations: Recommendation[] = [];

  const memories: Record<string, ModemMemory> = {};
  for (const c of input.configs) {
    const prev = previous.modems[c.name];
    memories[c.name] = prev ? copyMemory(prev) : freshMemory(viewByName.get(c.name) ?? null, nowMs);
  }

  // 1. The change in flight: done, failed or still running.
  let transition: Transition | null = previous.transition;
  if (transition) {
    const t = transition;
    const cfg = input.configs.find((c) => c.name === t.modem);
    const view = viewByName.get(t.modem) ?? null;
    const settled = settleTransition(t, view, memories[t.modem] ?? null, nowMs, settings);
    transition = cfg ? settled.transition : null;
    recommendations.push(...settled.recommendations);
  }

  // 2. Where each modem stands.
  const situations: ModemSituation[] = input.configs.map((c) => {
    const view = viewByName.get(c.name) ?? null;
    const iface = view?.link.interface ?? c.interface;
    const provider = input.candidates.excluded.filter((e) => e.modem === c.name || e.modem === iface);
    return classifyModem(c, view, specOf(c.name, iface), provider, memories[c.name]!, transition, nowMs, settings);
  });

  // 3. All bad: keep the least bad one that is up, and say so.
  if (!situations.some((s) => s.status === 'usable')) {
    const kept = leastBad(situations.filter((s) => s.status === 'soft-out'));
    if (kept) {
      recommendations.push({
        kind: 'keep-least-bad',
        modem: kept.name,
        message: `every modem fails its limits; keeping ${kept.name}, the least bad (${kept.violations.map((v) => v.reason).join('; ')})`,
        acted: true,
      });
      kept.status = 'usable';
      kept.exclusions = [];
    }
  }

  // 4. Tiers: backup only when no primary is up and usable (one asleep is woken first,
  //    the backup carries meanwhile); overflow is ordered after the primaries.
  const ready = (s: ModemSituation) => s.status === 'usable' || s.status === 'asleep';
  const primaryWorks = situations.some((s) => s.config.tier === 'primary' && s.status === 'usable');
  const eligible: ModemSituation[] = [];
  const tierOut: ModemSituation[] = [];
  for (const s of situations) {
    if (!ready(s)) continue;
    if (s.config.tier === 'backup' && primaryWorks) tierOut.push(s);
    else eligible.push(s);
  }

  // 5. Demand-driven activation.
  const ctx: ActivationContext = { nowMs, demand: input.demand, settings, powerLimitW: input.powerLimitW, transition };
  const act = activate(eligible, ctx);
  recommendations.push(...act.recommendations);
  const actions: CoordinationAction[] = [...act.actions];
  const standby = [...eligible, ...tierOut].filter((s) => s.status === 'usable' && !act.active.includes(s));
  const sleep = chooseSleep(standby, act.active, ctx, actions.length);
  if (sleep) actions.push(sleep);

  // 6. Carrier diversity among the modems that are up.
  const up = situations.filter((s) => s.awake && (s.status === 'usable' || s.status === 'soft-out'));
  const diversity = planCarrierDiversity(up, input.carrierOptions, {
    nowMs,
    switchCooldownMs: settings.switchCooldownMs,
    busy: transition !== null || actions.length > 0,
    active: act.active,
    base: act.base,
  });
  recommendations.push(...diversity.recommendations);
  let active = act.active;
  if (diversity.action) {
    actions.push(diversity.action);
    // The switching modem leaves the set now: its connections are about to break anyway.
    active = active.filter((s) => s.name !== diversity.action!.modem);
  }

  // 7. Memory of this step, and the one action becomes the transition in flight.
  const chosen = actions[0] ?? null;
  for (const s of situations) {
    const isActive = active.includes(s) || (chosen?.kind === 'wake' && chosen.modem === s.name);
    if (isActive !== s.memory.active) {
      s.memory.active = isActive;
      s.memory.activeChangedMs = nowMs;
    }
  }
  if (chosen) {
    const s = situations.find((x) => x.name === chosen.modem)!;
    if (chosen.kind === 'sleep') s.memory.sleptByUs = true;
    if (chosen.kind === 'switch') s.memory.lastSwitchMs = nowMs;
    transition = {
      kind: chosen.kind,
      modem: chosen.modem,
      interface: chosen.interface,
      startedMs: nowMs,
      targetPlmn: chosen.target ? `${chosen.target.mcc}${chosen.target.mnc}` : null,
    };
  }

  // 8. What the solver gets, and why the rest is not offered.
  const offered = active.filter((s) => s.spec !== null && s.view !== null && s.awake);
  const derated = derateSharedCells(
    offered.map((s) => ({ modem: s.name, view: s.view!, spec: s.spec! })),
    settings.assumedCellUsers,
  );
  const excluded: Exclusion[] = [...input.candidates.excluded];
  const known = new Set(excluded.map((e) => `${e.modem}|${e.code}`));
  const add = (e: Exclusion) => {
    if (known.has(`${e.modem}|${e.code}`)) return;
    known.add(`${e.modem}|${e.code}`);
    excluded.push(e);
  };
  for (const s of situations) {
    const waking = chosen?.kind === 'wake' && chosen.modem === s.name;
    for (const e of s.exclusions) add(waking && e.code === 'asleep' ? { ...e, reason: `being woken: ${chosen.reason}` } : e);
    if (s.status !== 'usable' || offered.includes(s)) continue;
    if (tierOut.includes(s)) add({ modem: s.name, bearerId: null, code: 'tier', reason: 'backup: a primary modem works' });
    else if (chosen?.modem === s.name && chosen.kind === 'switch') add({ modem: s.name, bearerId: null, code: 'transition', reason: 'switching operator' });
    else add({ modem: s.name, bearerId: null, code: 'standby', reason: act.shed.get(s.name) ?? 'up but not needed for the current demand' });
  }

  if (offered.length === 0) {
    const waiting = transition ? `; waiting for the ${transition.kind} of ${transition.modem}` : '';
    recommendations.push({ kind: 'no-usable-modem', modem: null, message: `no modem can carry traffic${waiting}`, acted: false });
  }

  const state: CoordinationState = { modems: memories, transition };
  return { interfaces: derated.interfaces, excluded, deratings: derated.deratings, recommendations, actions: chosen ? [chosen] : [], state };
}

