import { UciLexer, ParseFail } from './lexer.js';
import { uciQuote } from './export.js';
import { parsePtr } from './ptr.js';
import { isValidName } from './validate.js';
import { encodeUci } from './bytes.js';

/**
 * Uncommitted changes, as libuci keeps them in its save directory
 * (/tmp/.uci/<package>): one line per change, `<c><pkg>.<sec>[.<opt>]='<v>'`
 * with c = '+' add, '-' remove, '@' rename, '^' reorder, '|' list add,
 * '~' list delete, nothing for a change (delta.c).
 */
export type UciDeltaCmd = 'add' | 'remove' | 'change' | 'rename' | 'reorder' | 'list-add' | 'list-del';

export interface UciDelta {
  cmd: UciDeltaCmd;
  section: string;
  option: string | null;
  value: string | null;
}

const PREFIX: Readonly<Record<UciDeltaCmd, string>> = {
  add: '+',
  remove: '-',
  change: '',
  rename: '@',
  reorder: '^',
  'list-add': '|',
  'list-del': '~',
};

const BY_PREFIX = new Map<string, UciDeltaCmd>(
  (Object.entries(PREFIX) as Array<[UciDeltaCmd, string]>).filter(([, p]) => p !== '').map(([c, p]) => [p, c]),
);

/** uci_delta_save: one line of a delta file. */
export function formatDelta(pkgName: string, d: UciDelta): string {
  let line = `${PREFIX[d.cmd]}${pkgName}.${d.section}`;
  if (d.option !== null) line += `.${d.option}`;
  if (d.cmd === 'remove' && d.value === null) return `${line}\n`;
  return `${line}=${uciQuote(d.value ?? '')}\n`;
}

/** One line of `uci changes` (cli.c uci_show_changes). */
export function formatChange(pkgName: string, d: UciDelta): string {
  const prefix = d.cmd === 'remove' ? '-' : '';
  const op = d.cmd === 'list-add' ? '+=' : d.cmd === 'list-del' ? '-=' : '=';
  let line = `${prefix}${pkgName}.${d.section}`;
  if (d.option !== null) line += `.${d.option}`;
  if (d.cmd !== 'remove') line += `${op}${uciQuote(d.value ?? '')}`;
  return `${line}\n`;
}

/** Reads a delta file: each logical line is one quoted argument (uci_parse_argument). */
class DeltaReader extends UciLexer {
  /** The next argument, null at the end of input, 'bad' for a line that does not parse. */
  nextLine(): string | null | 'bad' {
    if (!this.readLine()) return null;
    if (this.ch(0) === 0) return '';
    try {
      const at = this.nextArg(false);
      if (this.ch(this.pos) !== 0) return 'bad';
      return this.cstr(at);
    } catch (e) {
      if (e instanceof ParseFail) return 'bad';
      throw e;
    }
  }
}

/**
 * uci_parse_delta_tuple: null for a line libuci would reject. pkgName null
 * skips the package check, as uci_filter_delta (revert) does.
 */
export function parseDeltaArgument(arg: string, pkgName: string | null): UciDelta | null {
  const cmd = BY_PREFIX.get(arg[0] ?? '') ?? 'change';
  const ptr = parsePtr(cmd === 'change' ? arg : arg.slice(1));
  if (!ptr || ptr.section === null || ptr.extended) return null;
  if (cmd !== 'remove' && ptr.value === null) return null;
  if (cmd === 'reorder' && ptr.option !== null) return null;
  if (cmd === 'rename' && !isValidName(ptr.value ?? '')) return null;
  if ((cmd === 'list-add' || cmd === 'list-del') && ptr.option === null) return null;
  if (pkgName !== null && ptr.package !== pkgName) return null;
  return { cmd, section: ptr.section, option: ptr.option, value: ptr.value };
}

/** All well-formed deltas of a delta file for package pkgName, in order. */
export function parseDeltaFile(content: Uint8Array | string, pkgName: string): UciDelta[] {
  const bytes = typeof content === 'string' ? encodeUci(content) : content;
  const reader = new DeltaReader(bytes);
  const out: UciDelta[] = [];
  for (;;) {
    const arg = reader.nextLine();
    if (arg === null) return out;
    if (arg === '' || arg === 'bad') continue;
    const d = parseDeltaArgument(arg, pkgName);
    if (d) out.push(d);
  }
}

/**
 * uci_filter_delta, the core of `uci revert`: the save file without the
 * changes to `section` (and `option`), every kept line rewritten under
 * pkgName. null when a line does not parse: libuci then stops and leaves
 * the file as it was.
 */
export function filterDeltaFile(content: Uint8Array, pkgName: string, section: string | null, option: string | null): string | null {
  const reader = new DeltaReader(content);
  let out = '';
  for (;;) {
    const arg = reader.nextLine();
    if (arg === null) return out;
    if (arg === '') continue;
    const d = arg === 'bad' ? null : parseDeltaArgument(arg, null);
    if (!d) return null;
    const matches = (section === null || d.section === section) && (option === null || d.option === option);
    if (!matches) out += formatDelta(pkgName, d);
  }
}
