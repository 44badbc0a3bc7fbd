import type { FlowGroup } from '../model/flow-group.js';
import type { MarkLayout } from '../model/mark-layout.js';
import { decodeMark } from '../model/mark-layout.js';
import type { Classification, ClassifyContext, CompiledClasses } from './classifier.js';
import { classify } from './classifier.js';
import type { ConntrackEntry, ConntrackEvent } from './conntrack-entry.js';
import { connectionKey } from './conntrack-entry.js';
import type { ExclusionReason, GroupingOptions, GroupRate, Membership, TrackedConnection } from './grouping.js';
import { addressExclusion, assignMembership, buildFlowGroups } from './grouping.js';
import type { RateState } from './rates.js';
import { addBytes, observeCounters, startRate, windowRate } from './rates.js';

/**
 * The connections modemflow knows of, fed by conntrack listings and events,
 * with their classes, rates and groups. No I/O and no clock of its own: every
 * call takes the (monotonic) time, so it is tested with plain data; the
 * FlowTracker wires it to conntrack.
 */

export interface TableSettings {
  classes: CompiledClasses;
  layout: MarkLayout | null;
  grouping: GroupingOptions;
  rateWindowMs: number;
  /** A host group's rate needs samples spanning at least this long. */
  minRateSpanMs: number;
}

interface ConnState {
  key: string;
  entry: ConntrackEntry;
  firstSeenMs: number;
  rate: RateState | null;
  classification: Classification;
  /** Class index of the mark the classification was made with. */
  classIndexSeen: number;
  addressExclusion: ExclusionReason | null;
}

export interface ConnectionView {
  key: string;
  entry: ConntrackEntry;
  ageMs: number;
  className: string;
  classSource: 'mark' | 'rules';
  upKbps: number | null;
  downKbps: number | null;
  groupId: string | null;
}

export class ConnectionTable {
  private readonly conns = new Map<string, ConnState>();
  /** Byte deltas seen since the last regroup, per connection key (destroyed ones included). */
  private pending = new Map<string, { up: number; down: number }>();
  private members = new Map<string, Membership>();
  private sticky = new Set<string>();
  private readonly groupRates = new Map<string, { state: RateState; lastMemberMs: number }>();
  private lastExcluded: Record<ExclusionReason, number> = { 'not-from-lan': 0, 'lan-internal': 0, 'local-scope': 0, closing: 0 };
  counterResets = 0;

  constructor(
    private settings: TableSettings,
    private context: ClassifyContext,
  ) {}

  /** New classification inputs (neighbours, domain sets): connections classified by rules are classified again. */
  setContext(context: ClassifyContext): void {
    this.context = context;
    for (const c of this.conns.values()) {
      if (c.classification.source === 'rules') c.classification = classify(this.settings.classes, factsOf(c.entry), context);
    }
  }

  get size(): number {
    return this.conns.size;
  }

  private classIndex(e: ConntrackEntry): number {
    return this.settings.layout ? decodeMark(this.settings.layout, e.mark).classIndex : 0;
  }

  private addDelta(key: string, up: number, down: number): void {
    if (up === 0 && down === 0) return;
    const p = this.pending.get(key) ?? { up: 0, down: 0 };
    p.up += up;
    p.down += down;
    this.pending.set(key, p);
  }

  /** Inserts or refreshes one entry; `baselineZero` when it is known to be brand new (a NEW event). */
  private upsert(e: ConntrackEntry, nowMs: number, baselineZero: boolean): ConnState {
    const key = connectionKey(e);
    let c = this.conns.get(key);
    // Same tuple, other conntrack id: the old connection ended and a new one reuses the tuple.
    if (c && c.entry.id !== null && e.id !== null && c.entry.id !== e.id) {
      this.drop(key);
      c = undefined;
    }
    if (!c) {
      const baseUp = baselineZero ? 0 : e.origCounters?.bytes ?? null;
      const baseDown = baselineZero ? 0 : e.replyCounters?.bytes ?? null;
      c = {
        key,
        entry: e,
        firstSeenMs: nowMs,
        rate: baselineZero || (e.origCounters && e.replyCounters) ? startRate(nowMs, baseUp, baseDown) : null,
        classification: classify(this.settings.classes, factsOf(e), this.context),
        classIndexSeen: this.classIndex(e),
        addressExclusion: addressExclusion(e, this.settings.grouping.lanPrefixes),
      };
      this.conns.set(key, c);
      if (!baselineZero) return c;
    }
    c.entry = e;
    if (e.origCounters && e.replyCounters) {
      c.rate ??= startRate(nowMs, e.origCounters.bytes, e.replyCounters.bytes);
      const o = observeCounters(c.rate, nowMs, e.origCounters.bytes, e.replyCounters.bytes, this.settings.rateWindowMs);
      c.rate = o.state;
      if (o.reset) this.counterResets++;
      this.addDelta(key, o.deltaUpBytes, o.deltaDownBytes);
    }
    const idx = this.classIndex(e);
    if (idx !== c.classIndexSeen) {
      c.classIndexSeen = idx;
      c.classification = classify(this.settings.classes, factsOf(e), this.context);
    }
    return c;
  }

