import type { FlowGroup } from '../model/flow-group.js';
import type { ModemView } from '../model/modem.js';
import type { TfapInstance } from '../model/tfap.js';

/**
 * Demand-driven use of extra modems for elastic traffic (patent 000, lines
 * 576-578), with OMMA's split weights (seed 003: lambda*_j; for a load that
 * takes whatever it is given, lambda*_j tends to what link j has free).
 *
 * A download's measured rate is what its link gives, so to the solver a
 * saturated bulk group always "fits" on the cheapest modem and never earns a
 * second one. Here a LAN host's background group that fills what its modem
 * has free is spread: its NEW connections go to the next cheapest modem as
 * well, by the weights of a leaky-bucket pattern (src/routing). Each step
 * waits a few seconds so the added modem's share shows in the rate before the
 * next one is added; a spread shrinks (most expensive modem first) when the
 * group would fit in fewer. Established connections stay where they are
 * (DESIGN decision 1): only where new ones go changes.
 *
 * Modems carrying a conversational group (a call) are left out: without a
 * queue discipline a bulk download fills the modem's queue and the call
 * loses its class. Streams (S) buffer seconds ahead and share. Pure: the state is returned, the caller keeps it.
 */

/** A spread grows while the group uses at least this share of what its modems have free. */
export const SATURATED = 0.8;
/** ... and shrinks when the group would use less than this share of one modem fewer. */
export const SHRINK_BELOW = 0.5;
/** Time for an added modem's connections to show in the group's rate before the next step. */
export const GROW_DWELL_MS = 4_000;
/** A spread holds this long before it shrinks (downloads come in bursts). */
export const SHRINK_HOLD_MS = 30_000;
/** How often the cycle should look again while a spread may change. */
export const REVIEW_MS = 4_000;
/** A modem with less than this share of its capacity free is not worth adding. */
const MIN_FREE_SHARE = 0.1;

export interface SpreadEntry {
  /** Modems the group's new connections go to, cheapest first; the first is its anchor. */
  modems: string[];
  changedMs: number;
}

export type SpreadState = Readonly<Record<string, SpreadEntry>>;

export interface ModemShare {
  modem: string;
  /** OMMA weight: what the modem has free for the group, kbit/s down. */
  weight: number;
}

export interface SpreadChange {
  group: string;
  modems: string[];
  why: string;
}

export interface SpreadInput {
  nowMs: number;
  /** The instance the policy decided on (spread groups left out: see spreadGroupIds). */
  instance: TfapInstance;
  activation: Readonly<Record<string, string>>;
  /** group id -> modem, the policy's answer. */
  assignment: Readonly<Record<string, string>>;
  /** The policy's modelled power, W. */
  powerW: number;
  groups: readonly FlowGroup[];
  previous: SpreadState;
  enabled: boolean;
}

export interface SpreadOutput {
  state: SpreadState;
  /** group id -> shares (two or more modems; one for a spread that just ended). */
  shares: Map<string, ModemShare[]>;
  changes: SpreadChange[];
  /** When the cycle should run again to let a spread grow or shrink (null: nothing pending). */
  reviewAtMs: number | null;
  /** Modelled power the spreads add to the policy's (modems only they use, and their load), W. */
  extraW: number;
}

/** Groups that may spread: a LAN host's measured background traffic. */
export function isElastic(g: FlowGroup): boolean {
  return g.key.kind === 'host-class' && g.qos === 'B' && g.measured && !g.pinnedByNat;
}

/** The groups the policy must leave out: spread groups are placed by their shares, not by the solver. */
export function spreadGroupIds(previous: SpreadState, groups: readonly FlowGroup[], enabled: boolean): Set<string> {
  const ids = new Set<string>();
  if (!enabled) return ids;
  for (const g of groups) if (previous[g.id] && isElastic(g)) ids.add(g.id);
  return ids;
}

/** Whether a modem receives close to all its estimated capacity. */
export function isSaturated(view: ModemView): boolean {
  const cap = view.capacity?.downKbps ?? 0;
  return cap > 0 && (view.link.rxKbps ?? 0) >= SATURATED * cap;
}

