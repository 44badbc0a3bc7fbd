import type { ModemSituation } from './classify.js';
import { plmnOf } from './transitions.js';
import type { CarrierOption, CoordinationAction, Recommendation } from './types.js';

/**
 * Carrier diversity (patent 000, line 576): when one modem has picked a
 * network, another should pick a different one so both networks' capacity
 * adds up. When two up modems sit on the same operator and one of them could
 * use another (second SIM slot, roaming profile), recommend the move; it
 * becomes an action only when that modem's config allows SIM switching and
 * the safety rules hold (nothing else in flight, another usable modem stays
 * active, not switched within `switchCooldownMs`).
 */

export interface DiversityContext {
  nowMs: number;
  switchCooldownMs: number;
  /** A transition is in flight or another action was chosen this step. */
  busy: boolean;
  /** The modems offered to the solver this step. */
  active: ModemSituation[];
  /** The cheapest modem: switched last, since it carries the traffic. */
  base: ModemSituation | null;
}

export interface DiversityResult {
  recommendations: Recommendation[];
  action: CoordinationAction | null;
}

function describe(o: CarrierOption): string {
  const via = o.simSlot !== null ? `SIM slot ${o.simSlot}` : o.profile !== null ? `profile ${o.profile}` : 'another profile';
  return `${o.operatorName ?? `${o.mcc}${o.mnc}`} (${o.mcc}${o.mnc}) via ${via}`;
}

export function planCarrierDiversity(
  up: ModemSituation[],
  options: CarrierOption[],
  ctx: DiversityContext,
): DiversityResult {
  const byPlmn = new Map<string, ModemSituation[]>();
  for (const s of up) {
    const p = plmnOf(s.view);
    if (p !== null) byPlmn.set(p, [...(byPlmn.get(p) ?? []), s]);
  }
  const usedPlmns = new Set(byPlmn.keys());
  const recommendations: Recommendation[] = [];
  let action: CoordinationAction | null = null;

  for (const [plmn, members] of [...byPlmn.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (members.length < 2) continue;
    // Prefer moving a modem that is not the base, and the most expensive (last in use order) among them.
    const candidates = [...members].sort((a, b) => {
      const baseA = a === ctx.base ? 1 : 0;
      const baseB = b === ctx.base ? 1 : 0;
      return baseA - baseB || ctx.active.indexOf(b) - ctx.active.indexOf(a) || a.name.localeCompare(b.name);
    });
    for (const s of candidates) {
      const alternatives = options
        .filter((o) => o.modem === s.name && `${o.mcc}${o.mnc}` !== plmn)
        // An operator no other modem uses first, then by PLMN for a stable choice.
        .sort((a, b) => Number(usedPlmns.has(`${a.mcc}${a.mnc}`)) - Number(usedPlmns.has(`${b.mcc}${b.mnc}`)) || `${a.mcc}${a.mnc}`.localeCompare(`${b.mcc}${b.mnc}`));
      const target = alternatives[0];
      if (!target) continue;
      const others = members.filter((m) => m !== s).map((m) => m.name).join(', ');
      const blocker = whyNot(s, ctx);
      const acted = blocker === null && action === null;
      recommendations.push({
        kind: 'carrier-diversity',
        modem: s.name,
        message:
          `${s.name} and ${others} are all on ${plmn}; ${s.name} could use ${describe(target)}` +
          (acted ? '' : ` (not switching: ${blocker ?? 'one switch at a time'})`),
        acted,
      });
      if (acted) action = { kind: 'switch', modem: s.name, interface: s.iface, reason: `carrier diversity: leave ${plmn} shared with ${others}`, target };
      break;
    }
  }
  return { recommendations, action };
}

function whyNot(s: ModemSituation, ctx: DiversityContext): string | null {
  if (!s.config.allowSimSwitch) return 'allow_sim_switch is off';
  if (ctx.busy) return 'another modem change is in progress';
  if (s.memory.lastSwitchMs !== null && ctx.nowMs - s.memory.lastSwitchMs < ctx.switchCooldownMs) {
    return `switched ${Math.round((ctx.nowMs - s.memory.lastSwitchMs) / 1000)} s ago`;
  }
  if (s.memory.backoffUntilMs !== null && ctx.nowMs < s.memory.backoffUntilMs) return 'backing off after a failed change';
  if (!ctx.active.some((a) => a !== s && a.status === 'usable')) return 'it is the only usable modem';
  return null;
}
