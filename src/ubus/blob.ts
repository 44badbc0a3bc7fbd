/**
 * blob_attr (libubox blob.h): a 32-bit big-endian id_len word, then the
 * payload, then zero padding to 4 bytes. id_len = extended flag (bit 31) |
 * id (bits 24..30) | raw length including the 4-byte header (bits 0..23).
 * A nested attribute's length counts its children with their padding.
 * Pure: buffers in, buffers out.
 */
import {
  BLOB_ATTR_EXTENDED,
  BLOB_ATTR_ID_MASK,
  BLOB_ATTR_ID_SHIFT,
  BLOB_ATTR_LEN_MASK,
  BLOB_HEADER_BYTES,
  padLen,
} from './constants.js';
import { protocolError } from './errors.js';

/** Appends blob attributes to a growing buffer; nested attributes are open/close pairs. */
export class BlobWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Starts an attribute; returns the cookie for close(). */
  open(id: number, extended: boolean): number {
    this.ensure(BLOB_HEADER_BYTES);
    const start = this.pos;
    this.buf.writeUInt32BE(((extended ? BLOB_ATTR_EXTENDED : 0) | ((id << BLOB_ATTR_ID_SHIFT) & BLOB_ATTR_ID_MASK)) >>> 0, start);
    this.pos += BLOB_HEADER_BYTES;
    return start;
  }

  /** Ends an attribute: stores its raw length and zero-pads to 4 bytes. */
  close(start: number): void {
    const raw = this.pos - start;
    if (raw > BLOB_ATTR_LEN_MASK) throw protocolError('blob attribute', `at most ${BLOB_ATTR_LEN_MASK} bytes, got ${raw}`);
    const word = this.buf.readUInt32BE(start);
    this.buf.writeUInt32BE(((word & ~BLOB_ATTR_LEN_MASK) | raw) >>> 0, start);
    this.pad();
  }

  pad(): void {
    const padded = padLen(this.pos);
    if (padded === this.pos) return;
    this.ensure(padded - this.pos);
    this.buf.fill(0, this.pos, padded);
    this.pos = padded;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A NUL-terminated UTF-8 string; returns its byte length without the NUL. */
  cstring(s: string): number {
    const len = s.length;
    if (len <= 64) {
      // Short ASCII: copy code units directly (most names and values).
      this.ensure(len + 1);
      const buf = this.buf;
      const base = this.pos;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[base + i] = c;
      }
      if (i === len) {
        buf[base + len] = 0;
        this.pos = base + len + 1;
        return len;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n + 1);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
    this.buf[this.pos++] = 0;
    return n;
  }

  /** A copy of what was written. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** One attribute as found in a buffer: payload is [dataStart, dataEnd). */
export interface BlobAttrView {
  id: number;
  extended: boolean;
  /** Offset of the id_len word. */
  start: number;
  dataStart: number;
  dataEnd: number;
  /** Offset after the padding: where the next sibling starts. */
  next: number;
}

/** Reads the attribute at `start`, which must lie inside [start, end). */
export function readBlobAttr(buf: Buffer, start: number, end: number, where: string): BlobAttrView {
  if (end - start < BLOB_HEADER_BYTES) throw protocolError(where, `a 4-byte blob header, ${end - start} bytes left`);
  const word = buf.readUInt32BE(start);
  const raw = word & BLOB_ATTR_LEN_MASK;
  if (raw < BLOB_HEADER_BYTES) throw protocolError(where, `a blob length >= 4, got ${raw}`);
  const padded = padLen(raw);
  if (padded > end - start) throw protocolError(where, `a blob of ${padded} padded bytes within the ${end - start} left`);
  return {
    id: (word & BLOB_ATTR_ID_MASK) >>> BLOB_ATTR_ID_SHIFT,
    extended: (word & BLOB_ATTR_EXTENDED) !== 0,
    start,
    dataStart: start + BLOB_HEADER_BYTES,
    dataEnd: start + raw,
    next: start + padded,
  };
}

/** Calls fn for each child attribute tiling [start, end) exactly. */
export function forEachBlobAttr(buf: Buffer, start: number, end: number, where: string, fn: (a: BlobAttrView) => void): void {
  let pos = start;
  while (pos < end) {
    const a = readBlobAttr(buf, pos, end, where);
    fn(a);
    pos = a.next;
  }
}
