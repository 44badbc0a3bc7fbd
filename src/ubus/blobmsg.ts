/**
 * blobmsg (libubox blobmsg.h): blob attributes with the extended flag set and
 * a name header: namelen u16 BE, the name bytes, a NUL, zero padding so that
 * the header is a multiple of 4 (blobmsg_hdrlen), then the value. A table's
 * or array's value is its children, each padded to 4 bytes.
 *
 * JS values <-> blobmsg, as the `ubus` tool maps JSON (blobmsg_json.c):
 *   object -> TABLE, array -> ARRAY, string -> STRING, boolean -> INT8 (BOOL),
 *   integer in int32 range -> INT32, other integer within int64 -> INT64,
 *   anything else (fractions, NaN, Infinity, |n| >= 2^63) -> DOUBLE,
 *   null -> UNSPEC without data; bigint -> INT64; Uint8Array -> UNSPEC with bytes.
 *   `undefined` members of an object are left out, as JSON.stringify does.
 * Decoding: INT8 -> boolean (the tool prints it as true/false), INT16/INT32
 *   -> signed number, INT64 -> number, or bigint outside +-2^53, DOUBLE ->
 *   number, UNSPEC -> null (or a Buffer when it carries bytes).
 * Use typed(...) to force a wire type (e.g. an INT64 argument whose value is small).
 * Pure.
 */
import { BlobWriter, forEachBlobAttr } from './blob.js';
import type { BlobAttrView } from './blob.js';
import { BLOBMSG_MAX_DEPTH, BLOBMSG_TYPE_LAST, BlobmsgType, padLen } from './constants.js';
import { protocolError, UbusError } from './errors.js';

export type BlobmsgTypeName = 'unspec' | 'array' | 'table' | 'string' | 'int64' | 'int32' | 'int16' | 'int8' | 'bool' | 'double';

export const BLOBMSG_TYPE_BY_NAME: Record<BlobmsgTypeName, number> = {
  unspec: BlobmsgType.UNSPEC,
  array: BlobmsgType.ARRAY,
  table: BlobmsgType.TABLE,
  string: BlobmsgType.STRING,
  int64: BlobmsgType.INT64,
  int32: BlobmsgType.INT32,
  int16: BlobmsgType.INT16,
  int8: BlobmsgType.INT8,
  bool: BlobmsgType.BOOL,
  double: BlobmsgType.DOUBLE,
};

const TYPE_NAMES = ['unspec', 'array', 'table', 'string', 'int64', 'int32', 'int16', 'bool', 'double'] as const;

