import type { ModemTier, PowerSource } from './config.js';
import type { ConnectionTuple, Exclusion } from './flow-group.js';
import type { ModemView } from './modem.js';
import type { QosClass } from './qos.js';
import type { BearerSpec, TfapAnswer, TfapInstance, TfapStatus } from './tfap.js';

/**
 * The daemon's public API: the replies of the `modemflow` ubus object's
 * methods, its notifications, and the commands other parts (CLI, LuCI via
 * rpcd, MQTT telemetry) may give. Plain JSON: times are ms since the epoch,
 * rates kbit/s, money in the SIM plans' currency, power in W. A value that
 * is not known is null, never invented.
 */

export const API_VERSION = 1;

/** Where a modem stands in the decision, most specific first. */
export type ModemDecisionState =
  /** Offered to the solver and carrying (or ready to carry) traffic. */
  | 'active'
  /** Up and usable, not needed for the current demand. */
  | 'standby'
  /** Left out: thresholds, quota, dead path, tier, ... (see `exclusions`). */
  | 'excluded'
  /** Taken down by modemflow to save power or money. */
  | 'asleep'
  /** Being brought up (or down) by modemflow. */
  | 'waking'
  | 'sleeping'
  /** netifd reports the interface down (not our doing). */
  | 'down'
  /** No metrics (provider failing or not read yet). */
  | 'unknown'
  /** `option enabled 0`. */
  | 'disabled';

export type PowerState = 'on' | 'asleep' | 'waking' | 'sleeping' | 'off';

/** One thing wrong (or odd) in the configuration, with where it is and what was expected. */
export interface ConfigProblemView {
  severity: 'error' | 'warning';
  file: string;
  /** Line of the option (or the section); null when the file itself is the problem. */
  line: number | null;
  /** Section name, or @type[N] for an anonymous one; '' for the file. */
  section: string;
  option: string | null;
  message: string;
}

export interface ConfigStateView {
  /** 'ok': the file on disk runs; 'kept-last-good': the file has errors, the last good one runs; 'none': never loaded. */
  state: 'ok' | 'kept-last-good' | 'none';
  file: string;
  /** When the running configuration was loaded. */
  loadedMs: number | null;
  /** Problems of the last load attempt (errors make it 'kept-last-good'). */
  problems: ConfigProblemView[];
}

export interface PowerView {
  source: PowerSource;
  /** P_max for the modems together; null = unbounded. */
  limitW: number | null;
  /** 'mains' | 'fixed' | 'external-power' | 'energy' | 'unknown' | 'override' (set_power_limit). */
  basis: string;
  explanation: string;
  /** The modelled draw of the modems under the current assignment (eq. 3.5). */
  modelledW: number;
  /** Measured by a power sensor, when there is one. */
  measuredW: number | null;
  /** Battery state of charge, % (null without a battery). */
  batteryPct: number | null;
  problems: string[];
}

export interface CostView {
  /** Money per hour at the current assignment's demand. */
  perHour: number;
  /** Spent in the current billing cycles (sum over modems of bytes x price at the time). */
  cycleTotal: number;
}

export interface CountersView {
  solvesFull: number;
  solvesIncremental: number;
  /** Full solves adopted / rejected by the hysteresis. */
  solvesAdopted: number;
  solvesRejected: number;
  /** Groups whose new connections were sent to another modem. */
  redirections: number;
  wakes: number;
  sleeps: number;
  routingApplies: number;
  routingErrors: number;
  /** Duration of the last routing apply, ms. */
  routingLastMs: number | null;
  /** Mean duration of routing applies, ms. */
  routingMeanMs: number | null;
  /** Decision cycles run, and events merged into a cycle already pending. */
  cycles: number;
  mergedEvents: number;
}

export interface ModemSummary {
  name: string;
  interface: string;
  tier: ModemTier;
  state: ModemDecisionState;
  usable: boolean;
  /** Why it is not active, in words (null when active). */
  reason: string | null;
}

