import type { ModemConfig } from '../model/config.js';
import type { ModemLink, ModemRadio, SignalInfo } from '../model/modem.js';
import { isNetifdInterfaceName } from '../model/names.js';

/**
 * The provider interfaces of src/metrics. netifd gives the link of every
 * modem; one radio provider (ModemManager, uqmi or QModem) gives its radio
 * side. Expected failures (a modem that vanished, a hung tool, output that
 * does not parse) are values, so the collector can mark one modem unknown
 * without anything else noticing.
 */

export type ReadFailureCode =
  /** The interface/modem/object is not there (any more). */
  | 'vanished'
  /** The provider did not answer in time. */
  | 'timeout'
  /** The provider answered something that is not its documented format. */
  | 'malformed'
  /** The provider is not installed on this router. */
  | 'unavailable'
  /** Anything else (non-zero exit, ubus error status). */
  | 'failed';

export type ReadResult<T> = { ok: true; value: T } | { ok: false; code: ReadFailureCode; problem: string };

export function ok<T>(value: T): ReadResult<T> {
  return { ok: true, value };
}

export function fail<T>(code: ReadFailureCode, problem: string): ReadResult<T> {
  return { ok: false, code, problem };
}

export interface LinkCounters {
  rxBytes: number;
  txBytes: number;
  rxErrors: number | null;
  txErrors: number | null;
  rxDropped: number | null;
  txDropped: number | null;
}

/** What netifd knows about one interface at one moment: the model's link fields it reports, plus uptime and raw counters. */
export type LinkSnapshot = Pick<ModemLink, 'interface' | 'up' | 'l3Device' | 'ipv4' | 'ipv6' | 'gatewayV4' | 'gatewayV6' | 'dns'> & {
  /** Seconds the interface has been up (netifd `uptime`); null when down or not reported. */
  uptimeS: number | null;
  /** null when the device statistics could not be read. */
  counters: LinkCounters | null;
};

export interface LinkProvider {
  readLink(modem: ModemConfig, timeoutMs: number): Promise<ReadResult<LinkSnapshot>>;
}

export type RadioProviderKind = 'modemmanager' | 'uqmi' | 'qmodem' | 'at' | 'qmicli';

/** What a radio provider may use besides the modem's config: what netifd said about the link. */
export interface RadioContext {
  /** The link's l3 device (e.g. wwan0), to find the modem that owns it when `device` is not configured. */
  l3Device: string | null;
}

export interface RadioProvider {
  readonly kind: RadioProviderKind;
  readRadio(modem: ModemConfig, timeoutMs: number, ctx?: RadioContext): Promise<ReadResult<ModemRadio>>;
}

export function emptySignal(): SignalInfo {
  return { rssiDbm: null, rsrpDbm: null, rsrqDb: null, sinrDb: null };
}

export function emptyRadio(): ModemRadio {
  return {
    mcc: null,
    mnc: null,
    operatorName: null,
    rat: null,
    band: null,
    cellId: null,
    signal: emptySignal(),
    nrSignal: null,
    registration: 'unknown',
    simIccid: null,
    simSlot: null,
    state: null,
    signalQualityPct: null,
    homeMcc: null,
    homeMnc: null,
    homeOperatorName: null,
  };
}

/**
 * Classify a rejected ubus call by the status name the ubus client puts in
 * `code` (src/ubus UbusError): callers branch on codes, never on messages.
 */
export function ubusFailure<T>(err: unknown, what: string): ReadResult<T> {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'NOT_FOUND':
      return fail('vanished', `${what}: not found`);
    case 'METHOD_NOT_FOUND':
    case 'NOT_SUPPORTED':
      return fail('unavailable', `${what}: not supported here (${code})`);
    case 'TIMEOUT':
      return fail('timeout', `${what}: timed out`);
    case 'PROTOCOL':
    case 'PARSE_ERROR':
      return fail('malformed', `${what}: ${message}`);
    default:
      return fail('failed', `${what}: ${message}`);
  }
}

/** netifd interface names: the one rule of src/model/names.ts. */
export function isInterfaceName(name: string): boolean {
  return isNetifdInterfaceName(name);
}
