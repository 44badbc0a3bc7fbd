/**
 * One decision at a time: inputs (modem changes, flow groups, power, config,
 * the slow timer) ask for a cycle with a reason; what arrives while a cycle
 * runs or waits is merged into the next one. A full solve asked by any of
 * the merged requests makes the next cycle a full one.
 */
export interface CycleRequest {
  /** Why, for the log and the `trigger` of the solve (e.g. 'modem lte1 path dead'). */
  reasons: string[];
  /** A full solve is wanted (timer, command); null = only if the policy finds it needed. */
  forceFull: string | null;
}

export type CycleRunner = (req: CycleRequest) => Promise<void>;

export class DecisionQueue {
  private pending: CycleRequest | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  merged = 0;
  cycles = 0;

  constructor(
    private readonly runCycle: CycleRunner,
    private readonly onError: (err: unknown) => void,
    /** Schedules the drain (setImmediate-like), so a burst of events in one tick makes one cycle. */
    private readonly defer: (fn: () => void) => void,
  ) {}

  request(reason: string, forceFull: string | null = null): void {
    if (this.stopped) return;
    if (this.pending) {
      this.merged++;
      if (!this.pending.reasons.includes(reason) && this.pending.reasons.length < 20) this.pending.reasons.push(reason);
      this.pending.forceFull ??= forceFull;
      return;
    }
    this.pending = { reasons: [reason], forceFull };
    if (!this.running) this.defer(() => void this.drain());
  }

  /** Resolves when nothing is pending or running. */
  async idle(): Promise<void> {
    while (this.running || this.pending) {
      if (this.running) await this.running;
      else await new Promise<void>((r) => this.defer(r));
    }
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.pending = null;
    return this.running ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    while (this.pending && !this.stopped) {
      const req = this.pending;
      this.pending = null;
      this.cycles++;
      this.running = this.runCycle(req).catch((e: unknown) => this.onError(e));
      await this.running;
      this.running = null;
    }
  }
}
