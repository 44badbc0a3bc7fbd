/**
 * The in-memory UCI tree, shaped like libuci's: a package holds sections in
 * file order, a section holds options in order, an option is a string or a
 * list of strings. Source positions are kept so that consumers can point at
 * the line a value came from.
 */

/** A place in a source file; line and column count from 1. */
export interface UciPosition {
  file: string;
  line: number;
  column: number;
}

export interface UciOption {
  name: string;
  /** A string for `option`, an array for `list`. */
  value: string | string[];
  /** Where the command that last set this option (or started the list) stands. */
  pos?: UciPosition;
  /** For lists: where each item came from (same length as value), when parsed from a file. */
  itemPos?: UciPosition[];
}

export interface UciSection {
  /** The real name; anonymous sections get libuci's generated `cfgXXYYYY` name. */
  name: string;
  type: string;
  anonymous: boolean;
  options: UciOption[];
  pos?: UciPosition;
  /** Where later `config` lines of the same name stood: libuci merged them into this section without a word. */
  redefinedAt?: UciPosition[];
}

export interface UciPackage {
  name: string;
  sections: UciSection[];
  /**
   * libuci's per-package section counter: it numbers generated names
   * (`cfg` + counter in hex + hash) and only ever grows.
   */
  sectionCounter: number;
}

/** A parse problem with uci's own wording and libuci's line/byte counters. */
export interface UciParseError {
  /** uci's reason, e.g. "invalid command". */
  reason: string;
  /** The position in the source text (1-based line and column). */
  pos: UciPosition;
  /** libuci's counters as `uci` prints them ("at line L, byte B"). */
  uciLine: number;
  uciByte: number;
}

export function emptyPackage(name: string): UciPackage {
  return { name, sections: [], sectionCounter: 0 };
}

/** `file:line:column: reason`, the form editors and compilers use. */
export function formatParseError(e: UciParseError): string {
  return `${e.pos.file}:${e.pos.line}:${e.pos.column}: ${e.reason}`;
}

/** The message the `uci` tool prints for a parse error (without the "uci: " prefix). */
export function uciParseMessage(e: UciParseError): string {
  return `Parse error (${e.reason}) at line ${e.uciLine}, byte ${e.uciByte}`;
}