  private drop(key: string): void {
    this.conns.delete(key);
    this.sticky.delete(key);
  }

  /** A full listing: entries not in it are gone. */
  ingestListing(entries: readonly ConntrackEntry[], nowMs: number): void {
    const seen = new Set<string>();
    for (const e of entries) seen.add(this.upsert(e, nowMs, false).key);
    for (const key of [...this.conns.keys()]) if (!seen.has(key)) this.drop(key);
  }

  ingestEvent(ev: ConntrackEvent, nowMs: number): void {
    const key = connectionKey(ev.entry);
    if (ev.type === 'destroy') {
      // The final counters count towards the group's rate.
      if (this.conns.has(key)) this.upsert(ev.entry, nowMs, false);
      this.drop(key);
      return;
    }
    const known = this.conns.has(key);
    this.upsert(ev.entry, nowMs, ev.type === 'new' && !known);
  }

  private tracked(): TrackedConnection[] {
    return [...this.conns.values()].map((c) => ({
      key: c.key,
      entry: c.entry,
      firstSeenMs: c.firstSeenMs,
      classification: c.classification,
      addressExclusion: c.addressExclusion,
      // Any two samples give a connection rate; grouping decides by age whether to trust it.
      rate: c.rate ? windowRate(c.rate, 1) : null,
    }));
  }

  /** Decides the groups now and feeds their rates; call once per poll. */
  regroup(nowMs: number): FlowGroup[] {
    const conns = this.tracked();
    const { members, excluded } = assignMembership(conns, nowMs, this.settings.grouping, this.sticky);
    this.lastExcluded = excluded;
    // Deltas of connections destroyed since the last regroup go to the group they were in.
    const previous = this.members;
    this.members = members;
    this.sticky = new Set([...members].filter(([, m]) => m.own).map(([k]) => k));
    const perGroup = new Map<string, { up: number; down: number }>();
    for (const [key, d] of this.pending) {
      const m = members.get(key) ?? previous.get(key);
      if (!m || m.own) continue;
      const g = perGroup.get(m.groupId) ?? { up: 0, down: 0 };
      g.up += d.up;
      g.down += d.down;
      perGroup.set(m.groupId, g);
    }
    this.pending = new Map();
    const live = new Set([...members.values()].filter((m) => !m.own).map((m) => m.groupId));
    for (const id of live) {
      if (!this.groupRates.has(id)) this.groupRates.set(id, { state: startRate(nowMs), lastMemberMs: nowMs });
    }
    const withCounters = new Set<string>();
    for (const c of conns) {
      const m = members.get(c.key);
      if (m && c.entry.origCounters !== null) withCounters.add(m.groupId);
    }
    const rates = new Map<string, GroupRate>();
    for (const [id, g] of this.groupRates) {
      const d = perGroup.get(id) ?? { up: 0, down: 0 };
      g.state = addBytes(g.state, nowMs, d.up, d.down, this.settings.rateWindowMs);
      if (live.has(id)) g.lastMemberMs = nowMs;
      // A host's group keeps its history for one window after its last connection ends.
      else if (nowMs - g.lastMemberMs > this.settings.rateWindowMs) {
        this.groupRates.delete(id);
        continue;
      }
      rates.set(id, { rate: withCounters.has(id) ? windowRate(g.state, this.settings.minRateSpanMs) : null, sinceMs: g.state.startMs });
    }
    return buildFlowGroups(conns, members, rates, nowMs, this.settings.layout, this.settings.grouping);
  }

  excluded(): Record<ExclusionReason, number> {
    return { ...this.lastExcluded };
  }

  view(nowMs: number): ConnectionView[] {
    return this.tracked().map((c) => ({
      key: c.key,
      entry: c.entry,
      ageMs: nowMs - c.firstSeenMs,
      className: c.classification.className,
      classSource: c.classification.source,
      upKbps: c.rate?.upKbps ?? null,
      downKbps: c.rate?.downKbps ?? null,
      groupId: this.members.get(c.key)?.groupId ?? null,
    }));
  }
}

export function factsOf(e: ConntrackEntry): { family: 4 | 6; proto: string; src: string; dst: string; sport: number | null; dport: number | null; mark: number } {
  return { family: e.family, proto: e.proto, src: e.orig.src, dst: e.orig.dst, sport: e.orig.sport, dport: e.orig.dport, mark: e.mark };
}
