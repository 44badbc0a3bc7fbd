import type { ModemRadio, RegistrationState, SignalInfo } from '../../model/modem.js';
import { emptyRadio, emptySignal } from '../provider.js';
import { inRange, toNumber } from '../values.js';
import { decimalCellId, normaliseRadio, splitPlmn } from '../providers/radio-common.js';

/**
 * Quectel's AT answers -> ModemRadio. Field positions follow the Quectel
 * RG50xQ/RM5xxQ and EC2x AT manuals for AT+QENG="servingcell" (as QModem's
 * parsers/quectel/radio.sh and luci-app-3ginfo-lite read them too):
 *   +QENG: "servingcell",<state>,"LTE",<duplex>,<MCC>,<MNC>,<cellID hex>,<PCID>,
 *          <earfcn>,<band>,<UL bw>,<DL bw>,<TAC hex>,<RSRP>,<RSRQ>,<RSSI>,<SINR>,...
 *   +QENG: "servingcell",<state>,"NR5G-SA",<duplex>,<MCC>,<MNC>,<cellID hex>,<PCID>,
 *          <TAC>,<ARFCN>,<band>,<DL bw>,<RSRP>,<RSRQ>,<SINR>,...
 *   +QENG: "servingcell",<state>,"WCDMA",<MCC>,<MNC>,<LAC>,<cellID hex>,<uarfcn>,
 *          <PSC>,<RAC>,<RSCP>,<ecio>,...
 *   EN-DC: +QENG: "servingcell",<state> then +QENG: "LTE",<duplex>,<MCC>,... (the
 *          LTE fields without the two leading ones) and +QENG:"NR5G-NSA",<MCC>,
 *          <MNC>,<PCI>,<RSRP>,<SINR>,<RSRQ>,<ARFCN>,<band>,...
 * <state>: SEARCH (not camped), LIMSRV (camped, limited service), NOCONN
 * (registered, idle), CONNECT (registered, RRC connected).
 * Values are "-" when not known. SINR: the manuals give dB; one early
 * RM500Q firmware printed the NR5G-NSA SINR in 0.1 dB (libqmi pull request
 * #2: QENG 180 while QMI said 18.5 dB), so an NR SINR beyond any real dB
 * value but within ten times that range is read as tenths.
 */

export interface QuectelAnswers {
  /** AT+QENG="servingcell" information lines. */
  qeng: string[];
  /** AT+QCAINFO lines; null when the command failed (not a Quectel, or unsupported). */
  qcainfo: string[] | null;
  /** AT+QSPN lines (network and SIM provider names, registered PLMN). */
  qspn: string[] | null;
  /** AT+CSQ lines. */
  csq: string[] | null;
  /** AT+CGACT? lines (which PDP contexts are active). */
  cgact: string[] | null;
}

/** Split an AT information line "+QENG: a,b,..." into its fields, quotes removed; null when `prefix` is not its prefix. */
export function atFields(line: string, prefix: string): string[] | null {
  const m = new RegExp(`^\\+${prefix}:\\s*(.*)$`).exec(line.trim());
  if (!m) return null;
  return m[1]!.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1').trim());
}

const val = (f: string | undefined): string | null => (f === undefined || f === '' || f === '-' ? null : f);
const n = (f: string | undefined): number | null => toNumber(val(f));

function lteSignal(f: string[], at: number): SignalInfo {
  // at = index of RSRP; RSRQ, RSSI, SINR follow.
  return {
    rsrpDbm: inRange(n(f[at]), -160, 0),
    rsrqDb: inRange(n(f[at + 1]), -45, 20),
    rssiDbm: inRange(n(f[at + 2]), -140, 0),
    sinrDb: inRange(n(f[at + 3]), -25, 50),
  };
}

function nrSinr(raw: number | null): number | null {
  if (raw === null) return null;
  if (raw >= -25 && raw <= 50) return raw;
  return inRange(raw / 10, -25, 50);
}

