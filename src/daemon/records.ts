import type { ApiEvent, CountersView, DecisionEntry } from '../model/api.js';
import type { Logger } from '../model/ports.js';

/** Listeners of the daemon's events: each wrapped, so a failing one never reaches the daemon. */
export class EventBus {
  private readonly listeners = new Set<(e: ApiEvent) => void>();

  constructor(private readonly logger: Logger) {}

  on(listener: (e: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(e: ApiEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.logger.error('event listener failed', { event: e.type, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

/** The last decisions with their reasons, in a bounded list (newest last). */
export class DecisionLog {
  private readonly entries: DecisionEntry[] = [];

  constructor(private readonly capacity = 200) {}

  push(e: DecisionEntry): void {
    this.entries.push(e);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  last(n: number): DecisionEntry[] {
    return this.entries.slice(-n);
  }
}

export function emptyCounters(): CountersView {
  return {
    solvesFull: 0,
    solvesIncremental: 0,
    solvesAdopted: 0,
    solvesRejected: 0,
    redirections: 0,
    wakes: 0,
    sleeps: 0,
    routingApplies: 0,
    routingErrors: 0,
    routingLastMs: null,
    routingMeanMs: null,
    cycles: 0,
    mergedEvents: 0,
  };
}

export function recordRoutingApply(c: CountersView, ms: number, ok: boolean): void {
  if (!ok) {
    c.routingErrors++;
    return;
  }
  const n = c.routingApplies;
  c.routingMeanMs = round1(((c.routingMeanMs ?? 0) * n + ms) / (n + 1));
  c.routingApplies = n + 1;
  c.routingLastMs = round1(ms);
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
