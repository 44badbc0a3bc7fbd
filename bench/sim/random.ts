import { Prng } from '../../src/assignment/prng.js';

/**
 * The distributions the simulator draws from, on the project's seeded PRNG
 * (src/assignment/prng.ts), so a seed gives the same event sequence on
 * every machine.
 */
export class SimRandom {
  private readonly rng: Prng;
  constructor(seed: number) {
    this.rng = new Prng(seed);
  }
  uniform(): number {
    return this.rng.next();
  }
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rng.next();
  }
  int(n: number): number {
    return this.rng.int(n);
  }
  pick<T>(items: readonly T[]): T {
    return this.rng.pick(items);
  }
  /** Exponential with the given mean (inter-arrival times, durations). */
  exponential(mean: number): number {
    return -Math.log(1 - this.rng.next()) * mean;
  }
  /** Geometric on 1, 2, ... with the given mean (>= 1). */
  geometric(mean: number): number {
    const p = 1 / mean;
    if (p >= 1) return 1;
    return 1 + Math.floor(Math.log(1 - this.rng.next()) / Math.log(1 - p));
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.rng.next();
    const v = this.rng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Lognormal given its own mean and standard deviation, redrawn until inside [min, max]. */
  truncatedLognormal(mean: number, sd: number, min: number, max: number): number {
    const s2 = Math.log(1 + (sd * sd) / (mean * mean));
    const mu = Math.log(mean) - s2 / 2;
    for (let k = 0; k < 1000; k++) {
      const x = Math.exp(mu + Math.sqrt(s2) * this.normal());
      if (x >= min && x <= max) return x;
    }
    return Math.min(max, Math.max(min, mean));
  }
  /** Pareto with shape alpha and scale k, cut at max. */
  truncatedPareto(alpha: number, k: number, max: number): number {
    return Math.min(max, k / Math.pow(1 - this.rng.next(), 1 / alpha));
  }
}
