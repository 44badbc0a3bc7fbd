import type { ModemConfig } from '../../model/config.js';
import type { ModemRadio, RegistrationState, SignalInfo } from '../../model/modem.js';
import type { CommandRunner } from '../../model/ports.js';
import { emptyRadio, emptySignal, fail, ok } from '../provider.js';
import type { RadioProvider, ReadResult } from '../provider.js';
import { inRange, isRecord, num, parseJson, rec, str } from '../values.js';
import type { JsonRecord } from '../values.js';
import { configuredDevice, ratFromTechnologies } from './radio-common.js';

/**
 * uqmi (openwrt/uqmi commands-nas.c), one call per command:
 *  --get-signal-info   one table {type, rssi, rsrq, rsrp, snr} — or, in
 *                      5G EN-DC, an array of the LTE table and the "5gnr"
 *                      table; {} when the modem has no service. snr is in dB
 *                      (uqmi scales QMI's 0.1 dB units).
 *  --get-serving-system {registration, plmn_mcc, plmn_mnc, plmn_description, roaming}
 *  --get-system-info    per RAT ("gsm", "wcdma", "lte", "5gnr") {service_status,
 *                      mcc, mnc (strings), enodeb_id, cell_id, ...}
 * uqmi prints a JSON string (e.g. "Failed to connect to service") on errors.
 * `device` is the QMI control device, e.g. /dev/cdc-wdm0.
 */
export class UqmiProvider implements RadioProvider {
  readonly kind = 'uqmi' as const;

  constructor(
    private readonly runner: CommandRunner,
    private readonly uqmi = 'uqmi',
  ) {}

  async readRadio(modem: ModemConfig, timeoutMs: number): Promise<ReadResult<ModemRadio>> {
    const device = configuredDevice(modem);
    if (device === null) return fail('malformed', 'uqmi needs option device (the QMI control device, e.g. /dev/cdc-wdm0)');
    if (!/^\/dev\/[A-Za-z0-9._-]+$/.test(device)) return fail('malformed', `option device '${device}' is not a /dev path`);
    // Sequential on purpose: concurrent QMI clients on one control device get in each other's way.
    const signal = await this.call(device, '--get-signal-info', timeoutMs);
    if (!signal.ok) return signal;
    const serving = await this.call(device, '--get-serving-system', timeoutMs);
    if (!serving.ok) return serving;
    const system = await this.call(device, '--get-system-info', timeoutMs);
    if (!system.ok) return system;
    return parseUqmi(signal.value, serving.value, system.value);
  }

