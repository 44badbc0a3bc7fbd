import type { Clock, Logger, TimerHandle } from '../model/ports.js';
import { quotaSaveDue } from './quota-store.js';
import type { QuotaRecord, QuotaState, QuotaStore } from './quota-store.js';

/**
 * The daemon's background chores, each small: the quota file kept within
 * its flash budget, retries with backoff, and timers whose work can never
 * take the daemon down.
 */

/** Quota usage loaded at start and written when quotaSaveDue says so (or on stop). */
export class QuotaKeeper {
  private saved: QuotaState | null = null;

  constructor(
    private readonly store: QuotaStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** What the last run saved; a bad file is reported and counted as nothing. */
  async load(): Promise<Record<string, QuotaRecord>> {
    const restored = await this.store.load();
    if (typeof restored === 'string') this.logger.warn('quota state unreadable; counting from zero', { reason: restored });
    this.saved = typeof restored === 'string' || restored === null ? { version: 1, savedMs: this.clock.now(), modems: {} } : restored;
    return this.saved.modems;
  }

  async save(records: Record<string, QuotaRecord>, why: 'stop' | null): Promise<void> {
    const due = why ?? quotaSaveDue(this.saved, records, this.clock.now());
    if (!due || Object.keys(records).length === 0) return;
    const state: QuotaState = { version: 1, savedMs: this.clock.now(), modems: { ...this.saved?.modems, ...records } };
    try {
      await this.store.save(state);
      this.saved = state;
      this.logger.debug('quota state saved', { why: due, modems: Object.keys(records).length });
    } catch (e) {
      this.logger.error('quota state not saved', { error: e instanceof Error ? e.message : String(e) });
    }
  }
}

/** When to try a failed part again: after firstMs, doubling up to maxMs, back to firstMs once it works. */
export class Backoff {
  private atMs = 0;
  private delayMs: number;
  private busy = false;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
  ) {
    this.delayMs = firstMs;
  }

  /** Runs `attempt` when something is failing and its time has come. */
  async run(failing: boolean, nowMs: number, attempt: () => Promise<void>): Promise<void> {
    if (!failing) {
      this.delayMs = this.firstMs;
      return;
    }
    if (this.busy || nowMs < this.atMs) return;
    this.busy = true;
    try {
      await attempt();
    } finally {
      this.busy = false;
      this.atMs = nowMs + this.delayMs;
      this.delayMs = Math.min(this.maxMs, this.delayMs * 2);
    }
  }
}

/** Runs fn and logs what it throws or rejects with, so one failing chore never reaches the daemon. */
export function guarded(logger: Logger, what: string, fn: () => unknown): Promise<void> {
  const fail = (e: unknown) => logger.error(`${what} failed`, { error: e instanceof Error ? e.message : String(e) });
  try {
    const r = fn();
    if (r instanceof Promise) return r.then(() => undefined, fail);
  } catch (e) {
    fail(e);
  }
  return Promise.resolve();
}

/** fn every ms while alive(); cancel() stops it. */
export function repeat(clock: Clock, logger: Logger, ms: number, alive: () => boolean, fn: () => void): { cancel(): void } {
  let handle: TimerHandle | null = null;
  const tick = (): void => {
    if (!alive()) return;
    void guarded(logger, 'timer', fn);
    handle = clock.setTimeout(tick, ms);
  };
  handle = clock.setTimeout(tick, ms);
  return { cancel: () => handle && clock.clearTimeout(handle) };
}
