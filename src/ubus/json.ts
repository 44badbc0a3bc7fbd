/**
 * JSON as the `ubus` tool reads and prints it (libubox blobmsg_json.c).
 *
 * parseUbusJson: like JSON.parse, but keeps what JSON.parse loses and the
 * tool keeps: a number written with a fraction or exponent is a double even
 * when its value is integral ("1.0" -> DOUBLE, not INT32), and integers
 * beyond 2^53 stay exact (bigint -> INT64). Integers beyond int64 saturate
 * at its limits, as json-c's json_object_get_int64 does. The top level must be
 * an object, as blobmsg_add_json_from_string requires.
 *
 * formatBlobmsgJson: blobmsg_format_json_with_cb over the wire bytes, so the
 * output is the tool's byte for byte: with indent >= 0 a newline and one tab
 * per level after every '{', '[' and ',' and before the closing bracket (an
 * empty table prints as "{\n\t\n}"), `"name": value`; without indent no
 * whitespace at all. int8 prints as true/false, doubles with printf's "%lf"
 * (six decimals), strings escape \b \n \t \r " \ / and other control bytes as \u00XX.
 * Pure.
 */
import { forEachBlobAttr } from './blob.js';
import { resolveBlobmsg, typed } from './blobmsg.js';
import { BLOBMSG_MAX_DEPTH, BlobmsgType } from './constants.js';
import { protocolError, UbusError } from './errors.js';

const tooDeep = (): UbusError => protocolError('data', `nesting of at most ${BLOBMSG_MAX_DEPTH} levels`);

class JsonCursor {
  pos = 0;
  constructor(readonly text: string) {}

