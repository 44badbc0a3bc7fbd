/**
 * The end-of-run summary: bytes and money per modem, what a single modem or
 * an mwan3-style split would have cost for the same bytes, the failover
 * time measured when the 5G link dropped, and the connections that broke
 * (those of a lost modem are expected; any other is a rebalancing failure).
 * Pure: the run's record in, figures and text out.
 */
import type { BreakEvent, CallStats, OutageEvent } from './traffic-report.js';

export interface ModemRecord {
  name: string;
  uplink: number;
  tier: string;
  rateMbit: number;
  pricePerGb: number;
  overagePricePerGb: number | null;
  /** rx + tx bytes on its uplink during the run. */
  bytes: number;
  /** Set by the script's quota step: the quota, and the bytes already counted against it then. */
  quota: { quotaBytes: number; usedAtSetBytes: number; bytesAtSet: number } | null;
}

/** One down period of an uplink; `upMs` null = still down at the end. */
export interface DownPeriod {
  uplink: number;
  downMs: number;
  upMs: number | null;
  cause: string;
}

export interface RunRecord {
  seconds: number;
  startMs: number;
  endMs: number;
  modems: ModemRecord[];
  breaks: BreakEvent[];
  outages: OutageEvent[];
  downs: DownPeriod[];
  /** The scripted radio loss the failover time is measured on. */
  failoverDrop: { uplink: number; atMs: number } | null;
  call: CallStats | null;
  /** Peak total demand the traffic asked for (kbit/s, both directions). */
  demandKbps: number;
  daemon: 'running' | 'missing' | 'failed';
  daemonNote: string | null;
}

export interface CostLine {
  label: string;
  cost: number;
  note: string;
}

export interface DemoSummary {
  seconds: number;
  daemon: RunRecord['daemon'];
  totalBytes: number;
  modems: { name: string; bytes: number; sharePct: number; cost: number }[];
  cost: number;
  costPerHour: number;
  alternatives: CostLine[];
  failover: { flow: string; ms: number; from: number; to: number }[];
  /** Nothing was on the dropped modem, or no drop was played. */
  failoverNote: string | null;
  breaks: { total: number; lostModem: number; rebalancing: number; details: string[] };
  call: CallStats | null;
}

/** How long after a modem's return its connections may still be found broken (stall detection + slack). */
export const BREAK_GRACE_MS = 6000;

export function modemCost(m: ModemRecord): number {
  if (!m.quota || m.overagePricePerGb === null) return (m.bytes / 1e9) * m.pricePerGb;
  const left = Math.max(0, m.quota.quotaBytes - m.quota.usedAtSetBytes);
  const after = Math.max(0, m.bytes - m.quota.bytesAtSet);
  const over = Math.max(0, after - left);
  return ((m.bytes - over) / 1e9) * m.pricePerGb + (over / 1e9) * m.overagePricePerGb;
}

export function isLostModemBreak(b: BreakEvent, downs: DownPeriod[]): boolean {
  return downs.some((d) => d.uplink === b.uplink && b.atMs >= d.downMs - 1000 && b.atMs <= (d.upMs ?? Infinity) + BREAK_GRACE_MS);
}

