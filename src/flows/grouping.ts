import type { FlowGroup, GroupKey } from '../model/flow-group.js';
import type { MarkLayout } from '../model/mark-layout.js';
import { decodeMark } from '../model/mark-layout.js';
import type { QosClass } from '../model/qos.js';
import type { Classification } from './classifier.js';
import type { ConntrackEntry } from './conntrack-entry.js';
import { isSourceNatted } from './conntrack-entry.js';
import type { IpPrefix } from '../model/ip-address.js';
import { inAnyPrefix, isLocalScope, parseIp } from '../model/ip-address.js';
import type { Rate } from './rates.js';

/**
 * Flow groups, the unit the solver assigns (DESIGN.md): a long-lived or heavy
 * connection on its own (call, stream, VPN tunnel), the rest of a LAN host's
 * connections grouped per class. Membership is decided first (it needs only
 * the connections), then the tracker feeds each group's byte deltas into the
 * group's rate and the groups are built with demand.
 */

export interface TrackedConnection {
  key: string;
  entry: ConntrackEntry;
  firstSeenMs: number;
  classification: Classification;
  /** Smoothed rate; null while unmeasurable (no counters, or too few samples). */
  rate: Rate | null;
  /** addressExclusion() of the entry, when the caller keeps it (it never changes for a tuple). */
  addressExclusion?: ExclusionReason | null;
}

export interface OwnGroupThresholds {
  /** Any class: a connection this fast (up or down) for this long gets its own group. */
  heavyKbps: number;
  heavyMinAgeS: number;
  /** Calls and streams: these classes, this old and carrying at least this much (up + down). */
  longLivedQos: QosClass[];
  longLivedMinAgeS: number;
  longLivedMinKbps: number;
  /** Tunnels carry mixed traffic of their own: these classes are alone once this old. */
  tunnelClasses: string[];
  tunnelMinAgeS: number;
}

export interface GroupingOptions {
  /** LAN prefixes (parsed with parsePrefix): only connections from these hosts are grouped. */
  lanPrefixes: readonly IpPrefix[];
  /** A group younger than this uses its class' configured demand. */
  measureMinAgeS: number;
  own: OwnGroupThresholds;
}

/**
 * Defaults: a voice call (Opus/G.711 RTP, 30-100 kbit/s each way) passes the
 * long-lived test after 5 s; keepalives (< 24 kbit/s) do not. Sooner is
 * better for a call: until it has its own group it keeps the modem its first
 * packet took (in the test bed, a call started on a lossy modem lost about half
 * its packets over the 20 s this used to take). 1 Mbit/s for 10 s is a
 * download or a stream worth placing on its own.
 */
export const DEFAULT_OWN_GROUP_THRESHOLDS: Readonly<OwnGroupThresholds> = Object.freeze<OwnGroupThresholds>({
  heavyKbps: 1000,
  heavyMinAgeS: 10,
  longLivedQos: ['C', 'S'],
  longLivedMinAgeS: 5,
  longLivedMinKbps: 24,
  tunnelClasses: ['vpn-udp', 'vpn-esp'],
  tunnelMinAgeS: 10,
});

export const DEFAULT_MEASURE_MIN_AGE_S = 10;

export type ExclusionReason = 'not-from-lan' | 'lan-internal' | 'local-scope' | 'closing';

/** TCP states after which a connection carries nothing worth placing. */
const CLOSING_STATES = new Set(['TIME_WAIT', 'CLOSE']);

/** The part of exclusionReason() that depends on the addresses only. */
export function addressExclusion(e: ConntrackEntry, lanPrefixes: readonly IpPrefix[]): ExclusionReason | null {
  const dst = parseIp(e.orig.dst);
  if (dst && isLocalScope(dst)) return 'local-scope';
  // The router's own traffic and connections from the internet (port forwards) are not placed by group.
  if (!inAnyPrefix(lanPrefixes, e.orig.src)) return 'not-from-lan';
  if (dst && inAnyPrefix(lanPrefixes, dst)) return 'lan-internal';
  return null;
}

/** Why a connection is not LAN traffic to place on a modem, or null when it is. */
export function exclusionReason(e: ConntrackEntry, lanPrefixes: readonly IpPrefix[], byAddress?: ExclusionReason | null): ExclusionReason | null {
  const a = byAddress !== undefined ? byAddress : addressExclusion(e, lanPrefixes);
  if (a) return a;
  if (e.state !== null && CLOSING_STATES.has(e.state)) return 'closing';
  return null;
}

export function groupId(key: GroupKey): string {
  if (key.kind === 'host-class') return `h:${key.host}:${key.className}`;
  const t = key.tuple;
  const ep = (a: string, p: number | null): string => (t.family === 6 ? `[${a}]` : a) + (p === null ? '' : `:${p}`);
  const tail = t.sport === null && key.conntrackId !== null ? `#${key.conntrackId}` : '';
  return `c:${t.proto}:${ep(t.src, t.sport)}>${ep(t.dst, t.dport)}${tail}`;
}

export interface Membership {
  groupId: string;
  key: GroupKey;
  own: boolean;
}

