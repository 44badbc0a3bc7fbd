import type { UciPackage, UciParseError, UciPosition, UciSection } from './types.js';
import { emptyPackage } from './types.js';
import { ParseFail, UciLexer } from './lexer.js';
import { validateBytes } from './validate.js';
import { encodeUci } from './bytes.js';
import type { OptionIndex } from './tree-ops.js';
import {
  addAnonymousSection,
  addListValue,
  addNamedSection,
  changeSectionType,
  findSection,
  setOptionValue,
} from './tree-ops.js';

export interface ParseOptions {
  /** Package name; defaults to the file name after its last '/'. */
  packageName?: string;
  /**
   * libuci's strict mode (the `uci` default): stop at the first error. When
   * false (`uci -S`), a bad line is reported and parsing goes on.
   */
  strict?: boolean;
}

export interface ParseResult {
  /** False when a strict parse stopped at an error. */
  ok: boolean;
  /** The tree (partial when ok is false). */
  package: UciPackage;
  /** Every error met (at most one in strict mode). */
  errors: UciParseError[];
}

function validName(bytes: Uint8Array): boolean {
  return validateBytes(bytes, true, false);
}

function validPackageLine(bytes: Uint8Array): boolean {
  return validateBytes(bytes, true, true);
}

function validType(bytes: Uint8Array): boolean {
  return validateBytes(bytes, false, false);
}

/** The grammar of file.c (uci_parse_line and the package/config/option handlers). */
class FileParser extends UciLexer {
  private section: UciSection | null = null;
  /** Option positions per section, built as the parser fills it (see OptionIndex). */
  private readonly indexes = new Map<UciSection, OptionIndex>();
  /** Offsets where lines start (a typed array: 4 bytes per line, whatever the file holds). */
  private readonly lineStarts: Uint32Array;
  readonly errors: UciParseError[] = [];

  constructor(
    src: Uint8Array,
    private readonly file: string,
    private readonly strict: boolean,
    readonly pkg: UciPackage,
  ) {
    super(src);
    let lines = 1;
    for (let i = src.indexOf(10); i >= 0; i = src.indexOf(10, i + 1)) lines++;
    this.lineStarts = new Uint32Array(lines);
    let k = 1;
    for (let i = src.indexOf(10); i >= 0; i = src.indexOf(10, i + 1)) this.lineStarts[k++] = i + 1;
  }

  private position(offset: number): UciPosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  private at(bufIndex: number): UciPosition {
    return this.position(this.srcOffset(bufIndex));
  }

  /** Where the cursor stands; at a terminator, just after the last byte read. */
  private errorPosition(): UciPosition {
    if (this.ch(this.pos) !== 0 || this.pos === 0) return this.at(this.pos);
    const last = this.position(this.srcOffset(this.pos - 1));
    return { ...last, column: last.column + 1 };
  }

  run(): boolean {
    while (this.readLine()) {
      if (this.ch(0) === 0) continue;
      try {
        this.parseLine();
      } catch (e) {
        if (!(e instanceof ParseFail)) throw e;
        this.errors.push({ reason: e.reason, pos: this.errorPosition(), uciLine: this.line, uciByte: this.pos });
        if (this.strict) return false;
      }
    }
    return true;
  }

  /** strtok(str, " \t"): skips blanks, NUL-terminates the word; null when the line is used up. */
  private strtok(start: number): number | null {
    let i = start;
    while (this.ch(i) === 32 || this.ch(i) === 9) i++;
    if (this.ch(i) === 0) return null;
    const word = i;
    while (this.ch(i) !== 0 && this.ch(i) !== 32 && this.ch(i) !== 9) i++;
    if (this.ch(i) !== 0) this.buf[i] = 0;
    return word;
  }