export function blobmsgTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type ${type}`;
}

/** A value with an explicit wire type. */
export class BlobmsgTyped {
  constructor(
    readonly type: BlobmsgTypeName,
    readonly value: unknown,
  ) {}
}

export function typed(type: BlobmsgTypeName, value: unknown): BlobmsgTyped {
  return new BlobmsgTyped(type, value);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function encodeError(path: string, expected: string): UbusError {
  return new UbusError('INVALID_ARGUMENT', `cannot encode ${path || 'value'} as blobmsg: expected ${expected}`);
}

function openNamed(w: BlobWriter, type: number, name: string): number {
  const start = w.open(type, true);
  const lenPos = w.pos;
  w.u16(0);
  const nameBytes = w.cstring(name);
  if (nameBytes > 0xffff) throw encodeError(name.slice(0, 32), 'a name of at most 65535 bytes');
  w.buf.writeUInt16BE(nameBytes, lenPos);
  w.pad();
  return start;
}

function toInt64(v: unknown, path: string): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else throw encodeError(path, 'an integer');
  if (b < INT64_MIN || b > INT64_MAX) throw encodeError(path, 'an integer within int64');
  return b;
}

function writeTyped(w: BlobWriter, name: string, t: BlobmsgTyped, path: string, depth: number): void {
  const v = t.value;
  const id = BLOBMSG_TYPE_BY_NAME[t.type];
  if (id === undefined) throw encodeError(path, 'a known blobmsg type name');
  if (t.type === 'table' || t.type === 'array') {
    writeValue(w, name, v, path, depth);
    return;
  }
  if (t.type === 'string' && typeof v !== 'string') throw encodeError(path, 'a string');
  const start = openNamed(w, id, name);
  switch (t.type) {
    case 'unspec':
      if (v instanceof Uint8Array) w.bytes(v);
      else if (v !== null && v !== undefined) throw encodeError(path, 'null or bytes for unspec');
      break;
    case 'string':
      writeString(w, v as string, path);
      break;
    case 'int64':
      w.i64(toInt64(v, path));
      break;
    case 'int32':
    case 'int16':
    case 'int8':
    case 'bool': {
      const n = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw encodeError(path, 'an integer');
      if (t.type === 'int32') w.u32(n);
      else if (t.type === 'int16') w.u16(n);
      else w.u8(t.type === 'bool' ? (n ? 1 : 0) : n);
      break;
    }
    case 'double':
      if (typeof v !== 'number') throw encodeError(path, 'a number');
      w.f64(v);
      break;
  }
  w.close(start);
}

function writeString(w: BlobWriter, s: string, path: string): void {
  if (s.includes('\0')) throw encodeError(path, 'a string without NUL characters');
  w.cstring(s);
}

/** Writes one named blobmsg attribute for a JS value. */
export function writeValue(w: BlobWriter, name: string, v: unknown, path: string, depth: number): void {
  if (depth > BLOBMSG_MAX_DEPTH) throw encodeError(path, `nesting of at most ${BLOBMSG_MAX_DEPTH} levels`);
  let start: number;
  switch (typeof v) {
    case 'string':
      start = openNamed(w, BlobmsgType.STRING, name);
      writeString(w, v, path);
      break;
    case 'boolean':
      start = openNamed(w, BlobmsgType.INT8, name);
      w.u8(v ? 1 : 0);
      break;
    case 'number':
      if (Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) {
        start = openNamed(w, BlobmsgType.INT32, name);
        w.u32(v);
      } else if (Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63) {
        start = openNamed(w, BlobmsgType.INT64, name);
        w.i64(BigInt(v));
      } else {
        start = openNamed(w, BlobmsgType.DOUBLE, name);
        w.f64(v);
      }
      break;
    case 'bigint':
      start = openNamed(w, BlobmsgType.INT64, name);
      w.i64(toInt64(v, path));
      break;
    case 'object':
      if (v === null) {
        start = openNamed(w, BlobmsgType.UNSPEC, name);
        break;
      }
      if (v instanceof BlobmsgTyped) {
        writeTyped(w, name, v, path, depth);
        return;
      }
      if (Array.isArray(v)) {
        start = openNamed(w, BlobmsgType.ARRAY, name);
        for (let i = 0; i < v.length; i++) writeValue(w, '', v[i], `${path}[${i}]`, depth + 1);
        break;
      }
      if (v instanceof Uint8Array) {
        start = openNamed(w, BlobmsgType.UNSPEC, name);
        w.bytes(v);
        break;
      }
      start = openNamed(w, BlobmsgType.TABLE, name);
      writeTableContent(w, v as Record<string, unknown>, path, depth + 1);
      break;
    default:
      throw encodeError(path, `a JSON-like value, got ${typeof v}`);
  }
  w.close(start);
}

/** Writes the members of a table (without the table's own header). */
export function writeTableContent(w: BlobWriter, obj: Record<string, unknown>, path = '', depth = 0): void {
  if (depth > BLOBMSG_MAX_DEPTH) throw encodeError(path, `nesting of at most ${BLOBMSG_MAX_DEPTH} levels`);
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const v = obj[key];
    if (v === undefined) continue;
    writeValue(w, key, v, path ? `${path}.${key}` : key, depth);
  }
}

/** The payload of a TABLE holding obj's members: what UBUS_ATTR_DATA carries. */
export function encodeTableContent(obj: Record<string, unknown>): Buffer {
  const w = new BlobWriter(256);
  writeTableContent(w, obj);
  return w.toBuffer();
}

/** A blobmsg attribute with its name and value range resolved and checked. */
export interface BlobmsgAttr {
  type: number;
  name: string;
  dataStart: number;
  dataEnd: number;
  next: number;
}

/** Resolves name and data of a blobmsg attribute, checked as blobmsg_check_attr_len does. */
export function resolveBlobmsg(buf: Buffer, a: BlobAttrView, where: string): BlobmsgAttr {
  const type = a.id;
  if (type > BLOBMSG_TYPE_LAST) throw protocolError(where, `a blobmsg type <= ${BLOBMSG_TYPE_LAST}, got ${type}`);
  let name = '';
  let dataStart = a.dataStart;
  if (a.extended) {
    const payload = a.dataEnd - a.dataStart;
    if (payload < 3) throw protocolError(where, 'a blobmsg name header');
    const namelen = buf.readUInt16BE(a.dataStart);
    const hdr = padLen(2 + namelen + 1);
    if (hdr > payload) throw protocolError(where, `a name of ${namelen} bytes within the ${payload}-byte payload`);
    const nameStart = a.dataStart + 2;
    if (buf[nameStart + namelen] !== 0) throw protocolError(where, 'a NUL after the blobmsg name');
    name = buf.toString('utf8', nameStart, nameStart + namelen);
    dataStart = a.dataStart + hdr;
  }
  const len = a.dataEnd - dataStart;
  switch (type) {
    case BlobmsgType.INT8:
      if (len !== 1) throw protocolError(`${where} '${name}'`, `1 byte for int8, got ${len}`);
      break;
    case BlobmsgType.INT16:
      if (len !== 2) throw protocolError(`${where} '${name}'`, `2 bytes for int16, got ${len}`);
      break;
    case BlobmsgType.INT32:
      if (len !== 4) throw protocolError(`${where} '${name}'`, `4 bytes for int32, got ${len}`);
      break;
    case BlobmsgType.INT64:
      if (len !== 8) throw protocolError(`${where} '${name}'`, `8 bytes for int64, got ${len}`);
      break;
    case BlobmsgType.DOUBLE:
      if (len < 8) throw protocolError(`${where} '${name}'`, `8 bytes for double, got ${len}`);
      break;
    case BlobmsgType.STRING:
      if (len < 1 || buf[a.dataEnd - 1] !== 0) throw protocolError(`${where} '${name}'`, 'a NUL-terminated string');
      break;
  }
  return { type, name, dataStart, dataEnd: a.dataEnd, next: a.next };
}

/** Short ASCII runs are faster to build by hand than through the UTF-8 decoder. */
function readText(buf: Buffer, start: number, end: number): string {
  if (end - start > 32) return buf.toString('utf8', start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    s += String.fromCharCode(c);
  }
  return s;
}

function decodeString(buf: Buffer, start: number, end: number): string {
  // C reads up to the first NUL (strlen); the check guarantees one at end-1.
  let nul = end - 1;
  const first = buf.indexOf(0, start);
  if (first >= 0 && first < nul) nul = first;
  return readText(buf, start, nul);
}

/** Decodes one resolved attribute's value. */
export function decodeBlobmsgValue(buf: Buffer, m: BlobmsgAttr, depth: number, where: string): unknown {
  return decodeScalarOrNested(buf, m.type, m.dataStart, m.dataEnd, depth, where, m.name);
}

function decodeScalarOrNested(buf: Buffer, type: number, ds: number, de: number, depth: number, where: string, name: string): unknown {
  const len = de - ds;
  switch (type) {
    case BlobmsgType.STRING:
      if (len < 1 || buf[de - 1] !== 0) throw protocolError(`${where} '${name}'`, 'a NUL-terminated string');
      return decodeString(buf, ds, de);
    case BlobmsgType.INT32:
      if (len !== 4) throw protocolError(`${where} '${name}'`, `4 bytes for int32, got ${len}`);
      return buf.readInt32BE(ds);
    case BlobmsgType.INT8:
      if (len !== 1) throw protocolError(`${where} '${name}'`, `1 byte for int8, got ${len}`);
      return buf[ds] !== 0;
    case BlobmsgType.INT16:
      if (len !== 2) throw protocolError(`${where} '${name}'`, `2 bytes for int16, got ${len}`);
      return buf.readInt16BE(ds);
    case BlobmsgType.INT64: {
      if (len !== 8) throw protocolError(`${where} '${name}'`, `8 bytes for int64, got ${len}`);
      const hi = buf.readInt32BE(ds);
      const lo = buf.readUInt32BE(ds + 4);
      // Within +-2^53 the number is exact; beyond, keep a bigint.
      if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + lo;
      return buf.readBigInt64BE(ds);
    }
    case BlobmsgType.DOUBLE:
      if (len < 8) throw protocolError(`${where} '${name}'`, `8 bytes for double, got ${len}`);
      return buf.readDoubleBE(ds);
    case BlobmsgType.TABLE:
      return decodeTableContent(buf, ds, de, depth + 1, where);
    case BlobmsgType.ARRAY:
      return decodeArrayContent(buf, ds, de, depth + 1, where);
    case BlobmsgType.UNSPEC:
      return len > 0 ? Buffer.from(buf.subarray(ds, de)) : null;
    default:
      throw protocolError(`${where} '${name}'`, `a blobmsg type <= ${BLOBMSG_TYPE_LAST}, got ${type}`);
  }
}

function setMember(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Walks the children of a table or array without allocating per attribute
 * (the hot path of every reply). Checks as blobmsg_check_attr_len: header,
 * name length and NUL, padding within the parent, sizes per type.
 */
function decodeChildren(buf: Buffer, start: number, end: number, depth: number, where: string, out: Record<string, unknown> | unknown[]): void {
  if (depth > BLOBMSG_MAX_DEPTH) throw protocolError(where, `nesting of at most ${BLOBMSG_MAX_DEPTH} levels`);
  const isArray = Array.isArray(out);
  let pos = start;
  while (pos < end) {
    if (end - pos < 4) throw protocolError(where, `a 4-byte blob header, ${end - pos} bytes left`);
    const word = ((buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!) >>> 0;
    const raw = word & 0xffffff;
    if (raw < 4) throw protocolError(where, `a blob length >= 4, got ${raw}`);
    const next = pos + ((raw + 3) & ~3);
    if (next > end) throw protocolError(where, `a blob of ${(raw + 3) & ~3} padded bytes within the ${end - pos} left`);
    const type = (word >>> 24) & 0x7f;
    const de = pos + raw;
    let ds = pos + 4;
    let name = '';
    if (word >= 0x80000000) {
      const payload = raw - 4;
      if (payload < 3) throw protocolError(where, 'a blobmsg name header');
      const namelen = (buf[ds]! << 8) | buf[ds + 1]!;
      const hdr = (namelen + 6) & ~3;
      if (hdr > payload) throw protocolError(where, `a name of ${namelen} bytes within the ${payload}-byte payload`);
      if (buf[ds + 2 + namelen] !== 0) throw protocolError(where, 'a NUL after the blobmsg name');
      if (!isArray) name = readText(buf, ds + 2, ds + 2 + namelen);
      ds += hdr;
    }
    const value = decodeScalarOrNested(buf, type, ds, de, depth, where, name);
    if (isArray) out.push(value);
    else setMember(out, name, value);
    pos = next;
  }
}

/** Decodes the children of a table into an object (a later duplicate name wins). */
export function decodeTableContent(buf: Buffer, start: number, end: number, depth = 0, where = 'data'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  decodeChildren(buf, start, end, depth, where, out);
  return out;
}

/** Decodes the children of an array (names are ignored). */
export function decodeArrayContent(buf: Buffer, start: number, end: number, depth = 0, where = 'data'): unknown[] {
  const out: unknown[] = [];
  decodeChildren(buf, start, end, depth, where, out);
  return out;
}

/** A table member with its wire type, for checking arguments against a signature. */
export interface BlobmsgEntry {
  name: string;
  type: number;
  value: unknown;
  /** The value's bytes in the decoded buffer. */
  dataStart: number;
  dataEnd: number;
}

export function decodeTableEntries(buf: Buffer, start = 0, end = buf.length, where = 'data'): BlobmsgEntry[] {
  const out: BlobmsgEntry[] = [];
  forEachBlobAttr(buf, start, end, where, (a) => {
    const m = resolveBlobmsg(buf, a, where);
    out.push({ name: m.name, type: m.type, value: decodeBlobmsgValue(buf, m, 0, where), dataStart: m.dataStart, dataEnd: m.dataEnd });
  });
  return out;
}