/** Average delay/bandwidth asymmetry between the usable modems (paper 004, section 4.3). */
export interface AsymmetryView {
  modems: string[];
  /** ms; null with fewer than two modems with an RTT. */
  adaMs: number | null;
  /** kbit/s (downlink capacity); null with fewer than two modems. */
  abaKbps: number | null;
  /** What it means for striping one flow over several modems. */
  advice: string;
}

export interface StatusReply {
  apiVersion: number;
  version: string;
  uptimeS: number;
  dryRun: boolean;
  config: ConfigStateView;
  power: PowerView;
  cost: CostView;
  counters: CountersView;
  modems: ModemSummary[];
  asymmetry: AsymmetryView;
  /** Another balancer is running (mwan3): null = could not tell. */
  mwan3Running: boolean | null;
  /** Things a user should see first: config problems, providers not answering, mwan3. */
  warnings: string[];
}

export interface PriceView {
  /** Money per GB now (quota pressure included); null = the modem is out (quota reached, plan says stop). */
  perGb: number | null;
  costPerKbit: number | null;
  state: 'normal' | 'pressure' | 'overage' | 'stop';
  multiplier: number;
  quotaGb: number | null;
  /** 0..1+ of the quota used; null = unlimited. */
  usedShare: number | null;
  /** 0..1 of the billing cycle gone. */
  cycleShare: number;
  cycleEndMs: number;
  daysLeft: number;
  reason: string;
}

export interface LoadView {
  /** Demand of the groups assigned to it. */
  upKbps: number;
  downKbps: number;
  /** Demand over capacity (0..1+), null without a capacity estimate. */
  upShare: number | null;
  downShare: number | null;
}

/** One configured modem: its ModemView (src/model/modem.ts, field for field) plus the decision side. */
export interface ModemEntry extends ModemView {
  interface: string;
  slot: number;
  tier: ModemTier;
  enabled: boolean;
  state: ModemDecisionState;
  usable: boolean;
  exclusions: Exclusion[];
  /** The bearer offered to the solver, null when not offered. */
  bearer: BearerSpec | null;
  price: PriceView;
  powerState: PowerState;
  /** Groups assigned to it. */
  groups: number;
  load: LoadView;
}

export interface ModemsReply {
  modems: ModemEntry[];
}

export interface FlowGroupEntry {
  id: string;
  kind: 'host-class' | 'connection';
  /** LAN host address (both kinds). */
  host: string | null;
  className: string;
  qos: QosClass;
  upKbps: number;
  downKbps: number;
  measured: boolean;
  connections: number;
  /** Modem its new connections go to (a spread group's cheapest); null = not placed (main table). */
  modem: string | null;
  /** A background group spread over several modems: its new connections go to these by weight (kbit/s free). */
  shares?: Array<{ modem: string; weight: number }>;
  /** Established NATed connections keep it on its modem. */
  pinnedByNat: boolean;
  sinceMs: number;
  /** For a connection group: the connection. */
  tuple: ConnectionTuple | null;
}

export interface FlowsQuery {
  modem?: string;
  class?: string;
  host?: string;
  limit?: number;
}

export interface FlowsReply {
  groups: FlowGroupEntry[];
  /** Groups before the filter and limit. */
  total: number;
}

export type DecisionKind =
  | 'place'
  | 'move'
  | 'unplace'
  | 'spread'
  | 'full-solve'
  | 'hysteresis'
  | 'wake'
  | 'sleep'
  | 'switch'
  | 'exclude'
  | 'include'
  | 'power'
  | 'config'
  | 'routing'
  | 'error';

export interface DecisionEntry {
  atMs: number;
  kind: DecisionKind;
  /** Flow group id, when it concerns one. */
  group: string | null;
  modem: string | null;
  /** For a move: where the group was. */
  from: string | null;
  reason: string;
}

