/**
 * A byte-exact model of libuci's line reader and tokenizer (file.c:
 * uci_getln, parse_str, next_arg). libuci parses in place on a line buffer:
 * it compacts unquoted/quoted pieces towards the start of a token, writes
 * NUL terminators over delimiters and appends continuation lines at the
 * cursor. Its quirks (a NUL written over a ';' that directly follows an
 * unquoted word, line counts that ignore a last line without newline, byte
 * offsets within a logical line) follow from that, so we keep the same
 * buffer discipline rather than a conventional tokenizer.
 */

import { decodeUci } from './bytes.js';

const LINEBUF = 32;

export class ParseFail extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Buffer index `at` holds the byte read from source offset `src`, and so on linearly after it. */
interface Segment {
  at: number;
  src: number;
}

export class UciLexer {
  /**
   * The line buffer (bytes; 0 is a terminator). A typed array, so a 10 MB
   * line costs about 10 MB here, not an array of numbers per byte.
   */
  protected buf: Uint8Array = new Uint8Array(LINEBUF);
  protected bufsz = LINEBUF;
  protected filled = 0;
  protected pos = 0;
  /** libuci's line counter: newline-terminated lines read so far. */
  protected line = 0;
  protected eof = false;
  private next = 0;
  /** Where buffer bytes came from: one segment per read into the buffer, by ascending `at`. */
  private segments: Segment[] = [];

  constructor(protected readonly src: Uint8Array) {}

  protected ch(i: number): number {
    return i < this.buf.length ? this.buf[i]! : 0;
  }

  private ensure(size: number): void {
    if (size <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < size) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.buf);
    this.buf = grown;
  }

  /** Index of the terminator of the C string at i. */
  protected cend(i: number): number {
    if (i >= this.buf.length) return i;
    const end = this.buf.indexOf(0, i);
    return end < 0 ? this.buf.length : end;
  }

  protected cstrBytes(i: number): Uint8Array {
    return this.buf.subarray(i, this.cend(i));
  }

  protected cstr(i: number): string {
    return decodeUci(this.cstrBytes(i));
  }

  protected strlen(i: number): number {
    return this.cend(i) - i;
  }

  /** Source offset of a buffer index. */
  protected srcOffset(i: number): number {
    for (let k = this.segments.length - 1; k >= 0; k--) {
      const seg = this.segments[k]!;
      if (seg.at <= i) return Math.min(seg.src + (i - seg.at), this.src.length);
    }
    return this.src.length;
  }

  /** fgets(3): up to n-1 bytes, stopping after a newline; sets eof when the input ran out. */
  private fgets(n: number): { bytes: Uint8Array; start: number } | null {
    if (this.next >= this.src.length) {
      this.eof = true;
      return null;
    }
    const start = this.next;
    const limit = Math.min(this.src.length, start + n - 1);
    const nl = this.src.indexOf(10, start);
    const end = nl >= 0 && nl < limit ? nl + 1 : limit;
    if (end >= this.src.length && this.src[end - 1] !== 10) this.eof = true;
    this.next = end;
    return { bytes: this.src.subarray(start, end), start };
  }

  /** Records that reading into the buffer at `at` starts at source offset `src` (later bytes replace earlier ones). */
  private mark(at: number, src: number): void {
    while (this.segments.length > 0 && this.segments[this.segments.length - 1]!.at >= at) this.segments.pop();
    this.segments.push({ at, src });
  }

  /** uci_getln: read the next physical line into the buffer at `offset`. */
  protected getln(offset: number): void {
    if (offset >= this.bufsz - 1) this.bufsz *= 2;
    let ofs = offset;
    for (;;) {
      this.ensure(ofs + 1);
      this.buf[ofs] = 0;
      this.mark(ofs, this.next);
      const chunk = this.fgets(this.bufsz - ofs);
      if (!chunk || chunk.bytes[0] === 0) return;
      const { bytes } = chunk;
      this.ensure(ofs + bytes.length + 1);
      this.buf.set(bytes, ofs);
      this.buf[ofs + bytes.length] = 0;
      let len = bytes.indexOf(0);
      if (len < 0) len = bytes.length;
      ofs += len;
      this.filled = ofs;
      if (this.buf[ofs - 1] === 10) {
        this.line++;
        return;
      }
      this.bufsz *= 2;
    }
  }

  protected skipWhitespace(): void {
    while (this.ch(this.pos) !== 0 && isSpace(this.ch(this.pos))) this.pos++;
  }

  private addc(target: { v: number }): void {
    this.buf[target.v] = this.ch(this.pos);
    target.v++;
    this.pos++;
  }

  /** A backslash: true when the next byte is taken literally, false after a line continuation. */
  private parseBackslash(): boolean {
    this.pos++;
    const c = this.ch(this.pos);
    if (c === 0 || c === 10 || (c === 13 && this.ch(this.pos + 1) === 10 && this.ch(this.pos + 2) === 0)) {
      this.getln(this.pos);
      return false;
    }
    return true;
  }

  private parseDoubleQuote(target: { v: number }): void {
    this.pos++;
    for (;;) {
      const c = this.ch(this.pos);
      if (c === 0x22) {
        this.pos++;
        return;
      }
      if (c === 0) {
        this.getln(this.pos);
        if (this.ch(this.pos) === 0) throw new ParseFail('EOF with unterminated "');
        continue;
      }
      if (c === 0x5c && !this.parseBackslash()) continue;
      this.addc(target);
    }
  }

  private parseSingleQuote(target: { v: number }): void {
    this.pos++;
    for (;;) {
      const c = this.ch(this.pos);
      if (c === 0x27) {
        this.pos++;
        return;
      }
      if (c === 0) {
        this.getln(this.pos);
        if (this.ch(this.pos) === 0) throw new ParseFail("EOF with unterminated '");
        continue;
      }
      this.addc(target);
    }
  }

  /** parse_str: one argument, pieces in any quoting style glued together until whitespace. */
  private parseStr(target: { v: number }): void {
    let next = true;
    do {
      const c = this.ch(this.pos);
      if (c === 0x27) this.parseSingleQuote(target);
      else if (c === 0x22) this.parseDoubleQuote(target);
      else if (c === 0x23) {
        this.buf[this.pos] = 0;
        break;
      } else if (c === 0) break;
      else if (c === 0x3b) {
        next = false;
        break;
      } else if (c === 0x5c) {
        if (!this.parseBackslash()) continue;
        this.addc(target);
      } else this.addc(target);
    } while (this.ch(this.pos) !== 0 && !isSpace(this.ch(this.pos)));
    if (this.ch(this.pos) !== 0 && next) this.pos++;
    this.buf[target.v] = 0;
  }

  /** next_arg: returns the buffer index of the argument (an empty string when there is none). */
  protected nextArg(required: boolean, validate?: (bytes: Uint8Array) => boolean): number {
    this.skipWhitespace();
    const val = this.pos;
    if (this.ch(this.pos) === 0x3b) {
      this.buf[this.pos] = 0;
      this.pos++;
    } else {
      this.parseStr({ v: val });
    }
    if (this.ch(val) === 0) {
      if (required) throw new ParseFail('insufficient arguments');
      return val;
    }
    if (validate && !validate(this.cstrBytes(val))) throw new ParseFail('invalid character in name field');
    return val;
  }

  /** Starts a new logical line at the buffer start; false at the end of input. */
  protected readLine(): boolean {
    if (this.eof) return false;
    this.pos = 0;
    this.getln(0);
    return true;
  }
}