export function summarize(r: RunRecord): DemoSummary {
  const totalBytes = r.modems.reduce((a, m) => a + m.bytes, 0);
  const modems = r.modems.map((m) => ({
    name: m.name,
    bytes: m.bytes,
    sharePct: totalBytes ? (m.bytes / totalBytes) * 100 : 0,
    cost: modemCost(m),
  }));
  const cost = modems.reduce((a, m) => a + m.cost, 0);
  const gb = totalBytes / 1e9;
  const alternatives: CostLine[] = r.modems.map((m) => ({
    label: `everything on ${m.name}`,
    cost: gb * m.pricePerGb,
    note: m.rateMbit * 1000 >= r.demandKbps ? `${m.rateMbit} Mbit/s carries the ${(r.demandKbps / 1000).toFixed(1)} Mbit/s asked` : `only ${m.rateMbit} Mbit/s for ${(r.demandKbps / 1000).toFixed(1)} Mbit/s asked: could not have carried it`,
  }));
  const primaries = r.modems.filter((m) => m.tier === 'primary');
  if (primaries.length > 0) {
    const mean = primaries.reduce((a, m) => a + m.pricePerGb, 0) / primaries.length;
    alternatives.push({
      label: `mwan3-style split (${primaries.map((m) => m.name).join(' + ')}, equal weights)`,
      cost: gb * mean,
      note: 'per-connection random balancing knows no prices: each byte costs the members\' mean price',
    });
  }

  const failover: DemoSummary['failover'] = [];
  let failoverNote: string | null = null;
  if (!r.failoverDrop) failoverNote = 'no link drop was played';
  else {
    const d = r.failoverDrop;
    for (const o of r.outages) {
      if (o.fromUplink !== d.uplink || o.toUplink === d.uplink || o.toUplink === 0) continue;
      if (o.fromMs < d.atMs - 2000 || o.fromMs > d.atMs + 2000) continue;
      failover.push({ flow: o.flow, ms: Math.max(0, o.toMs - d.atMs), from: o.fromUplink, to: o.toUplink });
    }
    if (failover.length === 0) failoverNote = `no flow was carried by uplink ${d.uplink} when it dropped, so none had to move`;
  }

  const details: string[] = [];
  let lostModem = 0;
  let rebalancing = 0;
  for (const b of r.breaks) {
    const own = isLostModemBreak(b, r.downs);
    if (own) lostModem++;
    else rebalancing++;
    details.push(`${((b.atMs - r.startMs) / 1000).toFixed(1)} s ${b.flow} on uplink ${b.uplink}: ${b.reason}${own ? ' (its modem was lost)' : ''}`);
  }
  return {
    seconds: r.seconds,
    daemon: r.daemon,
    totalBytes,
    modems,
    cost,
    costPerHour: r.seconds > 0 ? (cost * 3600) / r.seconds : 0,
    alternatives,
    failover,
    failoverNote,
    breaks: { total: r.breaks.length, lostModem, rebalancing, details },
    call: r.call,
  };
}

const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
const money = (x: number): string => x.toFixed(4);

export function formatSummary(s: DemoSummary, daemonNote: string | null): string[] {
  const out = [`== summary after ${s.seconds.toFixed(0)} s (daemon: ${s.daemon}${daemonNote ? `: ${daemonNote}` : ''})`];
  out.push('bytes per modem (both directions):');
  for (const m of s.modems) out.push(`  ${m.name.padEnd(8)} ${mb(m.bytes).padStart(10)}  ${m.sharePct.toFixed(0).padStart(3)} %   cost ${money(m.cost)}`);
  out.push(`cost: ${money(s.cost)} for ${mb(s.totalBytes)} (${s.costPerHour.toFixed(2)} per hour)`);
  out.push('the same bytes elsewhere:');
  for (const a of s.alternatives) out.push(`  ${a.label}: ${money(a.cost)} (${a.note})`);
  if (s.failover.length > 0) {
    out.push('failover (link lost until the flow ran again on another modem; a TCP flow includes the application noticing the stall and reconnecting):');
    for (const f of s.failover) out.push(`  ${f.flow}: ${(f.ms / 1000).toFixed(2)} s (uplink ${f.from} -> ${f.to})`);
  } else out.push(`failover: ${s.failoverNote}`);
  if (s.call) {
    out.push(
      `call: ${s.call.received}/${s.call.sent} packets echoed, loss ${s.call.sent ? (((s.call.sent - s.call.received) / s.call.sent) * 100).toFixed(2) : '0'} %, longest gap ${(s.call.maxGapMs / 1000).toFixed(2)} s`,
    );
  }
  out.push(`connections broken: ${s.breaks.total} (${s.breaks.lostModem} with a lost modem, ${s.breaks.rebalancing} by rebalancing or otherwise)`);
  for (const d of s.breaks.details) out.push(`  ${d}`);
  return out;
}
