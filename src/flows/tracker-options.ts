import type { ClassRule } from '../model/config.js';
import type { Result } from '../model/errors.js';
import type { MarkLayout } from '../model/mark-layout.js';
import { DEFAULT_MARK_MASK, markLayout } from '../model/mark-layout.js';
import type { CompiledClasses } from './classifier.js';
import { compileClasses } from './classifier.js';
import type { GroupingOptions, OwnGroupThresholds } from './grouping.js';
import { DEFAULT_MEASURE_MIN_AGE_S, DEFAULT_OWN_GROUP_THRESHOLDS } from './grouping.js';
import type { IpPrefix } from '../model/ip-address.js';
import { parsePrefix } from '../model/ip-address.js';

/** What the daemon tells the FlowTracker. */
export interface FlowTrackerOptions {
  /** 'conntrack': `conntrack -L`; 'procfs': /proc/net/nf_conntrack (needs `sysfs` in the deps). */
  source: 'conntrack' | 'procfs';
  /** Follow `conntrack -E` for new/destroyed connections between polls. */
  events: boolean;
  /** Run every command in this network namespace (test bed). */
  netns?: string;
  pollIntervalMs?: number;
  /** Rates are averaged over this window. */
  rateWindowMs?: number;
  /** A host group's rate needs samples spanning this long (default: two polls, at most the window). */
  minRateSpanMs?: number;
  /** globals.markMask. */
  markMask?: number;
  /** LAN prefixes, e.g. ['192.168.1.0/24', 'fd00:1::/64']. */
  lanPrefixes: string[];
  /** The user's `class` sections, in file order. */
  classes: ClassRule[];
  own?: Partial<OwnGroupThresholds>;
  measureMinAgeS?: number;
  /** Turn nf_conntrack_acct on when it is off (default true). */
  enableAccounting?: boolean;
  /** How often the neighbour table is read when a class rule matches on MAC. */
  neighbourRefreshMs?: number;
}

export interface ResolvedTrackerOptions {
  source: 'conntrack' | 'procfs';
  events: boolean;
  netns: string | undefined;
  pollIntervalMs: number;
  rateWindowMs: number;
  minRateSpanMs: number;
  layout: MarkLayout | null;
  lanPrefixes: IpPrefix[];
  classes: CompiledClasses;
  grouping: GroupingOptions;
  enableAccounting: boolean;
  neighbourRefreshMs: number;
  needsNeighbours: boolean;
}

const NETNS_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks the options and fills in defaults; every problem says which option and what was expected. */
export function resolveTrackerOptions(o: FlowTrackerOptions): Result<ResolvedTrackerOptions> {
  const errors: string[] = [];
  const positive = (name: string, v: number | undefined, dflt: number, min: number): number => {
    if (v === undefined) return dflt;
    if (!Number.isFinite(v) || v < min) errors.push(`flows: ${name} must be a number >= ${min}, got ${v}`);
    return v;
  };
  if (o.source !== 'conntrack' && o.source !== 'procfs') errors.push(`flows: source must be 'conntrack' or 'procfs', got '${String(o.source)}'`);
  if (o.events && o.source === 'procfs') errors.push(`flows: events need the conntrack tool; use source 'conntrack' or events false`);
  if (o.netns !== undefined && !NETNS_RE.test(o.netns)) errors.push(`flows: netns '${o.netns}' is not a valid namespace name`);
  const pollIntervalMs = positive('pollIntervalMs', o.pollIntervalMs, 2000, 100);
  const rateWindowMs = positive('rateWindowMs', o.rateWindowMs, 10_000, 1);
  if (rateWindowMs < pollIntervalMs) errors.push(`flows: rateWindowMs (${rateWindowMs}) must be at least pollIntervalMs (${pollIntervalMs})`);
  const minRateSpanMs = positive('minRateSpanMs', o.minRateSpanMs, Math.min(rateWindowMs, 2 * pollIntervalMs), 1);
  const layout = markLayout(o.markMask ?? DEFAULT_MARK_MASK);
  if (!layout) errors.push(`flows: markMask 0x${(o.markMask ?? 0).toString(16)} does not hold 12 contiguous bits`);
  const lanPrefixes: IpPrefix[] = [];
  for (const p of o.lanPrefixes) {
    const parsed = parsePrefix(p);
    if (parsed) lanPrefixes.push(parsed);
    else errors.push(`flows: LAN prefix '${p}' is not an IPv4/IPv6 CIDR`);
  }
  if (o.lanPrefixes.length === 0) errors.push('flows: at least one LAN prefix is needed to tell LAN hosts from the router and the internet');
  const classes = compileClasses(o.classes);
  errors.push(...classes.problems.map((p) => `flows: ${p}`));
  const own: OwnGroupThresholds = { ...DEFAULT_OWN_GROUP_THRESHOLDS, ...o.own };
  for (const k of ['heavyKbps', 'heavyMinAgeS', 'longLivedMinAgeS', 'longLivedMinKbps', 'tunnelMinAgeS'] as const) positive(`own.${k}`, own[k], own[k], 0);
  const measureMinAgeS = positive('measureMinAgeS', o.measureMinAgeS, DEFAULT_MEASURE_MIN_AGE_S, 0);
  const neighbourRefreshMs = positive('neighbourRefreshMs', o.neighbourRefreshMs, 10_000, 100);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      source: o.source,
      events: o.events,
      netns: o.netns,
      pollIntervalMs,
      rateWindowMs,
      minRateSpanMs,
      layout,
      lanPrefixes,
      classes,
      grouping: { lanPrefixes, measureMinAgeS, own },
      enableAccounting: o.enableAccounting ?? true,
      neighbourRefreshMs,
      needsNeighbours: o.classes.some((c) => c.srcMacs.length > 0),
    },
  };
}
