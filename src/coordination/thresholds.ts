import type { ModemThresholds } from '../model/config.js';
import type { ModemView, PathWindow } from '../model/modem.js';
import type { InterfaceSpec } from '../model/tfap.js';
import type { CoordinationSettings } from './types.js';

/**
 * When a bearer is not worth using (patent 000, lines 576-578: poor link,
 * low bandwidth, high cost). A modem leaves the set as soon as a value
 * crosses its limit (the worse of the short and long windows, so a
 * degradation shows quickly), and returns only after every value has been
 * back inside its limit by a margin for `reenterHoldMs`: flapping values keep
 * it out instead of moving traffic back and forth.
 */

export type ThresholdCode = 'rsrp' | 'sinr' | 'loss' | 'rtt' | 'capacity' | 'price';

export interface Violation {
  code: ThresholdCode;
  reason: string;
  /** Relative excess beyond the limit, used only to rank the least bad modem. */
  excess: number;
}

export interface ThresholdVerdict {
  violations: Violation[];
  thresholdSinceMs: Record<string, number>;
  cleanSinceMs: number | null;
}

interface Check {
  code: ThresholdCode;
  /** Shown in reasons, e.g. 'RSRP'. */
  label: string;
  value: number | null;
  limit: number | null;
  /** 'min': value must stay at or above the limit; 'max': at or below. */
  kind: 'min' | 'max';
  /** The value it must reach to count as clean again. */
  reenter: (limit: number) => number;
  /** A value with its unit, e.g. '-121 dBm'. */
  show: (v: number) => string;
  /** Scale for the relative excess. */
  scale: (limit: number) => number;
}

function worst(windows: PathWindow[], pick: (w: PathWindow) => number | null): number | null {
  let out: number | null = null;
  for (const w of windows) {
    const v = w.samples > 0 ? pick(w) : null;
    if (v !== null && (out === null || v > out)) out = v;
  }
  return out;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 1 ? 4 : 1);
}

function checksFor(view: ModemView, t: ModemThresholds, spec: InterfaceSpec | null, s: CoordinationSettings): Check[] {
  const signal = view.radio?.signal;
  const nr = view.radio?.nrSignal ?? null;
  // On EN-DC the LTE anchor carries the control plane; fall back to NR only when LTE gives nothing.
  const rsrp = signal?.rsrpDbm ?? nr?.rsrpDbm ?? null;
  const sinr = signal?.sinrDb ?? nr?.sinrDb ?? null;
  const windows = view.path ? [view.path.short, view.path.long] : [];
  const downKbps = view.capacity?.downKbps ?? (spec ? Math.max(0, ...spec.bearers.map((b) => b.downKbps)) : null);
  const cost = spec && spec.bearers.length > 0 ? Math.min(...spec.bearers.map((b) => b.costPerKbit)) : null;
  const m = s.reenterMargin;
  const unit = (u: string) => (v: number) => `${fmt(v)}${u}`;
  return [
    { code: 'rsrp', label: 'RSRP', value: rsrp, limit: t.minRsrpDbm, kind: 'min', reenter: (l) => l + m.signalDb, show: unit(' dBm'), scale: () => 10 },
    { code: 'sinr', label: 'SINR', value: sinr, limit: t.minSinrDb, kind: 'min', reenter: (l) => l + m.signalDb, show: unit(' dB'), scale: () => 10 },
    {
      code: 'loss', label: 'loss', value: worst(windows, (w) => w.lossPct), limit: t.maxLossPct, kind: 'max',
      reenter: (l) => l * m.lossFraction, show: unit('%'), scale: (l) => Math.max(l, 1),
    },
    {
      code: 'rtt', label: 'RTT', value: worst(windows, (w) => w.rttMs), limit: t.maxRttMs, kind: 'max',
      reenter: (l) => l * m.rttFraction, show: unit(' ms'), scale: (l) => Math.max(l, 1),
    },
    {
      code: 'capacity', label: 'capacity', value: downKbps, limit: t.minDownKbps, kind: 'min',
      reenter: (l) => l * m.capacityFraction, show: unit(' kbps'), scale: (l) => Math.max(l, 1),
    },
    {
      code: 'price', label: 'price', value: cost, limit: s.maxCostPerKbit, kind: 'max',
      reenter: (l) => l, show: unit(' per kbit'), scale: (l) => Math.max(l, 1e-9),
    },
  ];
}

function beyond(kind: 'min' | 'max', value: number, bound: number): boolean {
  return kind === 'min' ? value < bound : value > bound;
}

/**
 * Judges one modem against its thresholds, given what was active before.
 * Missing values (null) neither exclude nor block a return: no evidence.
 */
export function evaluateThresholds(
  view: ModemView,
  thresholds: ModemThresholds,
  spec: InterfaceSpec | null,
  previous: { thresholdSinceMs: Record<string, number>; cleanSinceMs: number | null },
  nowMs: number,
  settings: CoordinationSettings,
): ThresholdVerdict {
  const crossing = new Map<ThresholdCode, Violation>();
  let allClean = true;
  const held: Violation[] = [];
  for (const c of checksFor(view, thresholds, spec, settings)) {
    if (c.limit === null || c.value === null) continue;
    const excess = Math.abs(c.value - c.limit) / c.scale(c.limit);
    if (beyond(c.kind, c.value, c.limit)) {
      const reason = `${c.label} ${c.show(c.value)} ${c.kind === 'min' ? 'below' : 'above'} ${c.show(c.limit)}`;
      crossing.set(c.code, { code: c.code, reason, excess });
      allClean = false;
      continue;
    }
    const target = c.reenter(c.limit);
    // Only a code that was active is held by its margin; a value merely near its limit blocks nothing.
    if (beyond(c.kind, c.value, target) && c.code in previous.thresholdSinceMs) {
      allClean = false;
      held.push({
        code: c.code,
        reason: `${c.label} ${c.show(c.value)} not yet past ${c.show(target)} (limit ${c.show(c.limit)}, hysteresis)`,
        excess: 0,
      });
    }
  }

  if (crossing.size > 0) {
    const since: Record<string, number> = {};
    for (const code of crossing.keys()) since[code] = previous.thresholdSinceMs[code] ?? nowMs;
    // Codes that stopped crossing but are still inside the margin band stay active.
    for (const h of held) since[h.code] = previous.thresholdSinceMs[h.code] ?? nowMs;
    return { violations: [...crossing.values(), ...held], thresholdSinceMs: since, cleanSinceMs: null };
  }

  const wasActive = Object.keys(previous.thresholdSinceMs);
  if (wasActive.length === 0) return { violations: [], thresholdSinceMs: {}, cleanSinceMs: null };

  if (!allClean) {
    // Nothing crosses, but something is still in the margin band: stay out, hold timer not started.
    return { violations: held, thresholdSinceMs: { ...previous.thresholdSinceMs }, cleanSinceMs: null };
  }

  const cleanSinceMs = previous.cleanSinceMs ?? nowMs;
  if (nowMs - cleanSinceMs >= settings.reenterHoldMs) {
    return { violations: [], thresholdSinceMs: {}, cleanSinceMs: null };
  }
  const leftS = Math.ceil((settings.reenterHoldMs - (nowMs - cleanSinceMs)) / 1000);
  return {
    violations: wasActive.map((code) => heldReason(code, `back inside its limits, returns in ${leftS} s`)),
    thresholdSinceMs: { ...previous.thresholdSinceMs },
    cleanSinceMs,
  };
}

function heldReason(code: string, what: string): Violation {
  return { code: code as ThresholdCode, reason: `${code} ${what} (hysteresis)`, excess: 0 };
}
