// Builders for coordination test cases: a modem = its config, its view and its candidate spec.
import type { ModemConfig, ModemThresholds, ModemTier } from '../../src/model/config.js';
import type { Exclusion } from '../../src/model/flow-group.js';
import type { ModemView } from '../../src/model/modem.js';
import { unknownLink } from '../../src/model/modem.js';
import type { QosClass } from '../../src/model/qos.js';
import type { InterfaceSpec } from '../../src/model/tfap.js';
import { coordinate } from '../../src/coordination/coordinate.js';
import { DEFAULT_COORDINATION_SETTINGS, INITIAL_COORDINATION_STATE } from '../../src/coordination/types.js';
import type {
  CarrierOption,
  CoordinationInput,
  CoordinationOutput,
  CoordinationSettings,
  CoordinationState,
  DemandSummary,
} from '../../src/coordination/types.js';

export interface ModemSpec {
  name: string;
  iface?: string;
  tier?: ModemTier;
  up?: boolean;
  /** When the link came up (or went down); default 0. */
  sinceMs?: number;
  alive?: boolean;
  /** What the link received over the last counter interval, kbit/s. */
  rxNowKbps?: number;
  mcc?: string | null;
  mnc?: string | null;
  cellId?: string | null;
  rsrpDbm?: number | null;
  sinrDb?: number | null;
  lossPct?: number | null;
  rttMs?: number | null;
  downKbps?: number;
  upKbps?: number;
  costPerKbit?: number;
  baseW?: number;
  qos?: QosClass;
  thresholds?: Partial<ModemThresholds>;
  allowSimSwitch?: boolean;
  enabled?: boolean;
  /** Provider exclusions for this modem (e.g. quota); the candidate is then not offered. */
  providerExcluded?: string[];
}

export const NO_LIMITS: ModemThresholds = { minRsrpDbm: null, minSinrDb: null, maxLossPct: null, maxRttMs: null, minDownKbps: null };

export function config(m: ModemSpec): ModemConfig {
  return {
    name: m.name,
    interface: m.iface ?? `${m.name}_if`,
    enabled: m.enabled ?? true,
    metrics: 'auto',
    device: null,
    tier: m.tier ?? 'primary',
    plan: { pricePerGb: 0, quotaGb: null, billingDay: 1, overQuota: 'stop', overagePricePerGb: null },
    thresholds: { ...NO_LIMITS, ...m.thresholds },
    probeTargets: [],
    probeIntervalS: 1,
    upKbpsCap: null,
    downKbpsCap: null,
    power: null,
    allowSimSwitch: m.allowSimSwitch ?? false,
  };
}

export function view(m: ModemSpec): ModemView {
  const window = { rttMs: m.rttMs ?? 40, jitterMs: 5, lossPct: m.lossPct ?? 0, samples: 10 };
  return {
    name: m.name,
    link: { ...unknownLink(m.iface ?? `${m.name}_if`), up: m.up ?? true, sinceMs: m.sinceMs ?? 0, rxNowKbps: m.rxNowKbps ?? null },
    radio: {
      mcc: m.mcc === undefined ? '262' : m.mcc,
      mnc: m.mnc === undefined ? '01' : m.mnc,
      operatorName: null,
      rat: 'lte',
      band: null,
      cellId: m.cellId === undefined ? `cell-${m.name}` : m.cellId,
      signal: { rssiDbm: null, rsrpDbm: m.rsrpDbm ?? -90, rsrqDb: null, sinrDb: m.sinrDb ?? 10 },
      nrSignal: null,
      registration: 'home',
      simIccid: null,
      simSlot: 1,
      state: 'connected',
      signalQualityPct: null,
      homeMcc: null,
      homeMnc: null,
      homeOperatorName: null,
    },
    path: { alive: m.alive ?? true, lastReplyMs: 0, short: window, long: window },
    capacity: { upKbps: m.upKbps ?? 10_000, downKbps: m.downKbps ?? 50_000, confidence: 1, source: 'active' },
    health: 'ok',
    problem: null,
    cycleBytes: null,
  };
}

export function spec(m: ModemSpec): InterfaceSpec {
  return {
    id: m.iface ?? `${m.name}_if`,
    bearers: [
      {
        id: `${m.name}-b`,
        qos: m.qos ?? 'C',
        upKbps: m.upKbps ?? 10_000,
        downKbps: m.downKbps ?? 50_000,
        costPerKbit: m.costPerKbit ?? 0,
        baseW: m.baseW ?? 1,
        txWPerKbps: 0.0001,
        rxWPerKbps: 0.00005,
      },
    ],
  };
}

export interface Step {
  nowMs: number;
  modems: ModemSpec[];
  demand?: Partial<DemandSummary>;
  powerLimitW?: number | null;
  carrierOptions?: CarrierOption[];
  settings?: Partial<CoordinationSettings>;
}

export function input(s: Step): CoordinationInput {
  const excluded: Exclusion[] = [];
  const interfaces: InterfaceSpec[] = [];
  for (const m of s.modems) {
    const codes = [...(m.providerExcluded ?? []), ...((m.up ?? true) ? [] : ['down'])];
    for (const code of codes) excluded.push({ modem: m.name, bearerId: null, code, reason: `provider: ${code}` });
    if (codes.length === 0) interfaces.push(spec(m));
  }
  return {
    nowMs: s.nowMs,
    views: s.modems.map(view),
    configs: s.modems.map(config),
    candidates: { interfaces, excluded },
    demand: { upKbps: 0, downKbps: 0, strictestQos: null, ...s.demand },
    powerLimitW: s.powerLimitW ?? null,
    carrierOptions: s.carrierOptions ?? [],
    settings: { ...DEFAULT_COORDINATION_SETTINGS, ...s.settings },
  };
}

/** Runs steps in order, threading the state; returns every output. */
export function run(steps: Step[], state: CoordinationState = INITIAL_COORDINATION_STATE): CoordinationOutput[] {
  const outs: CoordinationOutput[] = [];
  for (const s of steps) {
    const out = coordinate(input(s), state);
    outs.push(out);
    state = out.state;
  }
  return outs;
}

export const offeredIds = (o: CoordinationOutput): string[] => o.interfaces.map((i) => i.id).sort();
export const actionsOf = (o: CoordinationOutput): string[] => o.actions.map((a) => `${a.kind}:${a.modem}`);
export const codesFor = (o: CoordinationOutput, modem: string): string[] =>
  o.excluded.filter((e) => e.modem === modem).map((e) => e.code).sort();
export const MIN = 60_000;
