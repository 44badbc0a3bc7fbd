import type { ModemEntry } from '../model/api.js';
import type { SignalInfo } from '../model/modem.js';
import { PAYLOAD_VERSION } from './payload-version.js';

export interface MetricsPayload {
  v: number;
  ts: number;
  modem: string;
  interface: string;
  state: string;
  usable: boolean;
  up: boolean;
  rat: string | null;
  operator: string | null;
  signal: SignalInfo | null;
  nrSignal: SignalInfo | null;
  path: { alive: boolean; rttMs: number | null; jitterMs: number | null; lossPct: number | null } | null;
  rates: { rxKbps: number | null; txKbps: number | null };
  capacity: { upKbps: number; downKbps: number; confidence: number; source: string } | null;
  load: { upKbps: number; downKbps: number };
  quota: { usedGb: number | null; quotaGb: number | null; usedShare: number | null; cycleShare: number; daysLeft: number };
  price: { perGb: number | null; state: string };
  powerState: string;
}

const BYTES_PER_GB = 1e9;
const r = (x: number | null, digits = 2): number | null => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** One `metrics/<modem>` message: the figures a graph plots, nothing derived that the reader cannot redo. */
export function buildMetricsPayload(m: ModemEntry, ts: number): MetricsPayload {
  const win = m.path?.short;
  return {
    v: PAYLOAD_VERSION,
    ts,
    modem: m.name,
    interface: m.interface,
    state: m.state,
    usable: m.usable,
    up: m.link.up,
    rat: m.radio?.rat ?? null,
    operator: m.radio?.operatorName ?? null,
    signal: m.radio ? { ...m.radio.signal } : null,
    nrSignal: m.radio?.nrSignal ? { ...m.radio.nrSignal } : null,
    path: m.path && win ? { alive: m.path.alive, rttMs: r(win.rttMs, 1), jitterMs: r(win.jitterMs, 1), lossPct: r(win.lossPct, 1) } : null,
    rates: { rxKbps: r(m.link.rxKbps, 1), txKbps: r(m.link.txKbps, 1) },
    capacity: m.capacity ? { upKbps: Math.round(m.capacity.upKbps), downKbps: Math.round(m.capacity.downKbps), confidence: r(m.capacity.confidence)!, source: m.capacity.source } : null,
    load: { upKbps: r(m.load.upKbps, 1)!, downKbps: r(m.load.downKbps, 1)! },
    quota: {
      usedGb: m.cycleBytes === null ? null : r(m.cycleBytes / BYTES_PER_GB, 3),
      quotaGb: m.price.quotaGb,
      usedShare: r(m.price.usedShare, 4),
      cycleShare: r(m.price.cycleShare, 4)!,
      daysLeft: r(m.price.daysLeft, 1)!,
    },
    price: { perGb: r(m.price.perGb, 4), state: m.price.state },
    powerState: m.powerState,
  };
}
