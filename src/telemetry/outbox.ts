/**
 * The store-and-forward queue of QoS 1 messages: bounded by count and bytes,
 * oldest dropped first, order kept, acknowledged entries removed. A message
 * with a `key` replaces an older unsent one with the same key (the retained
 * `state` is a snapshot: only the newest matters).
 */
export interface OutboxEntry {
  seq: number;
  topic: string;
  payload: string;
  retain: boolean;
  key: string | null;
}

export interface OutboxSnapshot {
  /** Drops not reported yet. */
  dropped: number;
  entries: Array<Omit<OutboxEntry, 'seq'>>;
}

export function entryBytes(e: { topic: string; payload: string }): number {
  return Buffer.byteLength(e.topic) + Buffer.byteLength(e.payload) + 16;
}

export class Outbox {
  private entries: OutboxEntry[] = [];
  private readonly inFlight = new Set<number>();
  private nextSeq = 1;
  private bytes = 0;
  private unreported = 0;
  /** Drops since start. */
  droppedTotal = 0;
  /** Bumped on every change; the file writer compares it. */
  version = 0;

  constructor(
    private maxEntries: number,
    private maxBytes: number,
  ) {}

  get length(): number {
    return this.entries.length;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  setBounds(maxEntries: number, maxBytes: number): void {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.enforce();
  }

  push(m: Omit<OutboxEntry, 'seq'>): void {
    if (m.key !== null) {
      const i = this.entries.findIndex((e) => e.key === m.key && !this.inFlight.has(e.seq));
      if (i >= 0) this.removeAt(i);
    }
    const e = { ...m, seq: this.nextSeq++ };
    this.entries.push(e);
    this.bytes += entryBytes(e);
    this.enforce();
    this.version++;
  }

  /** Older messages (from the queue file) go in front of anything queued since. */
  restore(s: OutboxSnapshot): void {
    // Called before anything is sent: renumber so seq order stays queue order.
    this.inFlight.clear();
    this.entries = [...s.entries.map((m) => ({ ...m, seq: 0 })), ...this.entries];
    for (const e of this.entries) e.seq = this.nextSeq++;
    this.bytes = this.entries.reduce((n, e) => n + entryBytes(e), 0);
    this.unreported += s.dropped;
    this.enforce();
    this.version++;
  }

  /** The oldest entry not sent yet on this connection. */
  nextUnsent(): OutboxEntry | null {
    for (const e of this.entries) if (!this.inFlight.has(e.seq)) return e;
    return null;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  markSent(seq: number): void {
    this.inFlight.add(seq);
  }

  /** PUBACK: the broker has it. */
  ack(seq: number): void {
    if (!this.inFlight.delete(seq)) return;
    const i = this.entries.findIndex((e) => e.seq === seq);
    if (i >= 0) {
      this.removeAt(i);
      this.version++;
    }
  }

  /** The connection went away: everything unacknowledged is sent again, in order. */
  connectionLost(): void {
    this.inFlight.clear();
  }

  /** Drops not reported yet; reading them resets the count. */
  takeDropped(): number {
    const n = this.unreported;
    this.unreported = 0;
    if (n) this.version++;
    return n;
  }

  /** Put a count back (the report could not be queued). */
  returnDropped(n: number): void {
    this.unreported += n;
  }

  snapshot(): OutboxSnapshot {
    return { dropped: this.unreported, entries: this.entries.map(({ topic, payload, retain, key }) => ({ topic, payload, retain, key })) };
  }

  private removeAt(i: number): void {
    const [e] = this.entries.splice(i, 1);
    if (e) this.bytes -= entryBytes(e);
  }

  private enforce(): void {
    while (this.entries.length > this.maxEntries || (this.bytes > this.maxBytes && this.entries.length > 0)) {
      // Never drop what is on the wire: its PUBACK is about to remove it anyway.
      const i = this.entries.findIndex((e) => !this.inFlight.has(e.seq));
      if (i < 0) break;
      this.removeAt(i);
      this.unreported++;
      this.droppedTotal++;
    }
  }
}
