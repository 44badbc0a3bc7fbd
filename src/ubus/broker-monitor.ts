/**
 * ubusd's monitor (ubusd_monitor.c): clients that invoked "add" on the system
 * object UBUS_SYSTEM_OBJECT_MONITOR get a MONITOR message for every message
 * the broker receives (send = false) or sends (send = true, except MONITOR
 * messages themselves). Attributes in ubusd's order: client, peer, seq, type
 * (u32), send (u8), data (the monitored message's attributes); each monitor
 * has its own seq. Pure: the broker sends the frames.
 */
import { MsgType, UBUS_HEADER_BYTES, BLOB_HEADER_BYTES } from './constants.js';
import { encodeMessage } from './message.js';

export class BrokerMonitors {
  /** Monitoring client id -> the seq of the last MONITOR message sent to it. */
  private readonly seqs = new Map<number, number>();

  get size(): number {
    return this.seqs.size;
  }

  has(clientId: number): boolean {
    return this.seqs.has(clientId);
  }

  /** "add": (re)starts monitoring for the client. */
  add(clientId: number): void {
    this.seqs.set(clientId, 0);
  }

  remove(clientId: number): void {
    this.seqs.delete(clientId);
  }

  /**
   * The MONITOR frame for each monitoring client, for `frame` received from
   * or sent to `clientId`. A message too big to be wrapped within the 1 MiB
   * limit is not reported (ubusd would send a frame no client accepts).
   */
  frames(clientId: number, frame: Buffer, send: boolean): [number, Buffer][] {
    if (this.seqs.size === 0) return [];
    let base: Buffer;
    try {
      base = encodeMessage({
        type: MsgType.MONITOR,
        seq: 0,
        peer: 0,
        attrs: {},
        monitor: {
          client: clientId,
          peer: frame.readUInt32BE(4),
          seq: frame.readUInt16BE(2),
          type: frame[1]!,
          send,
          data: frame.subarray(UBUS_HEADER_BYTES + BLOB_HEADER_BYTES),
        },
      });
    } catch {
      return [];
    }
    const out: [number, Buffer][] = [];
    let first = true;
    for (const [id, seq] of this.seqs) {
      const next = (seq + 1) & 0xffff;
      this.seqs.set(id, next);
      const f = first ? base : Buffer.from(base);
      first = false;
      f.writeUInt16BE(next, 2);
      out.push([id, f]);
    }
    return out;
  }
}
