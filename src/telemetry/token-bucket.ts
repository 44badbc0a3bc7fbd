/** A token bucket: `ratePerS` tokens a second, at most `burst` saved up. Time comes in as an argument. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number | null = null;

  constructor(
    private ratePerS: number,
    private burst: number,
  ) {
    this.tokens = burst;
  }

  setRate(ratePerS: number, burst: number): void {
    this.ratePerS = ratePerS;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  private refill(nowMs: number): void {
    if (this.lastMs !== null && nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.ratePerS);
    }
    this.lastMs = nowMs;
  }

  /** Takes one token if there is one. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token. */
  waitMs(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerS) * 1000);
  }
}

/** Exponential backoff with jitter: a random point in the upper half of min(max, base * 2^attempt). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (cap / 2) * random);
}
