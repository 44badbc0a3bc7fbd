import type { ModemRadio, ModemState, Rat, RegistrationState } from '../../model/modem.js';
import type { ModemConfig } from '../../model/config.js';

/** Split an operator code "26201" / "310410" into MCC (3 digits) and MNC (2-3 digits). */
export function splitPlmn(code: string | null): { mcc: string | null; mnc: string | null } {
  const c = code?.trim() ?? null;
  if (c === null || !/^\d{5,6}$/.test(c)) return { mcc: null, mnc: null };
  return { mcc: c.slice(0, 3), mnc: c.slice(3) };
}

/** An MCC is exactly 3 decimal digits (E.212); anything else ("-95 dBm", "0x7F", "NaN") is null. */
export function validMcc(v: unknown): string | null {
  const s = typeof v === 'number' && Number.isInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : '';
  return /^\d{3}$/.test(s) && s !== '000' ? s : null;
}

/** An MNC is 2 or 3 decimal digits; the digits are kept as given (a leading zero matters: "01" is not "001"). */
export function validMnc(v: unknown): string | null {
  const s = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isInteger(v) && v >= 0 ? String(v).padStart(2, '0') : '';
  return /^\d{2,3}$/.test(s) ? s : null;
}

/**
 * One cell-id notation for every provider: decimal, as ModemManager's
 * location and uqmi print it. Each provider says which notation its tool
 * uses, because "1234" alone could be either: Quectel's AT+QENG and
 * QModem (which passes it through) and ModemManager's 3GPP location give
 * hex; uqmi and qmicli give decimal. 36 bits is the NR cell identity's width.
 */
export function decimalCellId(raw: string | number | null | undefined, notation: 'hex' | 'decimal'): string | null {
  if (raw === null || raw === undefined) return null;
  const s = String(raw).trim();
  let n: number;
  if (notation === 'hex') {
    if (!/^(0x)?[0-9A-Fa-f]{1,9}$/.test(s)) return null;
    n = parseInt(s.replace(/^0x/i, ''), 16);
  } else {
    if (!/^\d{1,11}$/.test(s)) return null;
    n = Number(s);
  }
  return Number.isSafeInteger(n) && n < 2 ** 36 ? String(n) : null;
}

/** A hexadecimal cell id as ModemManager prints it ("01A2B3C4") -> decimal string. */
export function hexCellId(hex: string | null): string | null {
  return decimalCellId(hex, 'hex');
}

/**
 * The last step of every provider's parser: whatever a tool printed, the
 * view holds 3-digit MCCs, 2-3 digit MNCs, decimal cell ids and a quality
 * in 0-100 %, or null. One place, so no provider can let a "-95 dBm" or a
 * hex cell id through.
 */
export function normaliseRadio(radio: ModemRadio): ModemRadio {
  radio.mcc = validMcc(radio.mcc);
  radio.mnc = radio.mcc === null ? null : validMnc(radio.mnc);
  radio.homeMcc = validMcc(radio.homeMcc);
  radio.homeMnc = radio.homeMcc === null ? null : validMnc(radio.homeMnc);
  radio.cellId = radio.cellId !== null && /^\d{1,11}$/.test(radio.cellId) ? String(Number(radio.cellId)) : null;
  const q = radio.signalQualityPct;
  radio.signalQualityPct = q !== null && Number.isFinite(q) && q >= 0 && q <= 100 ? q : null;
  // A PLMN code is not a name: "46011" in a name field is the code itself.
  if (radio.operatorName !== null && /^\d{5,6}$/.test(radio.operatorName.trim())) {
    const p = splitPlmn(radio.operatorName);
    radio.mcc ??= validMcc(p.mcc);
    radio.mnc ??= radio.mcc === null ? null : validMnc(p.mnc);
    radio.operatorName = null;
  }
  if (radio.homeOperatorName !== null && /^\d{5,6}$/.test(radio.homeOperatorName.trim())) radio.homeOperatorName = null;
  return radio;
}

/** ModemManager's MMModemState nicknames -> ModemState (failed/unknown/locked/initializing/disabling/enabling say nothing usable). */
export function stateFromMm(state: string | null): ModemState | null {
  switch (state) {
    case 'disabled':
    case 'disabling':
    case 'enabling':
      return 'disabled';
    case 'enabled':
    case 'searching':
      return 'searching';
    case 'registered':
    case 'disconnecting':
      return 'registered';
    case 'connecting':
      return 'connecting';
    case 'connected':
      return 'connected';
    default:
      return null;
  }
}

/** The state a registration implies when nothing says whether data is up. */
export function stateFromRegistration(reg: RegistrationState): ModemState | null {
  if (reg === 'home' || reg === 'roaming') return 'registered';
  if (reg === 'searching' || reg === 'denied' || reg === 'idle') return 'searching';
  return null;
}

/**
 * The RAT from a set of access technology names. ModemManager's names
 * (mm_modem_access_technology_build_string_from_mask) and uqmi's signal
 * table types are both covered; LTE together with NR is EN-DC (NSA).
 */
export function ratFromTechnologies(techs: readonly string[]): Rat | null {
  const t = new Set(techs.map((x) => x.toLowerCase()));
  const nr = t.has('5gnr') || t.has('nr5g') || t.has('nr');
  const lte = [...t].some((x) => x === 'lte' || x.startsWith('lte-'));
  if (nr && lte) return 'nr5g-nsa';
  if (nr) return 'nr5g-sa';
  if (lte) return 'lte';
  if (['umts', 'wcdma', 'hsdpa', 'hsupa', 'hspa', 'hspa-plus', 'td-scdma'].some((x) => t.has(x))) return 'umts';
  if (['gsm', 'gsm-compact', 'gprs', 'edge'].some((x) => t.has(x))) return 'gsm';
  return null;
}

/** ModemManager's MMModem3gppRegistrationState nicknames -> RegistrationState. */
export function registrationFromMm(state: string | null): RegistrationState {
  if (state === null) return 'unknown';
  if (state.startsWith('home')) return 'home';
  if (state.startsWith('roaming')) return 'roaming';
  if (state === 'searching') return 'searching';
  if (state === 'denied' || state === 'emergency-only') return 'denied';
  if (state === 'idle') return 'idle';
  return 'unknown';
}

/** The handle of a modem for a provider: configured, validated; null when not configured. */
export function configuredDevice(modem: ModemConfig): string | null {
  return modem.device !== null && modem.device.trim() !== '' ? modem.device.trim() : null;
}