/** Whether a connection earns its own group now. */
export function qualifiesAsOwn(c: TrackedConnection, nowMs: number, t: OwnGroupThresholds): boolean {
  const ageS = (nowMs - c.firstSeenMs) / 1000;
  const cls = c.classification;
  if (t.tunnelClasses.includes(cls.className) && ageS >= t.tunnelMinAgeS) return true;
  if (!c.rate) return false;
  if (ageS >= t.heavyMinAgeS && Math.max(c.rate.upKbps, c.rate.downKbps) >= t.heavyKbps) return true;
  return t.longLivedQos.includes(cls.qos) && ageS >= t.longLivedMinAgeS && c.rate.upKbps + c.rate.downKbps >= t.longLivedMinKbps;
}

export interface MembershipResult {
  /** Connection key -> its group. */
  members: Map<string, Membership>;
  excluded: Record<ExclusionReason, number>;
}

/**
 * Puts each eligible connection in a group. `sticky` holds the keys of
 * connections that already had their own group: they keep it while they live,
 * so a call that goes quiet for a moment does not flap between groups.
 */
export function assignMembership(
  connections: readonly TrackedConnection[],
  nowMs: number,
  options: GroupingOptions,
  sticky: ReadonlySet<string>,
): MembershipResult {
  const members = new Map<string, Membership>();
  const excluded: Record<ExclusionReason, number> = { 'not-from-lan': 0, 'lan-internal': 0, 'local-scope': 0, closing: 0 };
  for (const c of connections) {
    const why = exclusionReason(c.entry, options.lanPrefixes, c.addressExclusion);
    if (why) {
      excluded[why]++;
      continue;
    }
    const className = c.classification.className;
    if (sticky.has(c.key) || qualifiesAsOwn(c, nowMs, options.own)) {
      const o = c.entry.orig;
      const key: GroupKey = {
        kind: 'connection',
        tuple: { family: c.entry.family, proto: c.entry.proto, src: o.src, dst: o.dst, sport: o.sport, dport: o.dport },
        className,
        conntrackId: c.entry.id,
      };
      members.set(c.key, { groupId: groupId(key), key, own: true });
    } else {
      const key: GroupKey = { kind: 'host-class', host: c.entry.orig.src, className };
      members.set(c.key, { groupId: groupId(key), key, own: false });
    }
  }
  return { members, excluded };
}

/** A host-class group's measured rate and since when the group exists (the tracker keeps these). */
export interface GroupRate {
  rate: Rate | null;
  sinceMs: number;
}

/** The modem slot all placed connections share; null when none is placed or they differ. */
export function commonSlot(entries: readonly ConntrackEntry[], layout: MarkLayout | null): number | null {
  if (!layout) return null;
  let slot: number | null = null;
  for (const e of entries) {
    const s = decodeMark(layout, e.mark).slot;
    if (s === 0) continue;
    if (slot !== null && s !== slot) return null;
    slot = s;
  }
  return slot;
}

/** Established TCP whose source was translated: moving it to another modem (another public address) kills it. */
export function isPinnedByNat(e: ConntrackEntry): boolean {
  return e.proto === 'tcp' && e.state === 'ESTABLISHED' && isSourceNatted(e);
}

/** Builds the groups with demand; sorted by id so the output is stable. */
export function buildFlowGroups(
  connections: readonly TrackedConnection[],
  members: ReadonlyMap<string, Membership>,
  hostGroupRates: ReadonlyMap<string, GroupRate>,
  nowMs: number,
  layout: MarkLayout | null,
  options: GroupingOptions,
): FlowGroup[] {
  const byGroup = new Map<string, { m: Membership; conns: TrackedConnection[] }>();
  for (const c of connections) {
    const m = members.get(c.key);
    if (!m) continue;
    const g = byGroup.get(m.groupId) ?? { m, conns: [] };
    g.conns.push(c);
    byGroup.set(m.groupId, g);
  }
  const minAgeMs = options.measureMinAgeS * 1000;
  const groups: FlowGroup[] = [];
  for (const [id, { m, conns }] of byGroup) {
    const first = conns[0]!;
    const rule = first.classification.rule;
    let rate: Rate | null;
    let sinceMs: number;
    if (m.own) {
      rate = first.rate;
      sinceMs = first.firstSeenMs;
    } else {
      const gr = hostGroupRates.get(id);
      rate = gr?.rate ?? null;
      sinceMs = gr?.sinceMs ?? Math.min(...conns.map((c) => c.firstSeenMs));
    }
    const measured = rate !== null && nowMs - sinceMs >= minAgeMs;
    const entries = conns.map((c) => c.entry);
    groups.push({
      id,
      key: m.key,
      qos: first.classification.qos,
      upKbps: measured ? rate!.upKbps : rule.upKbps,
      downKbps: measured ? rate!.downKbps : rule.downKbps,
      measured,
      connections: conns.length,
      currentSlot: commonSlot(entries, layout),
      // Rebalancing steers a host group's new connections; only a connection on its own is pinned.
      pinnedByNat: m.own && isPinnedByNat(first.entry),
    });
  }
  return groups.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

