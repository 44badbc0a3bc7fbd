/**
 * Small readers for JSON that came from another program. Every value from
 * ubus or a tool's output is untrusted: these return null instead of
 * guessing, and ModemManager's "--" (its way of saying "none") is null too.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `key`, or null. */
export function rec(obj: unknown, key: string): JsonRecord | null {
  if (!isRecord(obj)) return null;
  const v = obj[key];
  return isRecord(v) ? v : null;
}

/** The array at `key`, or []. */
export function arr(obj: unknown, key: string): unknown[] {
  if (!isRecord(obj)) return [];
  const v = obj[key];
  return Array.isArray(v) ? v : [];
}

/** A non-empty string, with "--" and blank meaning none. */
export function str(obj: unknown, key: string): string | null {
  if (!isRecord(obj)) return null;
  return cleanString(obj[key]);
}

export function cleanString(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (s === '' || s === '--' || s.toLowerCase() === 'unknown') return null;
  return s;
}

/** A finite number from a number or a numeric string ("-95.00", "-95 dBm"), else null. */
export function num(obj: unknown, key: string): number | null {
  if (!isRecord(obj)) return null;
  return toNumber(obj[key]);
}

export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const s = cleanString(v);
  if (s === null) return null;
  // Tools append units ("-95 dBm", "12.5dB"); take the leading number only.
  const m = /^[-+]?\d+(?:\.\d+)?/.exec(s);
  if (!m) return null;
  const n = Number(m[0]);
  return Number.isFinite(n) ? n : null;
}

export function bool(obj: unknown, key: string): boolean | null {
  if (!isRecord(obj)) return null;
  const v = obj[key];
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === '1' || v === 'yes' || v === 'true') return true;
  if (v === 0 || v === '0' || v === 'no' || v === 'false') return false;
  return null;
}

/** Parse JSON without throwing: null when the text is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A plausibility window: values a modem reports outside it are firmware placeholders, not measurements. */
export function inRange(v: number | null, min: number, max: number): number | null {
  return v !== null && v >= min && v <= max ? v : null;
}
