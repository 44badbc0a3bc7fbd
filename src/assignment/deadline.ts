/**
 * The heuristic's time budget. Pure: the clock is the caller's (`now`, e.g.
 * performance.now), so tests drive it with a fake one. Searches ask
 * `expired()` between units of work and, once it says yes, keep the best
 * answer they have; `hit` then tells the answer it stopped early.
 */
export class Deadline {
  /** True once the budget ran out while something was still to do. */
  hit = false;
  private readonly endMs: number;

  constructor(
    private readonly now: (() => number) | undefined,
    budgetMs: number | undefined,
  ) {
    this.endMs = now === undefined || budgetMs === undefined ? Infinity : now() + budgetMs;
  }

  /** A deadline that never comes (no budget, or no clock to measure one). */
  static readonly NONE = new Deadline(undefined, undefined);

  expired(): boolean {
    if (this.hit) return true;
    if (this.endMs === Infinity) return false;
    if (this.now!() >= this.endMs) this.hit = true;
    return this.hit;
  }
}
