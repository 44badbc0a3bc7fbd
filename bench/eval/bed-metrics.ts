/**
 * Figures of one bed run from what the traffic program recorded and the
 * router's byte counters. Pure: records in, numbers out.
 */
import type { ConnSample, TrafficRecord } from './bed-roles.js';

export interface CallFigures {
  sent: number;
  lossPct: number;
  rttMeanMs: number | null;
  rttP95Ms: number | null;
  /** Mean absolute difference of consecutive RTTs (RFC 3550's D, unsmoothed). */
  jitterMs: number | null;
  /** Uplinks that carried echoes, in order of first use. */
  uplinks: number[];
}

export interface RunFigures {
  bulkMbps: number;
  call: CallFigures;
  webOk: number;
  webTotal: number;
  webMedianMs: number | null;
  breaks: number;
  /** Link loss to new connections working again, s; null = not settled before the link came back; 0 = no failed probe. */
  failoverS: number | null;
  /** Probes that failed between the failure and the link's return. */
  failedProbes: number;
}

const quantile = (xs: number[], q: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** Call figures over packets sent in [fromMs, toMs) (epoch ms); a packet sent is lost when no echo came. */
export function callFigures(r: TrafficRecord, fromMs: number, toMs: number): CallFigures {
  let sent = 0;
  for (const t of r.callSentAtMs) if (t >= fromMs && t < toMs) sent++;
  const inWindow = r.callEchoes.filter(([t]) => t >= fromMs && t < toMs).sort((a, b) => a[0] - b[0]);
  const rtts = inWindow.map((e) => e[1]);
  let jitterSum = 0;
  for (let i = 1; i < rtts.length; i++) jitterSum += Math.abs(rtts[i]! - rtts[i - 1]!);
  const uplinks: number[] = [];
  for (const e of inWindow) if (!uplinks.includes(e[2])) uplinks.push(e[2]);
  return {
    sent,
    lossPct: sent ? Math.max(0, ((sent - inWindow.length) / sent) * 100) : 0,
    rttMeanMs: rtts.length ? rtts.reduce((a, b) => a + b, 0) / rtts.length : null,
    rttP95Ms: quantile(rtts, 0.95),
    jitterMs: rtts.length > 1 ? jitterSum / (rtts.length - 1) : null,
    uplinks,
  };
}

/**
 * Failover: from the failure at `downMs` to the start of the first probe
 * after the last two probes in a row that failed, over the probes that
 * could finish before the link came back (`upMs`; a probe cut short by the
 * return is the return's doing). A lone failed probe is congestion (a
 * saturated link drops a SYN now and then, with or without a failure), not
 * an outage. 0 when no two failed in a row; null when the probes had not
 * worked for `settleMs` before the return (not settled).
 */
export function failover(probes: readonly ConnSample[], downMs: number, upMs: number, timeoutMs: number, settleMs = 2000): { seconds: number | null; failed: number } {
  const during = probes.filter((p) => p[0] >= downMs && p[0] + timeoutMs < upMs).sort((a, b) => a[0] - b[0]);
  const failed = during.filter((p) => p[1] === 0).length;
  let lastPair = -1;
  for (let i = 1; i < during.length; i++) if (during[i]![1] === 0 && during[i - 1]![1] === 0) lastPair = i;
  if (lastPair < 0) return { seconds: 0, failed };
  let k = lastPair + 1;
  while (k < during.length && during[k]![1] === 0) k++;
  const next = during[k];
  if (!next || during[during.length - 1]![0] - next[0] < settleMs) return { seconds: null, failed };
  return { seconds: (next[0] - downMs) / 1000, failed };
}

export function runFigures(r: TrafficRecord, warmupS: number, fail: { downMs: number; upMs: number } | null, probeTimeoutMs: number): RunFigures {
  const bins = r.bulkBytesPerS.slice(warmupS, Math.max(warmupS, r.bulkBytesPerS.length - 1));
  const bulkMbps = bins.length ? (bins.reduce((a, b) => a + b, 0) * 8) / 1e6 / bins.length : 0;
  const from = r.t0Ms + warmupS * 1000;
  const to = r.callSentAtMs.length ? r.callSentAtMs[r.callSentAtMs.length - 1]! - 1000 : from;
  const web = r.web.filter((w) => w[0] >= from);
  const okDur = web.filter((w) => w[1] === 1).map((w) => w[3]);
  const fo = fail ? failover(r.probes, fail.downMs, fail.upMs, probeTimeoutMs) : { seconds: 0, failed: 0 };
  return {
    bulkMbps,
    call: callFigures(r, from, to),
    webOk: okDur.length,
    webTotal: web.length,
    webMedianMs: quantile(okDur, 0.5),
    breaks: r.breaks.length,
    failoverS: fail ? fo.seconds : null,
    failedProbes: fo.failed,
  };
}

/** Money for the bytes each uplink carried: sum of bytes / 1e9 x price per GB. */
export function dataCost(bytesByUplink: readonly number[], pricePerGb: readonly number[]): number {
  return bytesByUplink.reduce((sum, b, i) => sum + (b / 1e9) * (pricePerGb[i] ?? 0), 0);
}

/** A Markdown table. */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (c: readonly string[]): string => `| ${c.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}
