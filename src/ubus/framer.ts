/**
 * Cuts a byte stream into ubus frames. Buffering only: a chunk may hold part
 * of a frame or several. A bad header (version, length below 4 or above the
 * 1 MiB cap) throws a PROTOCOL UbusError; the stream cannot be resynchronised
 * after that, so the owner closes the connection. Memory is bounded by one
 * frame (<= 8 + 1 MiB) plus the current chunk.
 */
import { BLOB_HEADER_BYTES, UBUS_HEADER_BYTES } from './constants.js';
import { frameLength } from './message.js';

const HEAD_BYTES = UBUS_HEADER_BYTES + BLOB_HEADER_BYTES;

export class UbusFramer {
  private parts: Buffer[] = [];
  private have = 0;
  /** Length of the frame being collected, once its 12-byte head is known. */
  private need = -1;

  /** Feeds a chunk; returns the complete frames it finishes (each a standalone Buffer). */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let off = 0;
    // Fast path: nothing buffered, frames lie whole in the chunk.
    if (this.have === 0) {
      while (chunk.length - off >= HEAD_BYTES) {
        const len = frameLength(chunk, off);
        if (chunk.length - off < len) break;
        out.push(chunk.subarray(off, off + len));
        off += len;
      }
      if (off === chunk.length) return out;
    }
    let rest = off === 0 ? chunk : chunk.subarray(off);
    while (rest.length > 0) {
      if (this.need < 0) {
        const take = Math.min(HEAD_BYTES - this.have, rest.length);
        this.parts.push(rest.subarray(0, take));
        this.have += take;
        rest = rest.subarray(take);
        if (this.have < HEAD_BYTES) break;
        const head = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.have);
        this.parts = [head];
        this.need = frameLength(head, 0);
      }
      const take = Math.min(this.need - this.have, rest.length);
      if (take > 0) {
        this.parts.push(rest.subarray(0, take));
        this.have += take;
        rest = rest.subarray(take);
      }
      if (this.have === this.need) {
        out.push(Buffer.concat(this.parts, this.have));
        this.parts = [];
        this.have = 0;
        this.need = -1;
        // The remainder may again hold whole frames.
        if (rest.length > 0) {
          for (const f of this.push(rest)) out.push(f);
        }
        return out;
      }
    }
    return out;
  }

  /** Bytes held for an unfinished frame. */
  get buffered(): number {
    return this.have;
  }

  reset(): void {
    this.parts = [];
    this.have = 0;
    this.need = -1;
  }
}
