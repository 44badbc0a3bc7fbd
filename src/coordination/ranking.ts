import type { ModemTier } from '../model/config.js';
import { meetsQos } from '../model/qos.js';
import type { QosClass } from '../model/qos.js';
import type { BearerSpec, InterfaceSpec } from '../model/tfap.js';

/**
 * Which modem to use first (patent 000, line 548): the lowest
 * price x energy per bit that meets the delay class. Energy per kbit at the
 * demand it would carry is baseW / kbps (the idle radio amortised over the
 * traffic) plus the per-kbps coefficients (W per kbps = J per kbit). Ties
 * (e.g. several flat-rate SIMs, price 0) fall to energy, then price, then
 * name, so the order is total and stable.
 */

export const TIER_ORDER: Readonly<Record<ModemTier, number>> = { primary: 0, overflow: 1, backup: 2, never: 3 };

export interface RankKey {
  meetsQos: boolean;
  priceEnergy: number;
  energyJPerKbit: number;
  costPerKbit: number;
  name: string;
}

/** The bearer of an interface that best serves the class: cheapest that meets it, else the one with the best class. */
export function bestBearer(spec: InterfaceSpec, qos: QosClass | null): BearerSpec | null {
  if (spec.bearers.length === 0) return null;
  const meeting = qos === null ? spec.bearers : spec.bearers.filter((b) => meetsQos(b.qos, qos));
  const pool = meeting.length > 0 ? meeting : spec.bearers;
  return [...pool].sort((a, b) => a.costPerKbit - b.costPerKbit || b.downKbps - a.downKbps || a.id.localeCompare(b.id))[0]!;
}

export function energyJPerKbit(b: BearerSpec, upKbps: number, downKbps: number): number {
  // Carry at most what the bearer can; with no demand at all, rank by a nominal 1 kbps so base power still counts.
  const up = Math.min(Math.max(upKbps, 0), b.upKbps);
  const down = Math.min(Math.max(downKbps, 0), b.downKbps);
  const total = Math.max(up + down, 1);
  return (b.baseW + b.txWPerKbps * up + b.rxWPerKbps * down) / total;
}

export function rankKey(name: string, spec: InterfaceSpec, qos: QosClass | null, upKbps: number, downKbps: number): RankKey {
  const b = bestBearer(spec, qos);
  if (!b) return { meetsQos: false, priceEnergy: Infinity, energyJPerKbit: Infinity, costPerKbit: Infinity, name };
  const e = energyJPerKbit(b, upKbps, downKbps);
  return {
    meetsQos: qos === null || meetsQos(b.qos, qos),
    priceEnergy: b.costPerKbit * e,
    energyJPerKbit: e,
    costPerKbit: b.costPerKbit,
    name,
  };
}

/** Negative when `a` should be used before `b` (both already within one tier). */
export function compareRank(a: RankKey, b: RankKey): number {
  return (
    a.priceEnergy - b.priceEnergy ||
    a.energyJPerKbit - b.energyJPerKbit ||
    a.costPerKbit - b.costPerKbit ||
    a.name.localeCompare(b.name)
  );
}
