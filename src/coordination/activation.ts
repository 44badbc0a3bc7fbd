import { CARRYING_KBPS } from '../model/modem.js';
import type { InterfaceSpec } from '../model/tfap.js';
import type { ModemSituation } from './classify.js';
import { bestBearer, compareRank, rankKey, TIER_ORDER } from './ranking.js';
import type { RankKey } from './ranking.js';
import { derateSharedCells } from './shared-cells.js';
import type { CoordinationAction, CoordinationSettings, DemandSummary, Recommendation, Transition } from './types.js';

/**
 * Demand-driven activation (patent 000, lines 546-548): with low demand only
 * the cheapest modem that meets the delay class carries traffic; more join,
 * in tier-then-cost order, while the active ones are loaded above
 * `wakeUtilization`, and leave (most expensive first) once the rest would be
 * loaded below `sleepUtilization` without them. The gap between the two is
 * the hysteresis; `minOnMs`/`minOffMs` bound how often a modem changes.
 *
 * Joining/leaving the active set (what the solver is offered) is instant
 * for a modem that is up; taking one down or bringing it back is an action,
 * and at most one action runs at a time.
 */

export interface ActivationContext {
  nowMs: number;
  demand: DemandSummary;
  settings: CoordinationSettings;
  /** W available to the modems; null = unbounded. */
  powerLimitW: number | null;
  /** In flight before this step; no new action while one runs. */
  transition: Transition | null;
}

export interface ActivationResult {
  /** Up and offered to the solver, in use order. */
  active: ModemSituation[];
  /** The cheapest modem meeting the delay class (may be asleep, then being woken). */
  base: ModemSituation | null;
  actions: CoordinationAction[];
  recommendations: Recommendation[];
  /** Up modems left out of the active set for P_max (modem -> why); they drain, then sleep. */
  shed: Map<string, string>;
}

interface Ranked {
  s: ModemSituation;
  key: RankKey;
}

function cellsAndSpecs(set: ModemSituation[]): Array<{ modem: string; view: NonNullable<ModemSituation['view']>; spec: InterfaceSpec }> {
  return set.filter((s) => s.view !== null && s.spec !== null).map((s) => ({ modem: s.name, view: s.view!, spec: s.spec! }));
}

/** Load of a set at the demand: the larger of up and down utilisation, with shared cells derated. */
export function utilization(set: ModemSituation[], demand: DemandSummary, assumedCellUsers: number): number {
  const { interfaces } = derateSharedCells(cellsAndSpecs(set), assumedCellUsers);
  let upKbps = 0;
  let downKbps = 0;
  for (const spec of interfaces) {
    const b = bestBearer(spec, demand.strictestQos);
    if (!b) continue;
    upKbps += b.upKbps;
    downKbps += b.downKbps;
  }
  const ratio = (need: number, cap: number) => (need <= 0 ? 0 : cap <= 0 ? Infinity : need / cap);
  return Math.max(ratio(demand.upKbps, upKbps), ratio(demand.downKbps, downKbps));
}

/**
 * Modelled W of a set carrying the demand, filled in set order up to each modem's capacity: an upper
 * estimate for P_max (the demand counts classes' assumed rates; the solver places the flows later).
 */
export function loadedW(set: ModemSituation[], demand: DemandSummary): number {
  let down = demand.downKbps;
  let up = demand.upKbps;
  let w = 0;
  for (const s of set) {
    const b = s.spec ? bestBearer(s.spec, demand.strictestQos) : null;
    if (!b) continue;
    const d = Math.min(down, b.downKbps);
    const u = Math.min(up, b.upKbps);
    down -= d;
    up -= u;
    w += b.baseW + d * b.rxWPerKbps + u * b.txWPerKbps;
  }
  return w;
}

function baseW(s: ModemSituation, demand: DemandSummary): number {
  return s.spec ? (bestBearer(s.spec, demand.strictestQos)?.baseW ?? 0) : 0;
}

/** Tier first (primary, overflow, backup), then price x energy per bit. */
export function useOrder(eligible: ModemSituation[], demand: DemandSummary): { order: ModemSituation[]; base: ModemSituation | null } {
  const ranked: Ranked[] = eligible
    .filter((s) => s.spec !== null)
    .map((s) => ({ s, key: rankKey(s.name, s.spec!, demand.strictestQos, demand.upKbps, demand.downKbps) }));
  ranked.sort((a, b) => TIER_ORDER[a.s.config.tier] - TIER_ORDER[b.s.config.tier] || compareRank(a.key, b.key));
  const base = ranked.find((r) => r.key.meetsQos) ?? ranked[0] ?? null;
  if (!base) return { order: [], base: null };
  return { order: [base.s, ...ranked.filter((r) => r !== base).map((r) => r.s)], base: base.s };
}