export function parseQuectel(a: QuectelAnswers): ModemRadio {
  const radio = emptyRadio();
  const records = a.qeng.map((l) => atFields(l, 'QENG')).filter((f): f is string[] => f !== null);
  const serving = records.find((f) => f[0] === 'servingcell');
  const state = serving?.[1] ?? null;
  let cellHex: string | null = null;

  const lteEndc = records.find((f) => f[0] === 'LTE');
  const nrNsa = records.find((f) => f[0] === 'NR5G-NSA');
  const rat = serving?.[2] ?? null;
  if (lteEndc) {
    // EN-DC (or LTE reported on its own line): fields shifted by two against the servingcell form.
    radio.rat = nrNsa ? 'nr5g-nsa' : 'lte';
    radio.mcc = val(lteEndc[2]);
    radio.mnc = val(lteEndc[3]);
    cellHex = val(lteEndc[4]);
    radio.band = val(lteEndc[7]);
    radio.signal = lteSignal(lteEndc, 11);
    if (nrNsa) {
      radio.nrSignal = {
        rssiDbm: null,
        rsrpDbm: inRange(n(nrNsa[4]), -160, 0),
        sinrDb: nrSinr(n(nrNsa[5])),
        rsrqDb: inRange(n(nrNsa[6]), -45, 20),
      };
      const nrBand = val(nrNsa[8]);
      if (nrBand !== null) radio.band = radio.band !== null ? `${radio.band}+n${nrBand}` : `n${nrBand}`;
    }
  } else if (serving && (rat === 'LTE' || rat === 'CAT-M' || rat === 'CAT-NB')) {
    radio.rat = 'lte';
    radio.mcc = val(serving[4]);
    radio.mnc = val(serving[5]);
    cellHex = val(serving[6]);
    radio.band = val(serving[9]);
    radio.signal = lteSignal(serving, 13);
  } else if (serving && rat === 'NR5G-SA') {
    radio.rat = 'nr5g-sa';
    radio.mcc = val(serving[4]);
    radio.mnc = val(serving[5]);
    cellHex = val(serving[6]);
    const band = val(serving[10]);
    radio.band = band !== null ? `n${band}` : null;
    radio.signal = { rssiDbm: null, rsrpDbm: inRange(n(serving[12]), -160, 0), rsrqDb: inRange(n(serving[13]), -45, 20), sinrDb: nrSinr(n(serving[14])) };
  } else if (serving && rat === 'WCDMA') {
    radio.rat = 'umts';
    radio.mcc = val(serving[3]);
    radio.mnc = val(serving[4]);
    cellHex = val(serving[6]);
  } else if (serving && rat === 'GSM') {
    radio.rat = 'gsm';
    radio.mcc = val(serving[3]);
    radio.mnc = val(serving[4]);
    cellHex = val(serving[6]);
  }
  radio.cellId = decimalCellId(cellHex, 'hex');
  radio.registration = registrationFromQeng(state);
  radio.state = state === 'SEARCH' || state === 'LIMSRV' ? 'searching' : state === 'NOCONN' || state === 'CONNECT' ? 'registered' : null;

  // Carrier aggregation: +QCAINFO: "PCC",<earfcn>,<bw>,"LTE BAND 3",... and one "SCC" line per secondary carrier.
  if (a.qcainfo !== null) {
    const bands: string[] = [];
    for (const l of a.qcainfo) {
      const f = atFields(l, 'QCAINFO');
      if (!f || !/^(PCC|SCC)$/i.test(f[0] ?? '')) continue;
      const m = /^(LTE|NR5G)\s+BAND\s+(\d+)$/i.exec(f[3] ?? '');
      if (!m) continue;
      const b = m[1]!.toUpperCase() === 'NR5G' ? `n${m[2]}` : m[2]!;
      if (!bands.includes(b)) bands.push(b);
    }
    if (bands.length > 0) {
      // Keep the QENG order (LTE anchor first) and add the secondary carriers.
      const known = radio.band?.split('+') ?? [];
      radio.band = [...known, ...bands.filter((b) => !known.includes(b))].join('+');
    }
  }

  // +QSPN: <FNN>,<SNN>,<SPN>,<alphabet>,<RPLMN>: FNN is the serving network's name, SPN the SIM's (home) provider.
  const qspn = a.qspn?.map((l) => atFields(l, 'QSPN')).find((f) => f !== null) ?? null;
  if (qspn) {
    radio.operatorName = val(qspn[0]);
    radio.homeOperatorName = val(qspn[2]);
    if (radio.mcc === null) {
      const p = splitPlmn(val(qspn[4]));
      radio.mcc = p.mcc;
      radio.mnc = p.mnc;
    }
  }

  // +CSQ: <rssi>,<ber>: 0..31 in 2 dB steps from -113 dBm, 99 unknown -> percent as ModemManager scales it.
  const csq = a.csq?.map((l) => atFields(l, 'CSQ')).find((f) => f !== null) ?? null;
  const rssiIdx = csq ? n(csq[0]) : null;
  if (rssiIdx !== null && Number.isInteger(rssiIdx) && rssiIdx >= 0 && rssiIdx <= 31) radio.signalQualityPct = Math.round((rssiIdx * 100) / 31);

  // +CGACT: <cid>,<state>: a data context active and the modem registered = connected.
  const active = (a.cgact ?? []).some((l) => atFields(l, 'CGACT')?.[1] === '1');
  if (active && radio.state === 'registered') radio.state = 'connected';
  return normaliseRadio(radio);
}

/** QENG says registered (NOCONN/CONNECT) but not whether at home or roaming: that stays 'unknown' (its `state` says registered). */
function registrationFromQeng(state: string | null): RegistrationState {
  if (state === 'SEARCH') return 'searching';
  if (state === 'LIMSRV') return 'denied';
  return 'unknown';
}
