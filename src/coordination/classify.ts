import type { ModemConfig } from '../model/config.js';
import type { Exclusion } from '../model/flow-group.js';
import { CARRYING_KBPS } from '../model/modem.js';
import type { ModemView } from '../model/modem.js';
import type { InterfaceSpec } from '../model/tfap.js';
import { evaluateThresholds } from './thresholds.js';
import type { Violation } from './thresholds.js';
import type { CoordinationSettings, ModemMemory, Transition } from './types.js';

/**
 * Where each configured modem stands this step, before any activation
 * decision: usable, out on a threshold (soft: may be kept as the least bad),
 * asleep by our hand (wakeable), busy in a transition, or out for a reason
 * coordination cannot override (hard: down, quota, health, dead path, tier
 * never, disabled).
 */

export type ModemStatus = 'usable' | 'soft-out' | 'asleep' | 'in-transition' | 'out';

export interface ModemSituation {
  name: string;
  config: ModemConfig;
  view: ModemView | null;
  /** netifd interface = solver interface id. */
  iface: string;
  /** Current candidate spec when up; the last one seen when asleep. */
  spec: InterfaceSpec | null;
  status: ModemStatus;
  /** Link up (as far as the view says). */
  awake: boolean;
  violations: Violation[];
  /** Coordination's own reasons for status 'out' / 'asleep' / 'in-transition'. */
  exclusions: Exclusion[];
  memory: ModemMemory;
}

export function freshMemory(view: ModemView | null, nowMs: number): ModemMemory {
  const changedMs = view?.link.sinceMs ?? nowMs;
  return {
    changedMs,
    sleptByUs: false,
    active: false,
    activeChangedMs: changedMs,
    thresholdSinceMs: {},
    cleanSinceMs: null,
    backoffUntilMs: null,
    lastSwitchMs: null,
    lastSpec: null,
  };
}

export function copyMemory(m: ModemMemory): ModemMemory {
  return { ...m, thresholdSinceMs: { ...m.thresholdSinceMs } };
}

function excl(modem: string, code: string, reason: string): Exclusion {
  return { modem, bearerId: null, code, reason };
}

export function classifyModem(
  config: ModemConfig,
  view: ModemView | null,
  candidate: InterfaceSpec | null,
  providerExclusions: Exclusion[],
  memory: ModemMemory,
  transition: Transition | null,
  nowMs: number,
  settings: CoordinationSettings,
): ModemSituation {
  const name = config.name;
  const iface = view?.link.interface ?? config.interface;
  const awake = view?.link.up === true;
  if (candidate) memory.lastSpec = candidate;
  const base = { name, config, view, iface, awake, memory, violations: [] as Violation[] };
  const out = (code: string, reason: string): ModemSituation => ({
    ...base, spec: candidate, status: 'out', exclusions: [excl(name, code, reason)],
  });

  if (!config.enabled) return out('disabled', 'disabled in the configuration');
  if (config.tier === 'never') return out('tier', 'tier "never"');
  if (transition && transition.modem === name) {
    return {
      ...base, spec: candidate ?? memory.lastSpec, status: 'in-transition',
      exclusions: [excl(name, 'transition', `${transition.kind} in progress`)],
    };
  }
  // Provider exclusions other than 'down' (quota stop, health unknown, ...) are hard.
  const hard = providerExclusions.filter((e) => e.code !== 'down');
  if (!awake) {
    if (memory.sleptByUs && hard.length === 0) {
      return { ...base, spec: memory.lastSpec, status: 'asleep', exclusions: [excl(name, 'asleep', 'taken down by modemflow (not needed)')] };
    }
    // Reported by the provider already, or no view at all.
    return { ...base, spec: candidate, status: 'out', exclusions: providerExclusions.length > 0 ? [] : [excl(name, 'down', 'link down')] };
  }
  if (hard.length > 0) return { ...base, spec: candidate, status: 'out', exclusions: [] };
  // Probes that stop while the link receives are lost in its own queue (a download filling a slow
  // link): the link is busy, not dead. It stays on offer at the class its path now earns (B with no
  // answer), so a call leaves it but the download is not chased away. A blackout stops the traffic
  // too: within one counter interval the path counts as dead.
  const busy = view?.path?.lastReplyMs != null && (view.link.rxNowKbps ?? 0) >= CARRYING_KBPS;
  if (view?.path && !view.path.alive && !busy) {
    // A dead path leaves at once, whatever the hysteresis.
    const last = view.path.lastReplyMs === null ? 'never answered' : `no reply for ${Math.round((nowMs - view.path.lastReplyMs) / 1000)} s`;
    return out('dead-path', `probes dead: ${last}`);
  }
  if (!candidate) {
    return providerExclusions.length > 0
      ? { ...base, spec: null, status: 'out', exclusions: [] }
      : out('no-candidate', 'up but not offered by the metrics provider');
  }
  const verdict = evaluateThresholds(view!, config.thresholds, candidate, memory, nowMs, settings);
  memory.thresholdSinceMs = verdict.thresholdSinceMs;
  memory.cleanSinceMs = verdict.cleanSinceMs;
  if (verdict.violations.length > 0) {
    return {
      ...base, spec: candidate, status: 'soft-out', violations: verdict.violations,
      exclusions: verdict.violations.map((v) => excl(name, v.code, v.reason)),
    };
  }
  return { ...base, spec: candidate, status: 'usable', exclusions: [] };
}

/** Fewest violations, then the smallest total excess, then name. */
export function leastBad(softOut: ModemSituation[]): ModemSituation | null {
  const score = (s: ModemSituation) => s.violations.reduce((a, v) => a + v.excess, 0);
  const sorted = [...softOut].sort(
    (a, b) => a.violations.length - b.violations.length || score(a) - score(b) || a.name.localeCompare(b.name),
  );
  return sorted[0] ?? null;
}
