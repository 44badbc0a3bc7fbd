/**
 * Figures of one bed run from what the traffic program recorded and the
 * router's byte counters. Pure: records in, numbers out.
 */
import type { ConnSample, TrafficRecord } from './bed-roles.js';
import type { UplinkSample } from './bed-energy.js';
import { videoFigures } from './bed-video.js';
import type { VideoFigures } from './bed-video.js';

export interface CallFigures {
  sent: number;
  lossPct: number;
  rttMeanMs: number | null;
  rttP95Ms: number | null;
  /** Mean absolute difference of consecutive RTTs (RFC 3550's D, unsmoothed). */
  jitterMs: number | null;
  /** Uplinks that carried echoes, in order of first use. */
  uplinks: number[];
  /** The same per call (index into the call hosts). */
  uplinksByCall: number[][];
}

export interface RunFigures {
  bulkMbps: number;
  /** Bulk throughput while the scenario's event lasted (null: no event with an end). */
  bulkDuringEventMbps: number | null;
  video: VideoFigures;
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
  const uplinksByCall: number[][] = [];
  for (const e of inWindow) {
    if (!uplinks.includes(e[2])) uplinks.push(e[2]);
    const mine = (uplinksByCall[e[3]] ??= []);
    if (!mine.includes(e[2])) mine.push(e[2]);
  }
  for (let k = 0; k < uplinksByCall.length; k++) uplinksByCall[k] ??= [];
  return {
    sent,
    lossPct: sent ? Math.max(0, ((sent - inWindow.length) / sent) * 100) : 0,
    rttMeanMs: rtts.length ? rtts.reduce((a, b) => a + b, 0) / rtts.length : null,
    rttP95Ms: quantile(rtts, 0.95),
    jitterMs: rtts.length > 1 ? jitterSum / (rtts.length - 1) : null,
    uplinks,
    uplinksByCall,
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

/** Mean Mbit/s over whole seconds [fromS, toS) of per-second byte counts. */
function meanMbps(perS: readonly number[], fromS: number, toS: number): number {
  const bins = perS.slice(fromS, Math.max(fromS, toS));
  return bins.length ? (bins.reduce((a, b) => a + b, 0) * 8) / 1e6 / bins.length : 0;
}

/**
 * `fail`: a failure's start and end (failover is measured over it); `window`:
 * the event's start and end for the bulk rate during it (null: none).
 */
export function runFigures(
  r: TrafficRecord,
  warmupS: number,
  fail: { downMs: number; upMs: number } | null,
  probeTimeoutMs: number,
  videoBytesPerS: number,
  window: { fromMs: number; toMs: number } | null = null,
): RunFigures {
  const bulkMbps = meanMbps(r.bulkBytesPerS, warmupS, r.bulkBytesPerS.length - 1);
  const bulkDuringEventMbps = window
    ? meanMbps(r.bulkBytesPerS, Math.ceil((window.fromMs - r.t0Ms) / 1000), Math.floor((window.toMs - r.t0Ms) / 1000))
    : null;
  const from = r.t0Ms + warmupS * 1000;
  const to = r.callSentAtMs.length ? r.callSentAtMs[r.callSentAtMs.length - 1]! - 1000 : from;
  // The video over the same window as the calls (a stream that died early still counts its silent end).
  const video = videoFigures(r.videoBytesPer100Ms, videoBytesPerS, warmupS * 10, Math.max(warmupS * 10, Math.floor((to - r.t0Ms) / 100)));
  const web = r.web.filter((w) => w[0] >= from);
  const okDur = web.filter((w) => w[1] === 1).map((w) => w[3]);
  const fo = fail ? failover(r.probes, fail.downMs, fail.upMs, probeTimeoutMs) : { seconds: 0, failed: 0 };
  return {
    bulkMbps,
    bulkDuringEventMbps,
    video,
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

export interface QuotaFigures {
  /** 1-based uplink with the quota. */
  uplink: number;
  quotaBytes: number;
  /** Both directions, from the bed's start to the end of the run. */
  usedBytes: number;
  overBytes: number;
  /** When the counters first passed the quota, ms after the first sample (null: never). */
  reachedAfterMs: number | null;
}

/** Bytes an uplink (index `i`) carried past its quota, from absolute counters (the quota counts from the bed's start). */
export function quotaFigures(samples: readonly UplinkSample[], i: number, quotaBytes: number): QuotaFigures {
  const used = (s: UplinkSample): number => s.txBytes[i]! + s.rxBytes[i]!;
  const last = samples[samples.length - 1];
  const usedBytes = last ? used(last) : 0;
  const reached = samples.find((s) => used(s) >= quotaBytes);
  return {
    uplink: i + 1,
    quotaBytes,
    usedBytes,
    overBytes: Math.max(0, usedBytes - quotaBytes),
    reachedAfterMs: reached && samples[0] ? reached.atMs - samples[0].atMs : null,
  };
}

/** A Markdown table. */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (c: readonly string[]): string => `| ${c.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}
