import type { SimPlan } from '../model/config.js';

/**
 * Price per kbit from a SIM plan, quota-aware.
 *
 * Base price: pricePerGb / 8e6 (1 GB = 1e9 bytes = 8e6 kbit).
 * Quota pressure: with u the share of the quota used and τ the share of the
 * billing cycle gone, a modem ahead of its pace (u > τ) gets dearer:
 *     multiplier = 1 + K · (u − τ) / (1 − τ),   K = QUOTA_PRESSURE = 4
 * so the multiplier is 1 on or behind pace and rises to 1 + K as the
 * allowance left (1 − u) shrinks to nothing before the cycle ends; the
 * solver then prefers other modems before the quota runs out rather than
 * after. At the quota: the overage price (no multiplier), or — for
 * over_quota 'stop', or overage without a price — the modem leaves the set.
 */
export const QUOTA_PRESSURE = 4;
const KBIT_PER_GB = 8e6;
const DAY_MS = 86_400_000;

export interface BillingCycle {
  startMs: number;
  endMs: number;
}

/**
 * The billing cycle containing `nowMs`: from 00:00 on `billingDay` (1-28) to
 * the same day of the next month, in local time given as the offset of the
 * router's zone from UTC in minutes (e.g. +60 for CET).
 */
export function billingCycle(nowMs: number, billingDay: number, utcOffsetMin = 0): BillingCycle {
  if (!Number.isInteger(billingDay) || billingDay < 1 || billingDay > 28) throw new RangeError(`billing_day must be 1-28, got ${billingDay}`);
  const off = utcOffsetMin * 60_000;
  const local = new Date(nowMs + off);
  let y = local.getUTCFullYear();
  let m = local.getUTCMonth();
  if (local.getUTCDate() < billingDay) m -= 1;
  const start = Date.UTC(y, m, billingDay) - off;
  const end = Date.UTC(y, m + 1, billingDay) - off;
  return { startMs: start, endMs: end };
}

export type PriceState = 'normal' | 'pressure' | 'overage' | 'stop';

export interface PriceQuote {
  /** Money per kbit, either direction; null = the modem leaves the set (quota reached, plan says stop). */
  costPerKbit: number | null;
  state: PriceState;
  multiplier: number;
  /** Share of the quota used, 0..1+ (null = unlimited). */
  usedShare: number | null;
  /** Share of the billing cycle gone, 0..1. */
  cycleShare: number;
  /** For the status page. */
  reason: string;
}

export function priceQuote(plan: SimPlan, cycleBytes: number, nowMs: number, utcOffsetMin = 0): PriceQuote {
  const cycle = billingCycle(nowMs, plan.billingDay, utcOffsetMin);
  const cycleShare = Math.min(1, Math.max(0, (nowMs - cycle.startMs) / (cycle.endMs - cycle.startMs)));
  const base = plan.pricePerGb / KBIT_PER_GB;
  if (plan.quotaGb === null) {
    return { costPerKbit: base, state: 'normal', multiplier: 1, usedShare: null, cycleShare, reason: 'unlimited plan' };
  }
  const quotaBytes = plan.quotaGb * 1e9;
  const used = quotaBytes > 0 ? cycleBytes / quotaBytes : 1;
  const usedGb = (cycleBytes / 1e9).toFixed(2);
  if (used >= 1) {
    if (plan.overQuota === 'overage' && plan.overagePricePerGb !== null) {
      return {
        costPerKbit: plan.overagePricePerGb / KBIT_PER_GB,
        state: 'overage',
        multiplier: 1,
        usedShare: used,
        cycleShare,
        reason: `quota ${plan.quotaGb} GB used (${usedGb} GB): overage price`,
      };
    }
    return { costPerKbit: null, state: 'stop', multiplier: 1, usedShare: used, cycleShare, reason: `quota ${plan.quotaGb} GB used (${usedGb} GB) ${daysLeft(cycle, nowMs)} before the cycle ends` };
  }
  const ahead = Math.max(0, used - cycleShare);
  const multiplier = 1 + (QUOTA_PRESSURE * ahead) / Math.max(1e-9, 1 - cycleShare);
  return {
    costPerKbit: base * multiplier,
    state: ahead > 0 ? 'pressure' : 'normal',
    multiplier,
    usedShare: used,
    cycleShare,
    reason: `${(used * 100).toFixed(1)} % of ${plan.quotaGb} GB used, ${(cycleShare * 100).toFixed(1)} % of the cycle gone`,
  };
}

function daysLeft(cycle: BillingCycle, nowMs: number): string {
  return `${Math.ceil((cycle.endMs - nowMs) / DAY_MS)} d`;
}