  fail(expected: string): never {
    throw new UbusError('PARSE_ERROR', `invalid JSON at offset ${this.pos}: expected ${expected}`);
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const STRING_RE = /"((?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*)"/y;

function parseValue(c: JsonCursor, depth: number): unknown {
  if (depth > BLOBMSG_MAX_DEPTH) c.fail(`nesting of at most ${BLOBMSG_MAX_DEPTH} levels`);
  c.ws();
  const t = c.text;
  const ch = t[c.pos];
  if (ch === '{') {
    c.pos++;
    const obj: Record<string, unknown> = {};
    c.ws();
    if (t[c.pos] === '}') {
      c.pos++;
      return obj;
    }
    for (;;) {
      c.ws();
      if (t[c.pos] !== '"') c.fail('a string key');
      const key = parseString(c);
      c.ws();
      if (t[c.pos] !== ':') c.fail("':'");
      c.pos++;
      const v = parseValue(c, depth + 1);
      if (key === '__proto__') Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      else obj[key] = v;
      c.ws();
      if (t[c.pos] === ',') {
        c.pos++;
        continue;
      }
      if (t[c.pos] === '}') {
        c.pos++;
        return obj;
      }
      c.fail("',' or '}'");
    }
  }
  if (ch === '[') {
    c.pos++;
    const arr: unknown[] = [];
    c.ws();
    if (t[c.pos] === ']') {
      c.pos++;
      return arr;
    }
    for (;;) {
      arr.push(parseValue(c, depth + 1));
      c.ws();
      if (t[c.pos] === ',') {
        c.pos++;
        continue;
      }
      if (t[c.pos] === ']') {
        c.pos++;
        return arr;
      }
      c.fail("',' or ']'");
    }
  }
  if (ch === '"') return parseString(c);
  if (t.startsWith('true', c.pos)) {
    c.pos += 4;
    return true;
  }
  if (t.startsWith('false', c.pos)) {
    c.pos += 5;
    return false;
  }
  if (t.startsWith('null', c.pos)) {
    c.pos += 4;
    return null;
  }
  NUMBER_RE.lastIndex = c.pos;
  const m = NUMBER_RE.exec(t);
  if (!m) c.fail('a JSON value');
  c.pos += m[0].length;
  if (m[1] === undefined && m[2] === undefined) {
    const n = Number(m[0]);
    if (Number.isSafeInteger(n)) return n;
    // json_object_get_int64 saturates at the int64 limits.
    const b = BigInt(m[0]);
    if (b < -(2n ** 63n)) return -(2n ** 63n);
    if (b >= 2n ** 63n) return 2n ** 63n - 1n;
    return b;
  }
  const d = Number(m[0]);
  return Number.isInteger(d) ? typed('double', d) : d;
}

function parseString(c: JsonCursor): string {
  STRING_RE.lastIndex = c.pos;
  const m = STRING_RE.exec(c.text);
  if (!m) c.fail('a valid string');
  c.pos += m[0].length;
  return m[1]!.includes('\\') ? (JSON.parse(m[0]) as string) : m[1]!;
}

/** Parses a JSON object for a ubus message; throws a PARSE_ERROR UbusError. */
export function parseUbusJson(text: string): Record<string, unknown> {
  const c = new JsonCursor(text);
  c.ws();
  if (text[c.pos] !== '{') c.fail('a JSON object');
  const v = parseValue(c, 0) as Record<string, unknown>;
  c.ws();
  if (c.pos !== text.length) c.fail('the end of the input');
  return v;
}

function escapeJsonString(s: string): string {
  let out = '"';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    let esc: string | null = null;
    if (code === 0x08) esc = '\\b';
    else if (code === 0x0a) esc = '\\n';
    else if (code === 0x09) esc = '\\t';
    else if (code === 0x0d) esc = '\\r';
    else if (code === 0x22) esc = '\\"';
    else if (code === 0x5c) esc = '\\\\';
    else if (code === 0x2f) esc = '\\/';
    else if (code < 0x20) esc = '\\u00' + code.toString(16).padStart(2, '0');
    if (esc === null) continue;
    out += s.slice(last, i) + esc;
    last = i + 1;
  }
  return out + s.slice(last) + '"';
}

/** printf("%lf") for a double. */
export function formatDouble(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v < 0 ? '-inf' : 'inf';
  if (Math.abs(v) < 1e21) {
    const s = v.toFixed(6);
    return Object.is(v, -0) ? '-' + s : s;
  }
  return BigInt(v).toString() + '.000000';
}

interface FormatState {
  indent: boolean;
  level: number;
  out: string[];
  /** Replaces a leaf's printed value (cli.c's format_type for signatures); null keeps it. */
  leaf?: (type: number, buf: Buffer, start: number, end: number) => string | null;
}

function separator(s: FormatState): void {
  if (!s.indent) return;
  s.out.push('\n' + '\t'.repeat(Math.min(s.level, 16)));
}

function formatList(s: FormatState, buf: Buffer, start: number, end: number, array: boolean): void {
  s.out.push(array ? '[' : '{');
  s.level++;
  separator(s);
  let first = true;
  forEachBlobAttr(buf, start, end, 'data', (a) => {
    if (!first) {
      s.out.push(',');
      separator(s);
    }
    formatElement(s, buf, a, array);
    first = false;
  });
  s.level--;
  separator(s);
  s.out.push(array ? ']' : '}');
}

function formatElement(s: FormatState, buf: Buffer, a: Parameters<typeof resolveBlobmsg>[1], array: boolean): void {
  const m = resolveBlobmsg(buf, a, 'data');
  if (!array && m.name) s.out.push(escapeJsonString(m.name), s.indent ? ': ' : ':');
  if (s.leaf && m.type !== BlobmsgType.TABLE && m.type !== BlobmsgType.ARRAY) {
    const r = s.leaf(m.type, buf, m.dataStart, m.dataEnd);
    if (r !== null) {
      s.out.push(r);
      return;
    }
  }
  switch (m.type) {
    case BlobmsgType.UNSPEC:
      s.out.push('null');
      return;
    case BlobmsgType.INT8:
      s.out.push(buf[m.dataStart] ? 'true' : 'false');
      return;
    case BlobmsgType.INT16:
      s.out.push(String(buf.readInt16BE(m.dataStart)));
      return;
    case BlobmsgType.INT32:
      s.out.push(String(buf.readInt32BE(m.dataStart)));
      return;
    case BlobmsgType.INT64:
      s.out.push(buf.readBigInt64BE(m.dataStart).toString());
      return;
    case BlobmsgType.DOUBLE:
      s.out.push(formatDouble(buf.readDoubleBE(m.dataStart)));
      return;
    case BlobmsgType.STRING: {
      const nul = buf.indexOf(0, m.dataStart);
      s.out.push(escapeJsonString(buf.toString('utf8', m.dataStart, nul)));
      return;
    }
    case BlobmsgType.ARRAY:
      if (s.level >= BLOBMSG_MAX_DEPTH) throw tooDeep();
      formatList(s, buf, m.dataStart, m.dataEnd, true);
      return;
    case BlobmsgType.TABLE:
      if (s.level >= BLOBMSG_MAX_DEPTH) throw tooDeep();
      formatList(s, buf, m.dataStart, m.dataEnd, false);
      return;
  }
}

/**
 * Formats the members of a table (the payload of UBUS_ATTR_DATA) as JSON.
 * indent < 0: compact (blobmsg_format_json); indent >= 0: the tool's pretty form.
 */
export function formatBlobmsgJson(tableContent: Buffer, indent = -1): string {
  const s: FormatState = { indent: indent >= 0, level: Math.max(indent, 0), out: [] };
  formatList(s, tableContent, 0, tableContent.length, false);
  return s.out.join('');
}

/** Formats one attribute (e.g. a method of a signature) as `"name":value`, compact, with a leaf hook. */
export function formatBlobmsgElement(buf: Buffer, start: number, end: number, leaf: FormatState['leaf']): string[] {
  const lines: string[] = [];
  forEachBlobAttr(buf, start, end, 'signature', (a) => {
    const s: FormatState = { indent: false, level: 0, out: [], leaf };
    formatElement(s, buf, a, false);
    lines.push(s.out.join(''));
  });
  return lines;
}
