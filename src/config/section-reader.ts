import type { UciOption, UciSection } from '../uci/index.js';
import type { ConfigProblem } from './problems.js';
import type { DefaultValue, OptionSchema, SectionSchema } from './schema.js';
import { checkFormat, expectedText } from './formats.js';

/** A value after checking: scalars for options, arrays of strings for lists. */
export type TypedValue = boolean | number | string | null | string[];

const TRUE = new Set(['1', 'yes', 'on', 'true', 'enabled']);
const FALSE = new Set(['0', 'no', 'off', 'false', 'disabled']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function quote(v: string): string {
  return JSON.stringify(v);
}

/** Checks one scalar against its type; the typed value or what was expected. */
export function convertScalar(schema: OptionSchema, raw: string): { value: TypedValue } | { expected: string } {
  const type = schema.type;
  switch (type.kind) {
    case 'bool':
      if (TRUE.has(raw)) return { value: true };
      if (FALSE.has(raw)) return { value: false };
      return { expected: 'a boolean (1/0, yes/no, on/off, true/false)' };
    case 'int': {
      const hex = type.hex === true && /^0x[0-9a-fA-F]{1,8}$/.test(raw);
      const n = hex ? parseInt(raw.slice(2), 16) : /^[+-]?\d{1,12}$/.test(raw) ? Number(raw) : NaN;
      const what = `an integer from ${type.min} to ${type.max}${type.hex ? ' (decimal or 0x hex)' : ''}`;
      if (!Number.isInteger(n) || n < type.min || n > type.max) return { expected: what };
      return { value: n };
    }
    case 'number': {
      const n = NUMBER.test(raw) ? Number(raw) : NaN;
      const bounds: string[] = [];
      if (type.greaterThan !== undefined) bounds.push(`> ${type.greaterThan}`);
      if (type.min !== undefined) bounds.push(`>= ${type.min}`);
      if (type.max !== undefined) bounds.push(`<= ${type.max}`);
      const what = `a number${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
      if (!Number.isFinite(n)) return { expected: what };
      if (type.greaterThan !== undefined && !(n > type.greaterThan)) return { expected: what };
      if (type.min !== undefined && n < type.min) return { expected: what };
      if (type.max !== undefined && n > type.max) return { expected: what };
      return { value: n };
    }
    case 'enum':
      if (type.values.includes(raw)) return { value: raw };
      return { expected: `one of ${type.values.join(', ')}` };
    case 'string': {
      const expected = checkFormat(type.format, raw);
      return expected === null ? { value: raw } : { expected };
    }
  }
}

function defaultValue(d: DefaultValue): TypedValue {
  return Array.isArray(d) ? [...(d as readonly string[])] : (d as TypedValue);
}

/**
 * Reads the options of one section through its schema, collecting problems
 * (unknown options are warnings); absent options get their defaults.
 */
export class SectionReader {
  readonly values = new Map<string, TypedValue>();
  /** Options that were present in the file (and valid). */
  readonly present = new Set<string>();

  constructor(
    readonly section: UciSection,
    readonly ref: string,
    private readonly schema: SectionSchema,
    private readonly file: string,
    private readonly problems: ConfigProblem[],
  ) {
    for (const opt of schema.options) this.values.set(opt.name, defaultValue(opt.default));
    for (const opt of section.options) this.readOption(opt);
    for (const opt of schema.options) {
      if (opt.required && !this.present.has(opt.name) && !this.hasProblem(opt.name)) {
        this.error(null, opt.name, `missing; expected ${describe(opt)}`);
      }
    }
  }

  /** Options of this section with an error (a set, so checking stays linear in the number of options). */
  private readonly erroneous = new Set<string | null>();

  private hasProblem(option: string): boolean {
    return this.erroneous.has(option);
  }

  lineOf(option: string | null): number | null {
    const o = option === null ? undefined : this.section.options.find((x) => x.name === option);
    return o?.pos?.line ?? this.section.pos?.line ?? null;
  }

  error(line: number | null, option: string | null, message: string): void {
    this.erroneous.add(option);
    this.problems.push({ severity: 'error', file: this.file, line: line ?? this.lineOf(option), section: this.ref, option, message });
  }

  warn(line: number | null, option: string | null, message: string): void {
    this.problems.push({ severity: 'warning', file: this.file, line: line ?? this.lineOf(option), section: this.ref, option, message });
  }

  private readOption(opt: UciOption): void {
    const schema = this.schema.options.find((o) => o.name === opt.name);
    const line = opt.pos?.line ?? null;
    if (!schema) {
      this.warn(line, opt.name, `unknown option for a '${this.schema.type}' section (ignored)`);
      return;
    }
    if (!schema.list) {
      if (Array.isArray(opt.value)) {
        this.error(line, opt.name, 'expected a single value (option), got a list');
        return;
      }
      const r = convertScalar(schema, opt.value);
      if ('expected' in r) {
        this.error(line, opt.name, `expected ${r.expected}, got ${quote(opt.value)}`);
        return;
      }
      this.values.set(opt.name, r.value);
      this.present.add(opt.name);
      return;
    }
    // A plain option where a list is expected counts as a one-item list, as OpenWrt tools treat it.
    const items = Array.isArray(opt.value) ? opt.value : [opt.value];
    const out: string[] = [];
    let bad = false;
    items.forEach((item, i) => {
      const r = convertScalar(schema, item);
      if ('expected' in r) {
        bad = true;
        this.error(opt.itemPos?.[i]?.line ?? line, opt.name, `expected ${r.expected}, got ${quote(item)}`);
      } else out.push(String(r.value));
    });
    if (!bad) {
      this.values.set(opt.name, out);
      this.present.add(opt.name);
    }
  }

  bool(name: string): boolean {
    return this.values.get(name) === true;
  }

  num(name: string): number {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : 0;
  }

  numOrNull(name: string): number | null {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : null;
  }

  str(name: string): string {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : '';
  }

  strOrNull(name: string): string | null {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : null;
  }

  list(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : [];
  }
}

export function describe(opt: OptionSchema): string {
  const t = opt.type;
  switch (t.kind) {
    case 'bool':
      return 'a boolean';
    case 'int':
      return `an integer from ${t.min} to ${t.max}`;
    case 'number':
      return 'a number';
    case 'enum':
      return `one of ${t.values.join(', ')}`;
    case 'string':
      return expectedText(t.format);
  }
}