/**
 * The demand the solver should see for each group. An elastic group on a
 * full modem gets what is left there, not what it wants: its demand is then
 * at least its class' (what a transfer of the class is assumed to want), so
 * that a full solve does not pack several squeezed downloads onto the
 * cheapest modem because each of them measures little.
 */
export function elasticDemand(
  groups: readonly FlowGroup[],
  views: readonly ModemView[],
  modemOf: (g: FlowGroup) => string | null,
  classDemand: (className: string) => { upKbps: number; downKbps: number } | null,
): FlowGroup[] {
  const full = new Set(views.filter(isSaturated).map((v) => v.name));
  return groups.map((g) => {
    if (!isElastic(g)) return g;
    const on = modemOf(g);
    const want = classDemand(g.key.className);
    if (on === null || !full.has(on) || !want || (g.downKbps >= want.downKbps && g.upKbps >= want.upKbps)) return g;
    return { ...g, upKbps: Math.max(g.upKbps, want.upKbps), downKbps: Math.max(g.downKbps, want.downKbps) };
  });
}

interface ModemInfo {
  capDownKbps: number;
  costPerKbit: number;
  rxWPerKbps: number;
  txWPerKbps: number;
  baseW: number;
  active: boolean;
  /** Down load of the groups the policy put here. */
  loadKbps: number;
  realtime: boolean;
}

function modemInfo(input: SpreadInput): Map<string, ModemInfo> {
  const info = new Map<string, ModemInfo>();
  for (const r of input.instance.interfaces) {
    const b = r.bearers.find((x) => x.id === input.activation[r.id]) ?? r.bearers[0];
    if (!b) continue;
    info.set(r.id, {
      capDownKbps: b.downKbps,
      costPerKbit: b.costPerKbit,
      rxWPerKbps: b.rxWPerKbps,
      txWPerKbps: b.txWPerKbps,
      baseW: b.baseW,
      active: input.activation[r.id] !== undefined,
      loadKbps: 0,
      realtime: false,
    });
  }
  for (const g of input.groups) {
    const m = info.get(input.assignment[g.id] ?? '');
    if (!m) continue;
    m.loadKbps += g.downKbps;
    if (g.qos === 'C') m.realtime = true;
  }
  return info;
}

