import type { Rat, RegistrationState } from '../../model/modem.js';
import type { ModemConfig } from '../../model/config.js';

/** Split an operator code "26201" / "310410" into MCC (3 digits) and MNC (2-3 digits). */
export function splitPlmn(code: string | null): { mcc: string | null; mnc: string | null } {
  if (code === null || !/^\d{5,6}$/.test(code)) return { mcc: null, mnc: null };
  return { mcc: code.slice(0, 3), mnc: code.slice(3) };
}

/** A hexadecimal cell id as ModemManager prints it ("01A2B3C4") -> decimal string, for one notation across providers. */
export function hexCellId(hex: string | null): string | null {
  if (hex === null || !/^(0x)?[0-9A-Fa-f]{1,10}$/.test(hex)) return null;
  const n = parseInt(hex.replace(/^0x/i, ''), 16);
  return Number.isSafeInteger(n) ? String(n) : null;
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