  private async call(device: string, command: string, timeoutMs: number): Promise<ReadResult<unknown>> {
    const what = `${this.uqmi} -s -d ${device} ${command}`;
    const r = await this.runner.run(this.uqmi, ['-s', '-d', device, command], { timeoutMs });
    if (r.timedOut) return fail('timeout', `${what}: timed out after ${timeoutMs} ms`);
    if (r.code === 127) return fail('unavailable', `${what}: uqmi is not installed`);
    const parsed = parseJson(r.stdout.trim());
    if (typeof parsed === 'string') {
      // uqmi reports its errors as a JSON string; a missing device is the modem gone.
      return fail(/No such file|Failed to open device/i.test(parsed) || r.code !== 0 ? 'vanished' : 'failed', `${what}: ${parsed}`);
    }
    if (r.code !== 0) return fail('vanished', `${what}: exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    if (parsed === undefined || (!isRecord(parsed) && !Array.isArray(parsed))) return fail('malformed', `${what}: output is not JSON`);
    return ok(parsed);
  }
}

/** The three uqmi outputs -> ModemRadio. */
export function parseUqmi(signalOut: unknown, servingOut: unknown, systemOut: unknown): ReadResult<ModemRadio> {
  const tables = Array.isArray(signalOut) ? signalOut : [signalOut];
  if (!tables.every(isRecord)) return fail('malformed', 'uqmi --get-signal-info: expected an object or an array of objects');
  if (!isRecord(servingOut)) return fail('malformed', 'uqmi --get-serving-system: expected an object');
  if (!isRecord(systemOut)) return fail('malformed', 'uqmi --get-system-info: expected an object');
  const radio = emptyRadio();
  const byType = new Map<string, JsonRecord>();
  for (const t of tables as JsonRecord[]) {
    const type = str(t, 'type');
    if (type !== null) byType.set(type, t);
  }
  // Which RATs have service, from system-info, for when the signal table is empty.
  const serviceRats = ['5gnr', 'lte', 'wcdma', 'gsm'].filter((k) => str(rec(systemOut, k), 'service_status') === 'available');
  radio.rat = ratFromTechnologies(byType.size > 0 ? [...byType.keys()] : serviceRats);

  const lte = byType.get('lte');
  const nr = byType.get('5gnr');
  const wcdma = byType.get('wcdma');
  const gsm = byType.get('gsm');
  if (lte) {
    radio.signal = uqmiSignal(lte);
    if (nr) radio.nrSignal = uqmiSignal(nr);
  } else if (nr) {
    radio.signal = uqmiSignal(nr);
  } else if (wcdma) {
    radio.signal = { ...emptySignal(), rssiDbm: inRange(num(wcdma, 'rssi'), -140, 0) };
  } else if (gsm) {
    radio.signal = { ...emptySignal(), rssiDbm: inRange(num(gsm, 'signal'), -140, 0) };
  }

  // Operator and cell from the serving RAT's system-info entry (strings keep the MNC's digits).
  const sysKey = radio.rat === 'nr5g-sa' ? '5gnr' : radio.rat === 'umts' ? 'wcdma' : radio.rat === 'gsm' ? 'gsm' : 'lte';
  const sys = rec(systemOut, sysKey) ?? rec(systemOut, serviceRats[0] ?? '');
  radio.mcc = digits(str(sys, 'mcc'), 3);
  radio.mnc = digits(str(sys, 'mnc'), 0);
  if (radio.mcc === null) {
    const mcc = num(servingOut, 'plmn_mcc');
    const mnc = num(servingOut, 'plmn_mnc');
    // The numeric form loses the MNC's leading zero; two digits is the common case outside North America.
    radio.mcc = mcc !== null && mcc > 0 ? String(mcc).padStart(3, '0') : null;
    radio.mnc = mnc !== null && mnc >= 0 && radio.mcc !== null ? String(mnc).padStart(2, '0') : null;
  }
  radio.operatorName = str(servingOut, 'plmn_description');
  radio.cellId = cellId(sys, sysKey);
  radio.registration = registration(str(servingOut, 'registration'), servingOut['roaming']);
  return ok(radio);
}

function uqmiSignal(t: JsonRecord): SignalInfo {
  return {
    rssiDbm: inRange(num(t, 'rssi'), -140, 0),
    rsrpDbm: inRange(num(t, 'rsrp'), -160, 0),
    rsrqDb: inRange(num(t, 'rsrq'), -45, 20),
    sinrDb: inRange(num(t, 'snr'), -25, 50),
  };
}

function digits(s: string | null, len: number): string | null {
  if (s === null) return null;
  const d = s.replace(/[^0-9]/g, '');
  if (d === '' || (len > 0 && d.length !== len) || d.length > 3) return null;
  return d;
}

/** uqmi splits the cell identity: LTE/NR enodeb_id = cid/256, cell_id = cid%256; WCDMA rnc_id = cid/65536. */
function cellId(sys: JsonRecord | null, key: string): string | null {
  const cell = num(sys, 'cell_id');
  if (cell === null) return null;
  if (key === 'wcdma') {
    const rnc = num(sys, 'rnc_id');
    return rnc === null ? String(cell) : String(rnc * 65536 + cell);
  }
  if (key === 'gsm') return String(cell);
  const enb = num(sys, 'enodeb_id');
  return enb === null ? null : String(enb * 256 + cell);
}

function registration(state: string | null, roaming: unknown): RegistrationState {
  switch (state) {
    case 'registered':
      return roaming === true || roaming === 1 ? 'roaming' : 'home';
    case 'searching':
      return 'searching';
    case 'registering_denied':
      return 'denied';
    case 'not_registered':
      return 'idle';
    default:
      return 'unknown';
  }
}