export function planSpread(input: SpreadInput): SpreadOutput {
  const state: Record<string, SpreadEntry> = {};
  const shares = new Map<string, ModemShare[]>();
  const changes: SpreadChange[] = [];
  let reviewAtMs: number | null = null;
  const review = (atMs: number): void => void (reviewAtMs = reviewAtMs === null ? atMs : Math.min(reviewAtMs, atMs));
  if (!input.enabled) return { state, shares, changes, reviewAtMs, extraW: 0 };

  const info = modemInfo(input);
  const free = (name: string, self: FlowGroup): number => {
    const m = info.get(name)!;
    // A group not spread yet is part of its modem's load: what it has is its own.
    const own = input.assignment[self.id] === name ? self.downKbps : 0;
    return Math.max(0, m.capDownKbps - (m.loadKbps - own));
  };
  // OMMA's weight: what the modem has free for the group, never quite nothing.
  const weightOf = (name: string, g: FlowGroup): number => Math.max(free(name, g), MIN_FREE_SHARE * info.get(name)!.capDownKbps);
  const eligible = (name: string): boolean => {
    const m = info.get(name);
    return m !== undefined && !m.realtime && m.capDownKbps > 0;
  };
  // Power the spreads add to the policy's: modems they wake (base power, once) and their load.
  let extraW = 0;
  const woken = new Set<string>();
  const powerOf = (g: FlowGroup, list: string[]): number => {
    const weights = list.map((n) => weightOf(n, g));
    const total = weights.reduce((a, b) => a + b, 0) || 1;
    let w = 0;
    const upShare = g.upKbps / Math.max(g.downKbps, 1);
    list.forEach((n, i) => {
      const m = info.get(n)!;
      if (!m.active && !woken.has(n)) w += m.baseW;
      const down = (g.downKbps * weights[i]!) / total;
      w += m.rxWPerKbps * down + m.txWPerKbps * down * upShare;
    });
    return w;
  };
  const limit = input.instance.powerLimitW;
  const fits = (g: FlowGroup, list: string[]): boolean => limit === null || list.length < 2 || input.powerW + extraW + powerOf(g, list) <= limit;

  for (const g of input.groups) {
    if (!isElastic(g)) continue;
    const before = input.previous[g.id];
    let modems = before ? before.modems.filter(eligible) : [];
    let changedMs = before?.changedMs ?? input.nowMs;
    if (before && modems.length !== before.modems.length) changedMs = input.nowMs;
    if (!before) {
      const anchor = input.assignment[g.id];
      if (anchor === undefined || !eligible(anchor)) continue;
      modems = [anchor];
    }
    // A power limit (lowered, or a battery running down) takes the dearest modems out at once.
    while (modems.length >= 2 && !fits(g, modems)) {
      const dropped = modems[modems.length - 1]!;
      modems = modems.slice(0, -1);
      changedMs = input.nowMs;
      changes.push({ group: g.id, modems, why: `over the power limit of ${limit} W: leaving ${dropped}` });
    }
    const freeSum = (list: string[]): number => list.reduce((s, n) => s + free(n, g), 0);
    const candidates = [...info.keys()]
      .filter((n) => eligible(n) && !modems.includes(n) && free(n, g) >= MIN_FREE_SHARE * info.get(n)!.capDownKbps)
      .sort((a, b) => info.get(a)!.costPerKbit - info.get(b)!.costPerKbit || (a < b ? -1 : 1));
    const saturated = modems.length > 0 && g.downKbps >= SATURATED * freeSum(modems);
    const next = candidates[0];
    if (saturated && next !== undefined) {
      if (input.nowMs - changedMs >= GROW_DWELL_MS || !before) {
        // The added modem is weighed at what it has free: the group is expected to fill it.
        const grown = [...modems, next];
        if (fits({ ...g, downKbps: g.downKbps + free(next, g) }, grown)) {
          modems = grown;
          changedMs = input.nowMs;
          changes.push({ group: g.id, modems, why: `${Math.round(g.downKbps)} kbit/s fills ${Math.round(freeSum(modems.slice(0, -1)))} kbit/s free: adding ${next}` });
        }
      } else {
        review(changedMs + GROW_DWELL_MS);
      }
    } else if (before && modems.length >= 2 && g.downKbps < SHRINK_BELOW * freeSum(modems.slice(0, -1))) {
      if (input.nowMs - changedMs >= SHRINK_HOLD_MS) {
        const dropped = modems[modems.length - 1]!;
        modems = modems.slice(0, -1);
        changedMs = input.nowMs;
        changes.push({ group: g.id, modems, why: `${Math.round(g.downKbps)} kbit/s fits in ${Math.round(freeSum(modems))} kbit/s: leaving ${dropped}` });
      } else {
        review(changedMs + SHRINK_HOLD_MS);
      }
    }
    if (modems.length >= 2) {
      extraW += powerOf(g, modems);
      for (const n of modems) if (!info.get(n)!.active) woken.add(n);
      state[g.id] = { modems, changedMs };
      shares.set(g.id, modems.map((n) => ({ modem: n, weight: weightOf(n, g) })));
      review(input.nowMs + REVIEW_MS);
    } else {
      if (before) changes.push({ group: g.id, modems, why: modems.length === 1 ? `back on ${modems[0]} alone` : 'no modem left to spread over' });
      // Left out of this cycle's solve: its new connections stay on the anchor until the next one places it.
      if (before && modems.length === 1) shares.set(g.id, [{ modem: modems[0]!, weight: 1 }]);
      // A group close to filling its modem is looked at again soon: a steady download changes no demand figure.
      if (modems.length === 1 && g.downKbps >= SHRINK_BELOW * freeSum(modems)) review(input.nowMs + REVIEW_MS);
    }
  }
  return { state, shares, changes, reviewAtMs, extraW };
}
