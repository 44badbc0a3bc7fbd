/**
 * Average Delay Asymmetry and Average Bandwidth Asymmetry between links
 * (paper 004, section 4.3): the mean absolute difference over all pairs,
 *   ADA = 2 * sum_{q<r} |d_r - d_q| / (n (n - 1)), likewise ABA for bandwidth.
 * Its section 6 finds delay asymmetry the dominant factor for one TCP flow
 * striped over several links: past about 20 ms two links beat more, and
 * near 30-35 ms four links carry no more than one (Figure 10). modemflow
 * steers whole connections, so this only matters for a flow split across
 * modems (OMMA shares of one class) and for relay/bonding later.
 */

export interface Asymmetry {
  adaMs: number | null;
  abaKbps: number | null;
  advice: string;
}

function meanPairwiseDiff(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  let sum = 0;
  for (let q = 1; q < n; q++) for (let r = 0; r < q; r++) sum += Math.abs(values[r]! - values[q]!);
  return (2 * sum) / (n * (n - 1));
}

/** Thresholds read off paper 004's Figure 10 (minimum delay 5-50 ms). */
export const ADA_TWO_LINKS_MS = 20;
export const ADA_ONE_LINK_MS = 30;

export function asymmetry(rttsMs: readonly number[], capacitiesKbps: readonly number[]): Asymmetry {
  const adaMs = meanPairwiseDiff(rttsMs);
  const abaKbps = meanPairwiseDiff(capacitiesKbps);
  let advice: string;
  if (adaMs === null) advice = 'fewer than two usable modems with an RTT: nothing to stripe';
  else if (adaMs >= ADA_ONE_LINK_MS) advice = `delay asymmetry ${adaMs.toFixed(0)} ms: striping one TCP flow over these modems is no faster than one modem; keep each connection on one`;
  else if (adaMs >= ADA_TWO_LINKS_MS) advice = `delay asymmetry ${adaMs.toFixed(0)} ms: a striped TCP flow gains from two modems at most`;
  else advice = `delay asymmetry ${adaMs.toFixed(0)} ms: low enough that striping one flow over several modems can add their bandwidth`;
  return { adaMs: adaMs === null ? null : round(adaMs), abaKbps: abaKbps === null ? null : round(abaKbps), advice };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
