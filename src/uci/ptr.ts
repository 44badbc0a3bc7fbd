import type { UciOption, UciPackage, UciSection } from './types.js';
import { isSpace } from './lexer.js';
import { isValidName, isValidPackage, isValidText, isValidType } from './validate.js';

/** libuci's error codes that the CLI reports, with uci's wording. */
export type UciStatus = 'ok' | 'inval' | 'notfound' | 'parse' | 'io' | 'duplicate';

export const UCI_ERROR_TEXT: Readonly<Record<Exclude<UciStatus, 'ok'>, string>> = {
  inval: 'Invalid argument',
  notfound: 'Entry not found',
  parse: 'Parse error',
  io: 'I/O error',
  duplicate: 'Duplicate entry',
};

/** A parsed `package[.section[.option]][=value]` tuple (uci_parse_ptr). */
export interface UciPtr {
  package: string;
  section: string | null;
  option: string | null;
  value: string | null;
  /** The section part is not a plain name (e.g. `@type[N]`). */
  extended: boolean;
}

export function parsePtr(str: string): UciPtr | null {
  let rest = str;
  let value: string | null = null;
  const eq = rest.indexOf('=');
  if (eq >= 0) {
    value = rest.slice(eq + 1);
    rest = rest.slice(0, eq);
  }
  const parts = rest.split('.');
  if (parts.length > 3) return null;
  const pkg = parts[0]!;
  const section = parts[1] ?? null;
  const option = parts[2] ?? null;
  if (!isValidPackage(pkg)) return null;
  if (option !== null && !isValidName(option)) return null;
  if (value !== null && !isValidText(value)) return null;
  return { package: pkg, section, option, value, extended: section !== null && !isValidName(section) };
}

/** strtol(s, &end, 10) that also reports whether anything follows the number. */
export function cStrtol(s: string): { value: number; rest: string } {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let sign = 1;
  if (s[i] === '+' || s[i] === '-') {
    if (s[i] === '-') sign = -1;
    i++;
  }
  const start = i;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  if (i === start) return { value: 0, rest: s };
  return { value: sign * Number(s.slice(start, i)), rest: s.slice(i) };
}

/** sscanf(s, "%d"): the number, 'none' when no digits (0), 'eof' when only blanks (EOF). */
export function cScanInt(s: string): number | 'none' | 'eof' {
  const trimmed = s.replace(/^[\t\n\v\f\r ]+/, '');
  if (trimmed === '') return 'eof';
  const m = /^[+-]?\d+/.exec(trimmed);
  return m ? Number(m[0]) : 'none';
}

/** uci_lookup_ext_section: `@type[N]`, `@type[-1]`, `@[N]`; 'inval' for a malformed reference. */
export function lookupExtSection(pkg: UciPackage, ref: string): UciSection | null | 'inval' {
  if (!ref.startsWith('@')) return 'inval';
  const open = ref.indexOf('[');
  if (open < 0) return 'inval';
  const close = ref.indexOf(']', open + 1);
  if (close < 0 || close !== ref.length - 1) return 'inval';
  const { value: parsed, rest } = cStrtol(ref.slice(open + 1, close));
  if (rest !== '') return 'inval';
  const type = ref.slice(1, open);
  if (type !== '' && !isValidType(type)) return 'inval';
  const matching = pkg.sections.filter((s) => type === '' || s.type === type);
  const idx = parsed < 0 ? parsed + matching.length : parsed;
  return matching[idx] ?? null;
}

/** The result of uci_lookup_ptr on a loaded package. */
export interface UciLookup {
  status: 'ok' | 'inval';
  section: UciSection | null;
  option: UciOption | null;
  /** The real section name (resolved from `@type[N]`), or the name asked for. */
  sectionName: string | null;
  /** Everything named was found. */
  complete: boolean;
}

export function lookupPtr(pkg: UciPackage, ptr: UciPtr): UciLookup {
  const none: UciLookup = { status: 'ok', section: null, option: null, sectionName: ptr.section, complete: false };
  if (ptr.section === null) return { ...none, complete: true };
  let section: UciSection | null;
  if (ptr.extended) {
    const found = lookupExtSection(pkg, ptr.section);
    if (found === 'inval') return { ...none, status: 'inval' };
    section = found;
  } else {
    section = pkg.sections.find((s) => s.name === ptr.section) ?? null;
  }
  if (!section) return none;
  const found: UciLookup = { status: 'ok', section, option: null, sectionName: section.name, complete: true };
  if (ptr.option === null) return found;
  const option = section.options.find((o) => o.name === ptr.option) ?? null;
  return option ? { ...found, option } : { ...found, complete: false };
}
