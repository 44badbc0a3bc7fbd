/**
 * Requests waiting for their STATUS, matched by (seq, peer) as libubus's
 * ubus_find_request does. The timeout starts when the request is written and
 * its message says what was asked.
 */
import type { UbusMessage } from './message.js';
import { UbusError } from './errors.js';
import type { UbusTimers } from './logger.js';

export interface PendingRequest {
  what: string;
  onData?: (msg: UbusMessage) => void;
  resolve: (status: number, msg: UbusMessage) => void;
  reject: (err: UbusError) => void;
  timer: unknown;
}

export class PendingRequests {
  private readonly byKey = new Map<number, PendingRequest>();
  private seq = 0;

  constructor(private readonly timers: UbusTimers) {}

  get size(): number {
    return this.byKey.size;
  }

  private static key(seq: number, peer: number): number {
    return seq * 0x100000000 + (peer >>> 0);
  }

  /** Next seq (u16, never 0) not in flight towards `peer`. */
  nextSeq(peer: number): number {
    for (let i = 0; i < 0x10000; i++) {
      this.seq = (this.seq % 0xffff) + 1;
      if (!this.byKey.has(PendingRequests.key(this.seq, peer))) return this.seq;
    }
    throw new UbusError('NO_MEMORY', 'all 65535 ubus sequence numbers are in flight');
  }

  /** Registers a request that has just been written; returns a promise of its status. */
  add(seq: number, peer: number, what: string, timeoutMs: number, onData?: (msg: UbusMessage) => void): Promise<{ status: number; msg: UbusMessage }> {
    const key = PendingRequests.key(seq, peer);
    return new Promise((resolve, reject) => {
      const entry: PendingRequest = {
        what,
        onData,
        resolve: (status, msg) => resolve({ status, msg }),
        reject,
        timer: this.timers.setTimeout(() => {
          if (this.byKey.get(key) !== entry) return;
          this.byKey.delete(key);
          reject(new UbusError('TIMEOUT', `${what} timed out after ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.byKey.set(key, entry);
    });
  }

  /** Routes a DATA or STATUS reply; false when nothing waits for it. */
  deliver(msg: UbusMessage, isStatus: boolean): boolean {
    const key = PendingRequests.key(msg.seq, msg.peer);
    const entry = this.byKey.get(key);
    if (!entry) return false;
    if (!isStatus) {
      entry.onData?.(msg);
      return true;
    }
    this.byKey.delete(key);
    this.timers.clearTimeout(entry.timer);
    entry.resolve(msg.attrs.status ?? 2 /* INVALID_ARGUMENT, as ubus_process_req_status */, msg);
    return true;
  }

  /** Fails every request (connection lost or closed); none is left hanging. */
  failAll(reason: (what: string) => UbusError): void {
    const entries = [...this.byKey.values()];
    this.byKey.clear();
    for (const e of entries) {
      this.timers.clearTimeout(e.timer);
      e.reject(reason(e.what));
    }
  }
}
