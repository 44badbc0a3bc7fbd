import type { SlotShare } from './plan.js';

/**
 * OMMA's leaky-bucket credit sequencer (seed 003, Algorithm 1), used to
 * order the new connections of a split class across modems. Each slot j
 * earns credit R_j = lambda*_j / lambda per round (its share of the class'
 * total rate); whenever every credit is below one the rounds continue, then
 * the slot holding the most credit takes the next connection and pays one.
 * The result interleaves slots as evenly as their shares allow, so a burst
 * of new connections is spread at once rather than in runs.
 *
 * Credits are kept as integers in units of 1/QUANTUM so that equal shares
 * give the same pattern on every machine (no 0.999... rounding).
 */
const QUANTUM = 1 << 20;

export interface SequencerOptions {
  /** Longest pattern (the nft `numgen inc mod N` modulus). */
  maxLength?: number;
  /** Stop at the first length whose per-slot share error is at most this. */
  tolerance?: number;
}

/** Integer credits per round that sum to QUANTUM exactly (largest remainder). */
function quantize(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * QUANTUM);
  const q = exact.map((x) => Math.floor(x));
  let left = QUANTUM - q.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) q[order[k]!.i]! += 1;
  return q;
}

/** Algorithm 1 for `length` picks; returns indices into `credits`. */
function sequence(credits: number[], length: number): number[] {
  const tokens = credits.map(() => 0);
  const out: number[] = [];
  for (let n = 0; n < length; n++) {
    while (tokens.every((t) => t < QUANTUM)) {
      for (let j = 0; j < tokens.length; j++) tokens[j]! += credits[j]!;
    }
    let best = 0;
    for (let j = 1; j < tokens.length; j++) if (tokens[j]! > tokens[best]!) best = j;
    out.push(best);
    tokens[best]! -= QUANTUM;
  }
  return out;
}

function shareError(picks: number[], credits: number[]): number {
  const counts = credits.map(() => 0);
  for (const p of picks) counts[p]! += 1;
  return Math.max(...credits.map((c, j) => Math.abs(counts[j]! / picks.length - c / QUANTUM)));
}

/**
 * The slot for each position of a repeating pattern: position k of the
 * pattern takes the k-th new connection (mod its length). Shares with
 * weight 0 are left out; an empty or all-zero list gives [].
 */
export function leakyBucketPattern(shares: SlotShare[], options: SequencerOptions = {}): number[] {
  const maxLength = options.maxLength ?? 64;
  const tolerance = options.tolerance ?? 0.01;
  const used = shares.filter((s) => s.weight > 0 && Number.isFinite(s.weight));
  if (used.length === 0) return [];
  if (used.length === 1) return [used[0]!.slot];
  const credits = quantize(used.map((s) => s.weight));
  let best: number[] = [];
  let bestError = Infinity;
  for (let n = 1; n <= maxLength; n++) {
    const picks = sequence(credits, n);
    const err = shareError(picks, credits);
    if (err < bestError - 1e-12) {
      best = picks;
      bestError = err;
    }
    if (err <= tolerance) break;
  }
  return best.map((j) => used[j]!.slot);
}
