import type { ModemConfig } from '../model/config.js';
import type { Exclusion } from '../model/flow-group.js';
import type { ModemView } from '../model/modem.js';
import type { QosClass } from '../model/qos.js';
import type { InterfaceSpec } from '../model/tfap.js';

/**
 * Inputs, outputs and state of one coordination step. Everything is plain
 * data: the daemon passes the returned `state` back in on the next step, so
 * hysteresis, minimum on/off times and the one-transition-at-a-time rule are
 * reproducible in tests.
 */

/** What src/metrics offers: provider-level exclusions (down, health, quota) already applied. */
export interface CandidateSet {
  interfaces: InterfaceSpec[];
  excluded: Exclusion[];
}

/** Aggregate demand of the LAN, a moving average the daemon keeps. */
export interface DemandSummary {
  upKbps: number;
  downKbps: number;
  /** Strictest QoS class with live demand; null = no traffic at all. */
  strictestQos: QosClass | null;
}

/**
 * Another operator a modem could use (a second SIM slot or a roaming
 * profile), as its provider reports it. Not in src/model: the shared
 * ModemView carries only the current registration.
 */
export interface CarrierOption {
  /** Modem section name. */
  modem: string;
  mcc: string;
  mnc: string;
  operatorName: string | null;
  /** SIM slot to select, or null when the option is a profile on the same SIM. */
  simSlot: number | null;
  /** Provider profile name (e.g. an APN profile), or null. */
  profile: string | null;
}

/** Policy knobs. The defaults are policy choices, not measurements. */
export interface CoordinationSettings {
  /** Wake another modem when the awake ones are loaded above this fraction of their capacity. */
  wakeUtilization: number;
  /** Let one sleep when the others would be loaded below this fraction without it. */
  sleepUtilization: number;
  /** A woken modem stays up at least this long. */
  minOnMs: number;
  /** A modem put to sleep stays down at least this long. */
  minOffMs: number;
  /** When the awake modems' base power alone exceeds P_max, an idle one may sleep after this instead of minOnMs. */
  powerSleepAfterMs: number;
  /** A wake/sleep/switch that has not completed by then counts as failed. */
  transitionTimeoutMs: number;
  /** After a failed transition, the modem is not tried again for this long. */
  retryAfterFailMs: number;
  /** A modem excluded by a threshold must be back inside (with the margins) this long before it returns. */
  reenterHoldMs: number;
  /** Margins a value must clear to return after a threshold exclusion. */
  reenterMargin: { signalDb: number; lossFraction: number; rttFraction: number; capacityFraction: number };
  /** Money per kbit above which a bearer is not worth using; null = no limit. */
  maxCostPerKbit: number | null;
  /**
   * Other active users assumed on a cell (the patent's N) when derating
   * modems that share it; 1 = an empty cell, the most conservative case.
   */
  assumedCellUsers: number;
  /** At most one SIM/profile switch per modem in this period. */
  switchCooldownMs: number;
}

export const DEFAULT_COORDINATION_SETTINGS: Readonly<CoordinationSettings> = Object.freeze({
  wakeUtilization: 0.8,
  sleepUtilization: 0.5,
  minOnMs: 300_000,
  minOffMs: 120_000,
  powerSleepAfterMs: 30_000,
  transitionTimeoutMs: 120_000,
  retryAfterFailMs: 600_000,
  reenterHoldMs: 60_000,
  reenterMargin: Object.freeze({ signalDb: 3, lossFraction: 0.5, rttFraction: 0.8, capacityFraction: 1.2 }),
  maxCostPerKbit: null,
  assumedCellUsers: 1,
  switchCooldownMs: 3_600_000,
});

export interface CoordinationInput {
  nowMs: number;
  views: ModemView[];
  configs: ModemConfig[];
  candidates: CandidateSet;
  demand: DemandSummary;
  /** P_max from the power manager (W); null = unbounded. Used so that a wake never breaks the budget on base power alone. */
  powerLimitW: number | null;
  carrierOptions: CarrierOption[];
  settings: CoordinationSettings;
}

export type TransitionKind = 'wake' | 'sleep' | 'switch';

export interface Transition {
  kind: TransitionKind;
  modem: string;
  interface: string;
  startedMs: number;
  /** For a switch: the operator being moved to (mcc+mnc). */
  targetPlmn: string | null;
}

/** Per-modem memory between steps. */
export interface ModemMemory {
  /** Last time modemflow woke or put it to sleep (or first saw it up/down). */
  changedMs: number;
  /** Modemflow took it down (so waking it is ours to do). */
  sleptByUs: boolean;
  /** Offered to the solver (part of the active set). */
  active: boolean;
  /** Last time it joined or left the active set. */
  activeChangedMs: number;
  /** Active threshold exclusion (hysteresis): code -> since when. */
  thresholdSinceMs: Record<string, number>;
  /** Since when all thresholds have been back inside their margins; null = not yet. */
  cleanSinceMs: number | null;
  /** Not tried again before this time (after a failed transition). */
  backoffUntilMs: number | null;
  lastSwitchMs: number | null;
  /** Last bearer set seen while offered: ranks it while it sleeps. */
  lastSpec: InterfaceSpec | null;
}

export interface CoordinationState {
  modems: Record<string, ModemMemory>;
  transition: Transition | null;
}

export const INITIAL_COORDINATION_STATE: CoordinationState = Object.freeze({ modems: {}, transition: null }) as CoordinationState;

/** An instruction for the executor (src/power/executor.ts). */
export interface CoordinationAction {
  kind: TransitionKind;
  modem: string;
  interface: string;
  reason: string;
  /** Switch only. */
  target?: CarrierOption;
}

export type RecommendationKind =
  | 'carrier-diversity'
  | 'keep-least-bad'
  | 'no-usable-modem'
  | 'transition-failed'
  | 'transition-pending'
  | 'power-limit';

export interface Recommendation {
  kind: RecommendationKind;
  modem: string | null;
  message: string;
  /** True when an action carries it out in this step. */
  acted: boolean;
}

/** How a shared cell changed a modem's capacity, for the status page. */
export interface Derating {
  modem: string;
  interface: string;
  cellKey: string;
  sharedWith: string[];
  factor: number;
}

export interface CoordinationOutput {
  /** What to give the solver: awake, usable, tier-allowed, derated. */
  interfaces: InterfaceSpec[];
  /** Provider exclusions plus coordination's own (thresholds, tier, asleep, ...). */
  excluded: Exclusion[];
  deratings: Derating[];
  recommendations: Recommendation[];
  actions: CoordinationAction[];
  state: CoordinationState;
}
