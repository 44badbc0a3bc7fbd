/**
 * The normalized view of one modem that `src/metrics` produces from whatever
 * the router offers (netifd, ModemManager, uqmi, QModem) and that
 * coordination, power and the status page consume. Fields a provider does
 * not give are null, never invented.
 */

export type Rat = 'gsm' | 'umts' | 'lte' | 'nr5g-nsa' | 'nr5g-sa';

export type RegistrationState = 'home' | 'roaming' | 'searching' | 'denied' | 'idle' | 'unknown';

/** Where the modem is in bringing data up, as ModemManager names it; null when the provider does not say. */
export type ModemState = 'disabled' | 'searching' | 'registered' | 'connecting' | 'connected';

export interface SignalInfo {
  rssiDbm: number | null;
  rsrpDbm: number | null;
  rsrqDb: number | null;
  sinrDb: number | null;
}

export interface ModemRadio {
  /** Mobile country + network code, e.g. '262' + '01'. */
  mcc: string | null;
  mnc: string | null;
  operatorName: string | null;
  rat: Rat | null;
  band: string | null;
  cellId: string | null;
  /** eNB/gNB + sector identity where known, for shared-cell detection. */
  signal: SignalInfo;
  /** NR leg of an EN-DC connection (uqmi prints LTE and NR tables). */
  nrSignal: SignalInfo | null;
  registration: RegistrationState;
  simIccid: string | null;
  simSlot: number | null;
  /** The modem's own state (disabled .. connected); null when the provider does not report it. */
  state: ModemState | null;
  /** Signal quality 0-100 % as the modem reports it (ModemManager, AT+CSQ); null when not given. */
  signalQualityPct: number | null;
  /** The SIM's home network (next to the serving mcc/mnc/operatorName, which differ when roaming). */
  homeMcc: string | null;
  homeMnc: string | null;
  homeOperatorName: string | null;
}

export interface ModemLink {
  /** netifd interface name. */
  interface: string;
  up: boolean;
  /** ms since epoch when the interface came up (or went down); null = unknown. */
  sinceMs: number | null;
  l3Device: string | null;
  ipv4: string[];
  ipv6: string[];
  gatewayV4: string | null;
  gatewayV6: string | null;
  dns: string[];
  rxBytes: number | null;
  txBytes: number | null;
  /** Smoothed rates from the byte counters. */
  rxKbps: number | null;
  txKbps: number | null;
  /** Receive rate over the last counter interval alone: whether the link carries traffic now. */
  rxNowKbps?: number | null;
  rxErrors: number | null;
  txErrors: number | null;
  rxDropped: number | null;
  txDropped: number | null;
}

/** Moving averages over one window, as the patent's path managers keep (000, lines 546-552). */
export interface PathWindow {
  rttMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  samples: number;
}

export interface PathStats {
  alive: boolean;
  /** ms since epoch of the last answered probe. */
  lastReplyMs: number | null;
  short: PathWindow;
  long: PathWindow;
}

export interface CapacityEstimate {
  upKbps: number;
  downKbps: number;
  /** 0..1: how sure the estimate is (prior only ~0.2, busy-link measurement -> 1). */
  confidence: number;
  source: 'prior' | 'passive' | 'active' | 'config';
}

export interface ModemView {
  /** modemflow's modem section name. */
  name: string;
  link: ModemLink;
  /** null when no radio provider answered (netifd only, or provider failing). */
  radio: ModemRadio | null;
  path: PathStats | null;
  capacity: CapacityEstimate | null;
  /** 'ok', or 'unknown' when the provider failed/hung/gave malformed output (see `problem`). */
  health: 'ok' | 'unknown';
  problem: string | null;
  /** Bytes used in the current billing cycle (from counters, persisted rarely). */
  cycleBytes: number | null;
}

/**
 * A link receiving at least this much is carrying traffic, whatever its
 * probes say: probes lost then are lost in its own queue (a busy link), not
 * a dead path.
 */
export const CARRYING_KBPS = 64;

/** A link nothing is known about yet: down, no addresses, no counters. */
export function unknownLink(iface: string): ModemLink {
  return {
    interface: iface,
    up: false,
    sinceMs: null,
    l3Device: null,
    ipv4: [],
    ipv6: [],
    gatewayV4: null,
    gatewayV6: null,
    dns: [],
    rxBytes: null,
    txBytes: null,
    rxKbps: null,
    txKbps: null,
    rxErrors: null,
    txErrors: null,
    rxDropped: null,
    txDropped: null,
  };
}
