import type { Clock, TimerHandle } from '../model/ports.js';
import type { Outbox } from './outbox.js';
import { TokenBucket } from './token-bucket.js';

/** What the publisher needs of a connection (MqttLink satisfies it). */
export interface PublishLink {
  readonly connected: boolean;
  readonly connection: number;
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean; expiryS?: number }, done?: (ok: boolean) => void): void;
}

export interface LiveMessage {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  expiryS?: number;
  /** Called once: delivered (PUBACK, or written for QoS 0) or not. */
  done?: (ok: boolean) => void;
}

/** Live messages waiting for a token at most; more are refused (a flood of replies must not grow memory). */
const MAX_LIVE = 512;
/** QoS 1 messages on the wire at once. */
const WINDOW = 16;

/**
 * Sends through the link at no more than `ratePerS` messages a second, in
 * three lanes: live messages (discovery, replies, reports: only while
 * connected), latest-per-key snapshots (`state`, `metrics/<modem>`: a newer
 * one replaces an unsent older one) and the outbox (QoS 1, kept while
 * offline). Enqueueing is synchronous and O(1)-ish; sending happens later.
 */
export class Publisher {
  private live: LiveMessage[] = [];
  private latest = new Map<string, LiveMessage & { holdOffline: boolean }>();
  private readonly bucket: TokenBucket;
  private timer: TimerHandle | null = null;
  private ready = false;
  private batching = false;
  sent = 0;
  refused = 0;

  constructor(
    private readonly link: PublishLink,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    ratePerS: number,
    private readonly onOutboxChange: () => void,
  ) {
    this.bucket = new TokenBucket(ratePerS, Math.max(1, ratePerS));
  }

  setRate(ratePerS: number): void {
    this.bucket.setRate(ratePerS, Math.max(1, ratePerS));
  }

  /** The queue file is loaded: the outbox may be sent. */
  setReady(): void {
    this.ready = true;
    this.drain();
  }

  get isReady(): boolean {
    return this.ready;
  }

  reliable(topic: string, payload: string, retain = false): void {
    this.outbox.push({ topic, payload, retain, key: null });
    this.onOutboxChange();
    this.drain();
  }

  /** Dropped at once when offline or when too many wait. */
  now(m: LiveMessage): boolean {
    if (!this.link.connected || this.live.length >= MAX_LIVE) {
      this.refused++;
      m.done?.(false);
      return false;
    }
    this.live.push(m);
    this.drain();
    return true;
  }

  /** Replaces an unsent message with the same key; `holdOffline` keeps it for the next connection. */
  snapshot(key: string, m: LiveMessage, holdOffline: boolean): void {
    if (!holdOffline && !this.link.connected) return;
    this.latest.set(key, { ...m, holdOffline });
    this.drain();
  }

  connectionLost(): void {
    this.outbox.connectionLost();
    for (const m of this.live) m.done?.(false);
    this.live = [];
    for (const [k, m] of this.latest) if (!m.holdOffline) this.latest.delete(k);
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  get pending(): number {
    return this.live.length + this.latest.size + this.outbox.length;
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Queues everything `fn` enqueues before sending any of it (the birth message and the drop report go before the outbox). */
  batch(fn: () => void): void {
    this.batching = true;
    try {
      fn();
    } finally {
      this.batching = false;
    }
    this.drain();
  }

  /** Sends what tokens allow; re-arms itself for the next token. */
  drain(): void {
    if (!this.link.connected || this.timer || this.batching) return;
    while (this.hasWork()) {
      const wait = this.bucket.waitMs(this.clock.monotonicMs());
      if (wait > 0) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = null;
          this.drain();
        }, wait);
        return;
      }
      const next = this.pick();
      if (!next) return;
      this.bucket.take(this.clock.monotonicMs());
      next();
      this.sent++;
    }
  }

  private hasWork(): boolean {
    return this.live.length > 0 || this.latest.size > 0 || (this.ready && this.outbox.inFlightCount < WINDOW && this.outbox.nextUnsent() !== null);
  }

  /** The next send, or null when nothing may go now. */
  private pick(): (() => void) | null {
    const m = this.live.shift();
    if (m) return () => this.send(m);
    const first = this.latest.entries().next();
    if (!first.done) {
      const [key, snap] = first.value;
      this.latest.delete(key);
      return () => this.send(snap);
    }
    if (!this.ready || this.outbox.inFlightCount >= WINDOW) return null;
    const e = this.outbox.nextUnsent();
    if (!e) return null;
    return () => {
      const conn = this.link.connection;
      this.outbox.markSent(e.seq);
      this.link.publish(e.topic, e.payload, { qos: 1, retain: e.retain }, (ok) => {
        if (!ok || conn !== this.link.connection) return;
        this.outbox.ack(e.seq);
        this.onOutboxChange();
        this.drain();
      });
    };
  }

  private send(m: LiveMessage): void {
    this.link.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain, ...(m.expiryS !== undefined ? { expiryS: m.expiryS } : {}) }, m.done);
  }
}