export function activate(eligible: ModemSituation[], ctx: ActivationContext): ActivationResult {
  const { nowMs, demand, settings: st } = ctx;
  const { order, base } = useOrder(eligible, demand);
  const actions: CoordinationAction[] = [];
  const recommendations: Recommendation[] = [];
  const isUp = (s: ModemSituation) => s.status === 'usable';
  const meets = (s: ModemSituation) => rankKey(s.name, s.spec!, demand.strictestQos, 0, 0).meetsQos;

  const active: ModemSituation[] = order.filter((s) => isUp(s) && s.memory.active);
  // P_max decisions rank by tier and price x energy alone: the delay class a loaded modem meets changes from
  // one cycle to the next, and the set kept under the limit must not change with it.
  const powerOrder = useOrder(eligible, { ...demand, strictestQos: null }).order;
  const byPower = (set: ModemSituation[]) => [...set].sort((a, b) => powerOrder.indexOf(a) - powerOrder.indexOf(b));
  const withinLimit = (set: ModemSituation[]) => ctx.powerLimitW === null || loadedW(byPower(set), demand) <= ctx.powerLimitW * (1 + 1e-9);
  const overText = (set: ModemSituation[]) => `${loadedW(byPower(set), demand).toFixed(2)} W carrying the demand against P_max ${ctx.powerLimitW} W`;
  // P_max bounds the set as it bounds waking (one modem always may carry): a modem shed for the
  // limit stays out while it would break it, whatever rule would want it back.
  const join = (s: ModemSituation) => {
    if (active.includes(s)) return;
    if (active.length > 0 && !withinLimit([...active, s])) return;
    active.push(s);
    active.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  };
  if (base && isUp(base)) join(base);
  if (active.length === 0) {
    const first = order.find(isUp);
    if (first) join(first);
  }
  if (demand.strictestQos !== null && !active.some(meets)) {
    const meeting = order.find((s) => isUp(s) && meets(s));
    if (meeting) join(meeting);
  }

  const tryWake = (s: ModemSituation, why: string): boolean => {
    if (ctx.transition !== null || actions.length > 0) return false;
    // With nothing up to carry traffic, minimum off time and back-off give way.
    const emergency = active.length === 0;
    if (!emergency && s.memory.backoffUntilMs !== null && nowMs < s.memory.backoffUntilMs) return false;
    if (!emergency && nowMs - s.memory.changedMs < st.minOffMs) return false;
    if (ctx.powerLimitW !== null) {
      const needW = [...active, s].reduce((a, m) => a + baseW(m, demand), 0);
      if (needW > ctx.powerLimitW) {
        recommendations.push({
          kind: 'power-limit',
          modem: s.name,
          message: `not waking ${s.name}: idle power of the active modems would be ${needW.toFixed(2)} W, above the ${ctx.powerLimitW.toFixed(2)} W limit`,
          acted: false,
        });
        return false;
      }
    }
    actions.push({ kind: 'wake', modem: s.name, interface: s.iface, reason: why });
    return true;
  };

  if (base && base.status === 'asleep') tryWake(base, 'cheapest modem that meets the delay class');

  const util = (set: ModemSituation[]) => utilization(set, demand, st.assumedCellUsers);
  const shed = new Map<string, string>();
  if (util(active) > st.wakeUtilization) {
    // In use order: modems already up join at once; the first one asleep is woken (if the
    // rules allow), and up ones further on still join meanwhile, to carry the load now.
    let wakeTried = actions.length > 0;
    for (const next of order) {
      if (util(active) <= st.wakeUtilization) break;
      if (active.includes(next) || next === base) continue;
      if (isUp(next)) {
        join(next);
      } else if (!wakeTried) {
        wakeTried = true;
        const pct = Math.round(util(active) * 100);
        tryWake(next, `demand at ${pct}% of the active modems' capacity (wake above ${Math.round(st.wakeUtilization * 100)}%)`);
      }
    }
  } else {
    for (let i = active.length - 1; i >= 0; i--) {
      const m = active[i]!;
      if (m === base || active.length === 1) break;
      const rest = active.filter((x) => x !== m);
      if (demand.strictestQos !== null && !rest.some(meets) && meets(m)) break;
      if (nowMs - m.memory.activeChangedMs < st.minOnMs) break;
      if (util(rest) >= st.sleepUtilization) break;
      active.splice(i, 1);
    }
  }
  // P_max lowered below what the active modems would draw: keep them in power order while they fit (the first
  // always), the rest leave the set at once (new connections go elsewhere); chooseSleep takes them down once
  // their pinned connections had time to drain.
  if (!withinLimit(active)) {
    const why = `over the power budget: the active modems would draw ${overText(active)}`;
    const kept: ModemSituation[] = [];
    for (const m of byPower(active)) {
      if (kept.length === 0 || withinLimit([...kept, m])) {
        kept.push(m);
        continue;
      }
      shed.set(m.name, why);
      recommendations.push({ kind: 'power-limit', modem: m.name, message: `${m.name} takes no new connections: ${why}`, acted: true });
    }
    active.splice(0, active.length, ...kept.sort((a, b) => order.indexOf(a) - order.indexOf(b)));
  }
  // Shed earlier and still kept out by the limit while the demand wants more: say so, not "not needed".
  if (ctx.powerLimitW !== null && util(active) > st.wakeUtilization) {
    for (const s of order) {
      if (!isUp(s) || active.includes(s) || shed.has(s.name) || withinLimit([...active, s])) continue;
      shed.set(s.name, `over the power budget: with it the active modems would draw ${overText([...active, s])}`);
    }
  }
  // A cheaper modem asleep while a dearer one carries (it joined while the cheaper
  // one could not wake yet): wake it, so the dearer one can leave by the rule above.
  if (actions.length === 0 && active.length > 0) {
    const last = active[active.length - 1]!;
    const cheaper = order.slice(0, order.indexOf(last)).find((s) => s.status === 'asleep');
    if (cheaper) tryWake(cheaper, `cheaper than ${last.name}, which carries now`);
  }
  return { active, base, actions, recommendations, shed };
}