export interface SolveInfo {
  atMs: number;
  kind: 'full' | 'incremental';
  /** What triggered it: 'timer', 'modem wwan0 down', 'new group ...', ... */
  trigger: string;
  adopted: boolean;
  reason: string;
  status: TfapStatus;
  solveMs: number;
}

export interface AssignmentReply {
  status: TfapStatus;
  /** modem -> bearer id, active modems only. */
  activation: Record<string, string>;
  /** group id -> modem. */
  assignment: Record<string, string>;
  costPerSecond: number;
  costPerHour: number;
  powerW: number;
  powerLimitW: number | null;
  lastSolve: SolveInfo | null;
  lastFullSolve: SolveInfo | null;
  /** Most recent last. */
  decisions: DecisionEntry[];
}

export interface HistoryModemSample {
  rxKbps: number | null;
  txKbps: number | null;
  rttMs: number | null;
  lossPct: number | null;
}

export interface HistorySample {
  /** ms since the epoch, one per second. */
  t: number;
  costPerHour: number;
  powerW: number;
  powerLimitW: number | null;
  modems: Record<string, HistoryModemSample>;
}

export interface HistoryReply {
  intervalS: number;
  samples: HistorySample[];
}

/** Notifications of the `modemflow` object (ubus notify types), and the daemon's event bus. */
export type ApiEvent =
  | { type: 'modem'; data: { name: string; state: ModemDecisionState; previous: ModemDecisionState | null; reason: string | null; atMs: number } }
  | { type: 'decision'; data: DecisionEntry }
  | { type: 'power'; data: { limitW: number | null; previousW: number | null; basis: string; explanation: string; atMs: number } }
  | { type: 'config'; data: { state: ConfigStateView['state']; problems: ConfigProblemView[]; changed: string[]; atMs: number } };

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** What readers of the daemon (ubus object, CLI, telemetry) may ask. */
export interface DaemonReadApi {
  status(): StatusReply;
  modems(): ModemsReply;
  flows(query: FlowsQuery): FlowsReply;
  assignment(): AssignmentReply;
  history(seconds: number): HistoryReply;
  /** Subscribe to events; returns the unsubscribe function. Listeners must not throw (errors are logged). */
  onEvent(listener: (e: ApiEvent) => void): () => void;
  /**
   * The cheapest usable modem and its addresses, for the router's own
   * traffic (telemetry): a socket bound to one of these leaves through that
   * modem (the source rules of src/routing). Null when none is usable.
   */
  preferredUplink(): { modem: string; addressV4: string | null; addressV6: string | null } | null;
}

export interface PlanOverride {
  pricePerGb?: number;
  /** null = unlimited. */
  quotaGb?: number | null;
}

/** What writers (ubus methods, MQTT commands) may do. Every call is logged by the daemon. */
export interface DaemonControlApi {
  /** A runtime override of P_max (null = back to the configured/derived limit). */
  setPowerLimit(watts: number | null, origin: string): Promise<ApiResult<{ limitW: number | null }>>;
  /** Re-read /etc/config/modemflow and apply the difference. */
  reload(origin: string): Promise<ApiResult<{ state: ConfigStateView['state']; changed: string[]; problems: ConfigProblemView[] }>>;
  /** Run a full solve now. */
  requestSolve(origin: string): Promise<ApiResult<SolveInfo>>;
  /** A runtime change of one modem's SIM plan (kept until the next reload). */
  updatePlan(modem: string, change: PlanOverride, origin: string): Promise<ApiResult<{ modem: string; pricePerGb: number; quotaGb: number | null }>>;
  /** Solve a given TFAP instance and return the answer (diagnostics; the daemon's state is untouched). */
  solveInstance(instance: TfapInstance): ApiResult<TfapAnswer>;
  /** netifd said an interface went up or down (hotplug hook): refresh that modem now. */
  interfaceEvent(iface: string, action: string): ApiResult<{ modem: string | null }>;
}
