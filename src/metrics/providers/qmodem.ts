import type { ModemConfig } from '../../model/config.js';
import type { ModemRadio, SignalInfo } from '../../model/modem.js';
import type { UbusCaller } from '../../model/ports.js';
import { emptyRadio, emptySignal, fail, ok, ubusFailure } from '../provider.js';
import type { RadioProvider, ReadResult } from '../provider.js';
import { arr, inRange, isRecord, str, toNumber } from '../values.js';
import { configuredDevice, decimalCellId, normaliseRadio, ratFromTechnologies, splitPlmn } from './radio-common.js';

/**
 * QModem (FUjr/QModem): its rpcd object answers `base_info`, `sim_info`,
 * `network_info` and `cell_info` for one modem section with
 * {"result": {}, "modem_info": [records]} (modem_ctrl.sh), each record a
 * display entry {key, value, full_name, type: plain_text|progress_bar|
 * warning_message, class, ...} made by generic.sh's add_*_entry helpers.
 * The records are labels for a UI, so this reads them by label:
 *  - sim_info: "SIM Status" (ready|miss|...), "ISP", "SIM Slot", "ICCID";
 *  - network_info: "Network Type";
 *  - cell_info: "network_mode" ("EN-DC Mode", "NR5G-SA Mode...", "LTE Mode",
 *    "WCDMA Mode"); in EN-DC a record {key:"LTE"} opens the LTE part and
 *    {key:"NR5G-NSA"} the NR part; RSRP/RSRQ/SINR/RSSI, MCC/MNC, Band and
 *    Cell ID follow in each part.
 * The vendor scripts' set_4g_cell_info/set_5g_cell_info helpers, which emit
 * the per-part labels, were not found in the sources available here, so
 * those labels are matched loosely (case and punctuation ignored).
 * `device` is the QModem config section (e.g. "2_1"). The ubus object name
 * defaults to 'qmodem'; some builds register it as 'modem_ctrl'.
 */
export class QmodemProvider implements RadioProvider {
  readonly kind = 'qmodem' as const;

  constructor(
    private readonly ubus: UbusCaller,
    private readonly object = 'qmodem',
  ) {}

  async readRadio(modem: ModemConfig, timeoutMs: number): Promise<ReadResult<ModemRadio>> {
    const section = configuredDevice(modem);
    if (section === null) return fail('malformed', 'qmodem needs option device (the QModem modem section, e.g. 2_1)');
    if (!/^[A-Za-z0-9_]{1,64}$/.test(section)) return fail('malformed', `option device '${section}' is not a UCI section name`);
    const out: Record<string, QmodemRecord[]> = {};
    for (const method of ['sim_info', 'network_info', 'cell_info'] as const) {
      let reply: Record<string, unknown>;
      try {
        reply = await this.ubus.call(this.object, method, { config_section: section }, { timeoutMs });
      } catch (err) {
        return ubusFailure(err, `ubus ${this.object} ${method}`);
      }
      const records = qmodemRecords(reply);
      if (records === null) return fail('malformed', `ubus ${this.object} ${method}: no 'modem_info' array of records`);
      out[method] = records;
    }
    return ok(parseQmodem(out['sim_info'] ?? [], out['network_info'] ?? [], out['cell_info'] ?? []));
  }
}

export interface QmodemRecord {
  key: string;
  value: string;
}

/** The display records of one reply, or null when the reply is not QModem's shape. */
export function qmodemRecords(reply: unknown): QmodemRecord[] | null {
  if (!isRecord(reply) || !Array.isArray(reply['modem_info'])) return null;
  const out: QmodemRecord[] = [];
  for (const r of arr(reply, 'modem_info')) {
    if (!isRecord(r) || typeof r['key'] !== 'string') continue;
    out.push({ key: r['key'], value: typeof r['value'] === 'string' ? r['value'] : String(r['value'] ?? '') });
  }
  return out;
}

