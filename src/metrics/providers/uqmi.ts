import type { ModemConfig } from '../../model/config.js';
import type { ModemRadio, RegistrationState, SignalInfo } from '../../model/modem.js';
import type { CommandRunner } from '../../model/ports.js';
import { emptyRadio, emptySignal, fail, ok } from '../provider.js';
import type { RadioProvider, ReadResult } from '../provider.js';
import { inRange, isRecord, num, parseJson, rec, str } from '../values.js';
import type { JsonRecord } from '../values.js';
import { configuredDevice, normaliseRadio, ratFromTechnologies, stateFromRegistration, validMcc, validMnc } from './radio-common.js';

/**
 * uqmi (openwrt/uqmi commands-nas.c), one call per command:
 *  --get-signal-info   one table {type, rssi, rsrq, rsrp, snr} — or, in
 *                      5G EN-DC, an array of the LTE table and the "5gnr"
 *                      table; {} when the modem has no service. snr is in dB
 *                      since uqmi added the 5G NR table (blobmsg_add_double
 *                      of snr*0.1, printed with a fraction, e.g. 7.400000);
 *                      older uqmi (OpenWrt 19.07-23.05 builds) printed QMI's
 *                      raw int32 in 0.1 dB units ("snr": 74 = 7.4 dB). The
 *                      two are told apart by the printed number: an integer
 *                      snr is the old format (see snrInTenths).
 *  --get-serving-system {registration, plmn_mcc, plmn_mnc, plmn_description, roaming}
 *  --get-system-info    per RAT ("gsm", "wcdma", "lte", "5gnr") {service_status,
 *                      mcc, mnc (strings), enodeb_id, cell_id, ...}
 *  --get-data-status    a JSON string, "connected" or "disconnected" (optional:
 *                      it tells connected from merely registered).
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
    const data = await this.runner.run(this.uqmi, ['-s', '-d', device, '--get-data-status'], { timeoutMs });
    const dataStatus = data.code === 0 && !data.timedOut ? parseJson(data.stdout.trim()) : undefined;
    return parseUqmi(signal.value, serving.value, system.value, {
      snrTenths: snrInTenths(signal.text),
      dataStatus: typeof dataStatus === 'string' ? dataStatus : null,
    });
  }

  private async call(device: string, command: string, timeoutMs: number): Promise<ReadResult<unknown> & { text?: string }> {
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
    return { ...ok(parsed), text: r.stdout };
  }
}

/**
 * Did this uqmi print snr in QMI's 0.1 dB units? The old uqmi added snr
 * with blobmsg_add_u32, which libubox prints as an integer ("%d"); the new
 * one adds a double, printed with a fraction ("%lf"). JSON.parse loses
 * that difference, so it is read from the text.
 */
export function snrInTenths(text: string | undefined): boolean {
  if (text === undefined) return false;
  const values = [...text.matchAll(/"snr"\s*:\s*(-?[0-9][0-9.eE+-]*)/g)].map((m) => m[1]!);
  return values.length > 0 && values.every((v) => /^-?\d+$/.test(v));
}

export interface UqmiParseOptions {
  /** snr printed in 0.1 dB units (old uqmi, see snrInTenths). */
  snrTenths?: boolean;
  /** `--get-data-status` output: "connected" / "disconnected"; null when not read. */
  dataStatus?: string | null;
}

/** The three uqmi outputs -> ModemRadio. */
export function parseUqmi(signalOut: unknown, servingOut: unknown, systemOut: unknown, opts: UqmiParseOptions = {}): ReadResult<ModemRadio> {
  const sig = (t: JsonRecord): SignalInfo => uqmiSignal(t, opts.snrTenths === true);
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
    radio.signal = sig(lte);
    if (nr) radio.nrSignal = sig(nr);
  } else if (nr) {
    radio.signal = sig(nr);
  } else if (wcdma) {
    radio.signal = { ...emptySignal(), rssiDbm: inRange(num(wcdma, 'rssi'), -140, 0) };
  } else if (gsm) {
    radio.signal = { ...emptySignal(), rssiDbm: inRange(num(gsm, 'signal'), -140, 0) };
  }

  // Operator and cell from the serving RAT's system-info entry (strings keep the MNC's digits).
  const sysKey = radio.rat === 'nr5g-sa' ? '5gnr' : radio.rat === 'umts' ? 'wcdma' : radio.rat === 'gsm' ? 'gsm' : 'lte';
  const sys = rec(systemOut, sysKey) ?? rec(systemOut, serviceRats[0] ?? '');
  radio.mcc = validMcc(str(sys, 'mcc'));
  radio.mnc = radio.mcc === null ? null : validMnc(str(sys, 'mnc'));
  if (radio.mcc === null) {
    const mcc = num(servingOut, 'plmn_mcc');
    const mnc = num(servingOut, 'plmn_mnc');
    // The numeric form loses the MNC's leading zero; two digits is the common case outside North America.
    radio.mcc = mcc !== null && Number.isInteger(mcc) && mcc >= 100 && mcc <= 999 ? String(mcc) : null;
    radio.mnc = mnc !== null && Number.isInteger(mnc) && mnc >= 0 && mnc <= 999 && radio.mcc !== null ? String(mnc).padStart(2, '0') : null;
  }
  radio.operatorName = str(servingOut, 'plmn_description');
  radio.cellId = cellId(sys, sysKey);
  radio.registration = registration(str(servingOut, 'registration'), servingOut['roaming']);
  radio.state = opts.dataStatus === 'connected' ? 'connected' : stateFromRegistration(radio.registration);
  return ok(normaliseRadio(radio));
}

function uqmiSignal(t: JsonRecord, snrTenths: boolean): SignalInfo {
  const snr = num(t, 'snr');
  return {
    rssiDbm: inRange(num(t, 'rssi'), -140, 0),
    rsrpDbm: inRange(num(t, 'rsrp'), -160, 0),
    rsrqDb: inRange(num(t, 'rsrq'), -45, 20),
    sinrDb: inRange(snr !== null && snrTenths ? snr / 10 : snr, -25, 50),
  };
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
