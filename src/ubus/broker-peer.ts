/**
 * One client connection of the broker: cuts the byte stream into frames and
 * queues what the broker sends, within ubusd's bounds (ubusd.c,
 * ubusd_main.c): a message to a client whose queue is empty is always taken;
 * otherwise it is taken only while the queue stays within maxQueuedBytes
 * (UBUS_CLIENT_MAX_TXQ_LEN, 1 MiB), else dropped, as ubusd drops it. Beyond
 * ubusd, a broker-wide budget caps the bytes queued for all clients and the
 * bytes held for unfinished incoming frames, and an unfinished frame has a
 * deadline, so clients that do not read or never finish a frame cost bounded
 * memory and no fd forever.
 */
import type { Socket } from 'node:net';
import { UbusFramer } from './framer.js';

/** Shared by all peers of one broker. */
export interface BrokerBudget {
  /** Per client: bytes queued (not yet taken by the kernel) beyond which messages are dropped. */
  readonly maxQueuedBytes: number;
  /** All clients together. */
  readonly maxTotalQueuedBytes: number;
  /** Bytes of unfinished incoming frames, all clients together; the client that goes beyond is dropped. */
  readonly maxTotalPartialBytes: number;
  /** How long an incoming frame may stay unfinished (ms). */
  readonly frameTimeoutMs: number;
  queuedBytes: number;
  partialBytes: number;
}

export interface PeerHandlers {
  /** A complete frame (header checked); throwing drops the peer. */
  onFrame(frame: Buffer): void;
  /** Something queued reached the kernel: paused lookups may go on. */
  onWritten(): void;
  onClose(): void;
  /** Why the peer is being dropped (bad frame, deadline, budget). */
  onDrop(reason: string): void;
}

export class BrokerPeer {
  private readonly framer = new UbusFramer();
  private out: Buffer[] = [];
  private outBytes = 0;
  /** Bytes handed to socket.write whose callback has not run yet. */
  private inflightBytes = 0;
  private flushQueued = false;
  private partialBytes = 0;
  private frameTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** Messages dropped because this client's queue was full. */
  droppedMessages = 0;
  private dropping = false;

  constructor(
    readonly socket: Socket,
    private readonly budget: BrokerBudget,
    private readonly handlers: PeerHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.closeUp());
  }

  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  /** Bytes waiting for this client: not yet written, or written but not yet taken by the kernel. */
  get queuedBytes(): number {
    return this.outBytes + this.inflightBytes;
  }

  /** Whether this client just lost messages because it does not read (reset when its queue empties). */
  get isDropping(): boolean {
    return this.dropping;
  }

  drop(reason: string): void {
    if (!this.isOpen) return;
    this.handlers.onDrop(reason);
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (!this.isOpen) return;
    let frames: Buffer[];
    const before = this.framer.buffered;
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      this.drop(err instanceof Error ? err.message : String(err));
      return;
    }
    this.trackPartial(frames.length > 0 || before === 0);
    if (!this.isOpen) return;
    for (const frame of frames) {
      if (!this.isOpen) return;
      try {
        this.handlers.onFrame(frame);
      } catch (err) {
        // A bug handling one message costs that client its session, never the broker.
        this.drop(err instanceof Error ? err.message : String(err));
        return;
      }
    }
  }

  /** Accounts the unfinished frame and (re)arms its deadline when a new frame has started. */
  private trackPartial(newFrame: boolean): void {
    const now = this.framer.buffered;
    this.budget.partialBytes += now - this.partialBytes;
    this.partialBytes = now;
    if (now === 0) {
      this.clearFrameTimer();
      return;
    }
    if (this.budget.partialBytes > this.budget.maxTotalPartialBytes) {
      this.drop(`unfinished frames of all clients exceed ${this.budget.maxTotalPartialBytes} bytes`);
      return;
    }
    if (newFrame || this.frameTimer === null) {
      this.clearFrameTimer();
      this.frameTimer = setTimeout(() => {
        this.frameTimer = null;
        this.drop(`frame unfinished after ${this.budget.frameTimeoutMs} ms (${this.framer.buffered} bytes)`);
      }, this.budget.frameTimeoutMs);
      this.frameTimer.unref?.();
    }
  }

  private clearFrameTimer(): void {
    if (this.frameTimer === null) return;
    clearTimeout(this.frameTimer);
    this.frameTimer = null;
  }

  /** Queues a frame; false when it was dropped (full queue, or the broker-wide budget spent). */
  send(frame: Buffer): boolean {
    if (!this.isOpen) return false;
    const queued = this.queuedBytes;
    if (queued > 0 && (queued + frame.length > this.budget.maxQueuedBytes || this.budget.queuedBytes + frame.length > this.budget.maxTotalQueuedBytes)) {
      this.droppedMessages++;
      this.dropping = true;
      return false;
    }
    this.out.push(frame);
    this.outBytes += frame.length;
    this.budget.queuedBytes += frame.length;
    if (!this.flushQueued) {
      // Frames queued in one tick go out in one write.
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  private flush(): void {
    this.flushQueued = false;
    if (!this.isOpen || this.out.length === 0) return;
    const data = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out, this.outBytes);
    const n = this.outBytes;
    this.out = [];
    this.outBytes = 0;
    this.inflightBytes += n;
    this.socket.write(data, () => {
      if (this.closed) return;
      this.inflightBytes -= n;
      this.budget.queuedBytes -= n;
      if (this.queuedBytes === 0) this.dropping = false;
      this.handlers.onWritten();
    });
  }

  private closeUp(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearFrameTimer();
    this.budget.queuedBytes -= this.outBytes + this.inflightBytes;
    this.budget.partialBytes -= this.partialBytes;
    this.out = [];
    this.outBytes = 0;
    this.inflightBytes = 0;
    this.partialBytes = 0;
    this.framer.reset();
    this.handlers.onClose();
  }
}