/** Label normalisation: "Cell ID" = "cell_id" = "CellID". */
function norm(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function value(records: QmodemRecord[], ...labels: string[]): string | null {
  const want = new Set(labels.map(norm));
  const hit = records.find((r) => want.has(norm(r.key)));
  const v = hit?.value.trim() ?? '';
  return v === '' || v === '-' || v === '--' ? null : v;
}

export function parseQmodem(sim: QmodemRecord[], network: QmodemRecord[], cell: QmodemRecord[]): ModemRadio {
  const radio = emptyRadio();
  const simStatus = value(sim, 'SIM Status', 'sim_status');
  if (simStatus === 'ready') {
    radio.simIccid = value(sim, 'ICCID');
    const slot = toNumber(value(sim, 'SIM Slot'));
    radio.simSlot = slot !== null && Number.isInteger(slot) && slot >= 1 ? slot : null;
    // Since QModem sets AT+COPS=3,2 before reading it, "ISP" is the serving PLMN's numeric code ("46011"), not a name.
    const isp = value(sim, 'ISP');
    if (isp !== null && /^\d{5,6}$/.test(isp)) {
      const plmn = splitPlmn(isp);
      radio.mcc = plmn.mcc;
      radio.mnc = plmn.mnc;
    } else {
      radio.operatorName = isp;
    }
  }

  const mode = value(cell, 'network_mode') ?? '';
  if (mode.startsWith('EN-DC')) radio.rat = 'nr5g-nsa';
  else if (mode.startsWith('NR5G-SA')) radio.rat = 'nr5g-sa';
  else if (mode.startsWith('LTE')) radio.rat = 'lte';
  else if (mode.startsWith('WCDMA')) radio.rat = 'umts';
  else {
    const type = (value(network, 'Network Type') ?? '').toUpperCase();
    // AT+QNWINFO prints e.g. "FDD LTE", "NR5G-SA", "WCDMA"; generic.sh's get_rat gives GSM|WCDMA|LTE|NR.
    const techs = type.includes('NSA') ? ['lte', 'nr'] : type.includes('NR') ? ['nr'] : type.includes('LTE') ? ['lte'] : type.includes('WCDMA') || type.includes('UMTS') || type.includes('HSPA') ? ['umts'] : type.includes('GSM') || type.includes('EDGE') ? ['gsm'] : [];
    radio.rat = ratFromTechnologies(techs);
  }

  // Split the cell records into the LTE and NR parts of an EN-DC report.
  let lteRecords = cell;
  let nrRecords: QmodemRecord[] = [];
  const lteAt = cell.findIndex((r) => r.key === 'LTE');
  const nrAt = cell.findIndex((r) => r.key === 'NR5G-NSA');
  if (radio.rat === 'nr5g-nsa' && nrAt >= 0) {
    lteRecords = cell.slice(lteAt >= 0 ? lteAt + 1 : 0, nrAt);
    nrRecords = cell.slice(nrAt + 1);
  }
  radio.signal = qmSignal(lteRecords);
  if (nrRecords.length > 0) {
    const nr = qmSignal(nrRecords);
    radio.nrSignal = Object.values(nr).some((v) => v !== null) ? nr : null;
  }
  radio.mcc = value(lteRecords, 'MCC') ?? radio.mcc;
  radio.mnc = value(lteRecords, 'MNC') ?? radio.mnc;
  const band = value(lteRecords, 'Band', 'Freq Band', 'Frequency Band');
  const nrBand = nrRecords.length > 0 ? value(nrRecords, 'Band', 'Freq Band', 'Frequency Band') : null;
  radio.band = band !== null && nrBand !== null ? `${band}+${nrBand}` : band ?? nrBand;
  // QModem passes the modem's AT+QENG cell id through, which Quectel prints in hex.
  radio.cellId = decimalCellId(value(lteRecords, 'Cell ID', 'CellID', 'Cell Identity'), 'hex');
  return normaliseRadio(radio);
}

function qmSignal(records: QmodemRecord[]): SignalInfo {
  const s = emptySignal();
  s.rsrpDbm = inRange(toNumber(value(records, 'RSRP')), -160, 0);
  s.rsrqDb = inRange(toNumber(value(records, 'RSRQ')), -45, 20);
  s.sinrDb = inRange(toNumber(value(records, 'SINR', 'SNR', 'RSSNR')), -25, 50);
  s.rssiDbm = inRange(toNumber(value(records, 'RSSI')), -140, 0);
  return s;
}
