import type { Clock, TimerHandle } from '../model/ports.js';

/** The real clock. */
export class SystemClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  monotonicMs(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    this.timers.set(id, t);
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) clearTimeout(t);
    this.timers.delete(handle.id);
  }
}

/** A clock tests move by hand; timers fire in due order during `advance`. */
export class ManualClock implements Clock {
  private t: number;
  private mono = 0;
  private nextId = 1;
  private timers: Array<{ id: number; due: number; fn: () => void }> = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  monotonicMs(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, due: this.mono + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((x) => x.id !== handle.id);
  }

  /** Advance time by `ms`, firing timers that fall due, in order. */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      this.timers.sort((a, b) => a.due - b.due || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.due > end) break;
      this.timers.shift();
      this.t += next.due - this.mono;
      this.mono = next.due;
      next.fn();
    }
    this.t += end - this.mono;
    this.mono = end;
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}
