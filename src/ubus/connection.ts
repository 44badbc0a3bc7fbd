/**
 * One session with ubusd over one Duplex: waits for HELLO (which carries our
 * peer id), then decodes frames and hands them on. Outgoing frames written
 * in the same tick are coalesced into one write.
 */
import type { Duplex } from 'node:stream';
import { MsgType } from './constants.js';
import { UbusError } from './errors.js';
import { UbusFramer } from './framer.js';
import { decodeMessage } from './message.js';
import type { UbusMessage } from './message.js';
import type { UbusTimers } from './logger.js';

export interface ConnectionHandlers {
  onMessage(msg: UbusMessage): void;
  /** Called once when the session ends after HELLO (never for close()). */
  onLost(err: UbusError): void;
}

export class UbusConnection {
  localId = 0;
  private out: Buffer[] = [];
  private flushQueued = false;
  private ended = false;

  private constructor(private readonly stream: Duplex) {}

  /** Opens a session; rejects with CONNECTION_FAILED when the stream fails or no HELLO comes in time. */
  static open(stream: Duplex, handlers: ConnectionHandlers, timers: UbusTimers, helloTimeoutMs: number): Promise<UbusConnection> {
    const conn = new UbusConnection(stream);
    const framer = new UbusFramer();
    return new Promise((resolve, reject) => {
      let established = false;
      const fail = (err: UbusError): void => {
        if (conn.ended) return;
        conn.ended = true;
        timers.clearTimeout(timer);
        stream.destroy();
        if (established) queueMicrotask(() => handlers.onLost(err));
        else reject(err);
      };
      const timer = timers.setTimeout(
        () => fail(new UbusError('CONNECTION_FAILED', `no HELLO from ubusd within ${helloTimeoutMs} ms`)),
        helloTimeoutMs,
      );
      stream.on('data', (chunk: Buffer) => {
        if (conn.ended) return;
        let frames: Buffer[];
        try {
          frames = framer.push(chunk);
        } catch (err) {
          fail(err as UbusError);
          return;
        }
        for (const frame of frames) {
          let msg: UbusMessage;
          try {
            msg = decodeMessage(frame);
          } catch (err) {
            fail(err as UbusError);
            return;
          }
          if (!established) {
            if (msg.type !== MsgType.HELLO || msg.peer === 0) {
              fail(new UbusError('CONNECTION_FAILED', `expected HELLO from ubusd, got message type ${msg.type}`));
              return;
            }
            established = true;
            conn.localId = msg.peer;
            timers.clearTimeout(timer);
            resolve(conn);
            continue;
          }
          handlers.onMessage(msg);
          if (conn.ended) return;
        }
      });
      stream.on('error', (err: Error) => fail(new UbusError('CONNECTION_FAILED', `ubus connection failed: ${err.message}`, { cause: err })));
      stream.on('close', () => fail(new UbusError('CONNECTION_FAILED', 'ubus connection closed by ubusd')));
      stream.on('end', () => fail(new UbusError('CONNECTION_FAILED', 'ubus connection closed by ubusd')));
    });
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /** Queues a frame; frames queued in one tick go out in one write. */
  send(frame: Buffer): void {
    if (this.ended) throw new UbusError('CONNECTION_FAILED', 'ubus connection is closed');
    this.out.push(frame);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.ended || this.out.length === 0) return;
    const data = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    this.stream.write(data);
  }

  /** Ends the session without calling onLost. */
  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.flush();
    this.ended = true;
    return new Promise((resolve) => {
      if (this.stream.destroyed) {
        resolve();
        return;
      }
      this.stream.once('close', () => resolve());
      this.stream.end();
      this.stream.destroy();
    });
  }
}