/** Whether the link moves traffic now, either way (null: no rates yet). */
function carries(view: NonNullable<ModemSituation['view']>): boolean | null {
  const rx = view.link.rxNowKbps ?? view.link.rxKbps;
  if (rx === null) return null;
  return rx >= CARRYING_KBPS || (view.link.txKbps ?? 0) >= CARRYING_KBPS;
}

/**
 * Which up-but-unneeded modem to take down, if any: the most expensive one
 * that has been up, and out of the active set, for `minOnMs`; only when no
 * action runs and at least one other usable modem stays active.
 */
export function chooseSleep(
  standby: ModemSituation[],
  active: ModemSituation[],
  ctx: ActivationContext,
  actionsSoFar: number,
): CoordinationAction | null {
  if (ctx.transition !== null || actionsSoFar > 0) return null;
  if (!active.some((a) => a.status === 'usable')) return null;
  const { order } = useOrder(standby, ctx.demand);
  // Over the power budget (idle power alone, or carrying the demand), a modem out of the set costs the
  // budget now: it may go sooner.
  const awake = [...active, ...standby];
  const awakeBaseW = awake.reduce((w, s) => w + baseW(s, ctx.demand), 0);
  const awakeLoadedW = loadedW(awake, ctx.demand);
  const idleOver = ctx.powerLimitW !== null && awakeBaseW > ctx.powerLimitW;
  const overBudget = idleOver || (ctx.powerLimitW !== null && awakeLoadedW > ctx.powerLimitW);
  const idleFor = overBudget ? Math.min(ctx.settings.minOnMs, ctx.settings.powerSleepAfterMs) : ctx.settings.minOnMs;
  for (const s of [...order].reverse()) {
    // Still active last step: connections pinned to it (NAT) get minOnMs to drain first.
    if (active.includes(s) || s.memory.active) continue;
    const sinceMs = Math.max(s.memory.changedMs, s.memory.activeChangedMs);
    // Over the budget, a modem out of the set that carries nothing has nothing to drain: it goes now.
    const drained = overBudget && s.view !== null && carries(s.view) === false;
    if (!drained && ctx.nowMs - sinceMs < idleFor) continue;
    if (s.memory.backoffUntilMs !== null && ctx.nowMs < s.memory.backoffUntilMs) continue;
    const reason = idleOver
      ? `over the power budget: awake modems draw ${awakeBaseW.toFixed(2)} W idle against P_max ${ctx.powerLimitW} W, and this one carries nothing`
      : overBudget
        ? `over the power budget: awake modems would draw ${awakeLoadedW.toFixed(2)} W carrying the demand against P_max ${ctx.powerLimitW} W; out of the active set for ${Math.round(idleFor / 1000)} s`
        : 'nothing to carry: not needed for the current demand';
    return { kind: 'sleep', modem: s.name, interface: s.iface, reason };
  }
  return null;
}