  private parseLine(): void {
    this.skipWhitespace();
    for (;;) {
      const w = this.strtok(this.pos);
      if (w === null) return;
      const word = this.cstr(w);
      const cmdPos = this.at(w);
      const is = (full: string): boolean => word.length === 1 || word === full;
      switch (word[0]) {
        case '#':
          return;
        case 'p':
          if (!is('package')) throw new ParseFail('invalid command');
          this.parsePackage();
          break;
        case 'c':
          if (!is('config')) throw new ParseFail('invalid command');
          this.parseConfig(cmdPos);
          break;
        case 'o':
          if (!is('option')) throw new ParseFail('invalid command');
          this.parseOption(false, cmdPos);
          break;
        case 'l':
          if (!is('list')) throw new ParseFail('invalid command');
          this.parseOption(true, cmdPos);
          break;
        default:
          throw new ParseFail('invalid command');
      }
    }
  }

  /** Skips the command word (uci_increase_pos over the word and its terminator). */
  private skipCommand(reason: string): void {
    const add = this.strlen(this.pos) + 1;
    if (this.pos + add > this.filled) throw new ParseFail(reason);
    this.pos += add;
  }

  private assertEol(): void {
    this.skipWhitespace();
    const v = this.nextArg(false);
    if (this.ch(v) !== 0 && this.strict) throw new ParseFail('too many arguments');
  }

  /** A `package` line inside a config file is checked and otherwise ignored, as in uci_load. */
  private parsePackage(): void {
    this.skipCommand('package without name');
    this.nextArg(true, validPackageLine);
    this.assertEol();
  }

  private parseConfig(cmdPos: UciPosition): void {
    this.skipCommand('config without name');
    const typeAt = this.nextArg(true);
    if (!validType(this.cstrBytes(typeAt))) throw new ParseFail('invalid character in type field');
    const nameAt = this.nextArg(false, validName);
    this.assertEol();
    const type = this.cstr(typeAt);
    const name = this.cstr(nameAt);
    if (name === '') {
      this.section = addAnonymousSection(this.pkg, type, cmdPos);
      return;
    }
    const existing = findSection(this.pkg, name);
    if (existing) {
      if (this.strict && existing.type !== type) {
        throw new ParseFail('section of different type overwrites prior section with same name');
      }
      changeSectionType(existing, type);
      (existing.redefinedAt ??= []).push(cmdPos);
      this.section = existing;
    } else {
      this.section = addNamedSection(this.pkg, name, type, cmdPos);
    }
  }

  private indexOf(sec: UciSection): OptionIndex {
    let index = this.indexes.get(sec);
    if (!index) {
      index = new Map(sec.options.map((o, i) => [o.name, i]));
      this.indexes.set(sec, index);
    }
    return index;
  }

  private parseOption(list: boolean, cmdPos: UciPosition): void {
    if (!this.section) throw new ParseFail('option/list command found before the first section');
    this.skipCommand('option without name');
    const nameAt = this.nextArg(true, validName);
    const valueAt = this.nextArg(false);
    this.assertEol();
    const name = this.cstr(nameAt);
    const value = this.cstr(valueAt);
    const index = this.indexOf(this.section);
    if (list) {
      addListValue(this.section, name, value, cmdPos, index);
      return;
    }
    // The parser's lookup never marks itself complete, so an empty value is
    // ignored here (it does not delete the option as `uci set` would).
    if (value === '') return;
    setOptionValue(this.section, name, value, cmdPos, index);
  }
}

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * Parses a UCI file the way `uci` loads /etc/config/<name>: `text` is the
 * file's content, `fileName` names it in positions.
 */
export function parseUci(text: string | Uint8Array, fileName: string, options: ParseOptions = {}): ParseResult {
  const bytes = typeof text === 'string' ? encodeUci(text) : text;
  const pkg = emptyPackage(options.packageName ?? baseName(fileName));
  const parser = new FileParser(bytes, fileName, options.strict ?? true, pkg);
  const ok = parser.run();
  return { ok, package: pkg, errors: parser.errors };
}
