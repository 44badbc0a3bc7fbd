import type { UciOption, UciPackage, UciSection } from './types.js';

/**
 * Text output byte-identical to the `uci` tool: `export` (file.c
 * uci_export_package, also what `commit` writes) and `show`/`get`
 * (cli.c uci_show_*).
 */

/** uci_escape: every ' becomes '\'' (the caller adds the surrounding quotes). */
export function uciEscape(s: string): string {
  return s.replaceAll("'", "'\\''");
}

/** uci_print_value: a value in single quotes. */
export function uciQuote(s: string): string {
  return `'${uciEscape(s)}'`;
}

export interface ExportOptions {
  /** Print `package <name>` first (`uci export` does, a committed file does not). */
  header?: boolean;
  /** Name anonymous sections too (`uci -n export`). */
  exportNames?: boolean;
}

export function exportUci(pkg: UciPackage, options: ExportOptions = {}): string {
  const out: string[] = [];
  if (options.header ?? true) out.push(`package ${uciEscape(pkg.name)}\n`);
  for (const sec of pkg.sections) {
    // The type is escaped but not quoted, exactly as libuci does.
    out.push(`\nconfig ${uciEscape(sec.type)}`);
    if (!sec.anonymous || options.exportNames) out.push(` '${uciEscape(sec.name)}'`);
    out.push('\n');
    for (const opt of sec.options) {
      if (Array.isArray(opt.value)) {
        for (const item of opt.value) out.push(`\tlist ${uciEscape(opt.name)} '${uciEscape(item)}'\n`);
      } else {
        out.push(`\toption ${uciEscape(opt.name)} '${uciEscape(opt.value)}'\n`);
      }
    }
  }
  out.push('\n');
  return out.join('');
}

export interface ShowOptions {
  /** `@type[N]` references for anonymous sections (default; `uci -X` turns it off). */
  extended?: boolean;
  /** Separator between list items (`uci -d`), default one space. */
  delimiter?: string;
}

/** uci_show_value with quote=true (show) or false (get). */
export function showValue(opt: UciOption, quote: boolean, delimiter = ' '): string {
  if (!Array.isArray(opt.value)) return `${quote ? uciQuote(opt.value) : opt.value}\n`;
  const parts = opt.value.map((item) => (!quote && !/[ \t\r\n]/.test(item) ? item : uciQuote(item)));
  return `${parts.join(delimiter)}\n`;
}

export function showOption(pkg: UciPackage, sectionRef: string, opt: UciOption, delimiter = ' '): string {
  return `${pkg.name}.${sectionRef}.${opt.name}=${showValue(opt, true, delimiter)}`;
}

export function showSection(pkg: UciPackage, sec: UciSection, sectionRef = sec.name, delimiter = ' '): string {
  let out = `${pkg.name}.${sectionRef}=${sec.type}\n`;
  for (const opt of sec.options) out += showOption(pkg, sectionRef, opt, delimiter);
  return out;
}

/** `uci show <package>`: anonymous sections as @type[N], N counting every section of that type. */
export function showUci(pkg: UciPackage, options: ShowOptions = {}): string {
  const extended = options.extended ?? true;
  const delimiter = options.delimiter ?? ' ';
  const counters = new Map<string, number>();
  let out = '';
  for (const sec of pkg.sections) {
    let ref = sec.name;
    if (extended) {
      const idx = counters.get(sec.type) ?? 0;
      counters.set(sec.type, idx + 1);
      if (sec.anonymous) ref = `@${sec.type}[${idx}]`;
    }
    out += showSection(pkg, sec, ref, delimiter);
  }
  return out;
}
