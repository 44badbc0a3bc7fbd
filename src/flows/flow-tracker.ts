import type { Result } from '../model/errors.js';
import type { FlowGroup } from '../model/flow-group.js';
import type { Clock, CommandRunner, Logger, ProcessSpawner, SpawnedProcess, SysfsReader, TimerHandle } from '../model/ports.js';
import type { ClassifyContext } from './classifier.js';
import type { ConnectionView } from './connection-table.js';
import { ConnectionTable } from './connection-table.js';
import { isConntrackNotice, parseConntrackEvent, parseConntrackListing } from './conntrack-parser.js';
import type { AccountingState, ConntrackSource } from './conntrack-source.js';
import { conntrackToolSource, ensureAccounting, procfsSource } from './conntrack-source.js';
import type { ExclusionReason } from './grouping.js';
import { normalizeDomain } from './classifier.js';
import { canonicalIp } from '../model/ip-address.js';
import { readNeighbours } from './neighbours.js';
import type { FlowTrackerOptions, ResolvedTrackerOptions } from './tracker-options.js';
import { resolveTrackerOptions } from './tracker-options.js';

export interface FlowTrackerDeps {
  runner: CommandRunner;
  spawner: ProcessSpawner;
  clock: Clock;
  logger: Logger;
  /** Needed for source 'procfs'. */
  sysfs?: SysfsReader;
  /** Called after every poll with the new groups (errors in it are logged, not thrown). */
  onGroups?: (groups: FlowGroup[]) => void;
}

export interface FlowTrackerStatus {
  running: boolean;
  source: string;
  accounting: AccountingState;
  accountingProblem: string | null;
  polls: number;
  lastPollOk: boolean | null;
  lastError: string | null;
  connections: number;
  groups: number;
  excluded: Record<ExclusionReason, number>;
  /** Lines of conntrack output that could not be parsed (skipped, counted). */
  skippedLines: number;
  eventsRunning: boolean;
  events: number;
  /** Times conntrack -E reported ENOBUFS (events lost; the next poll catches up). */
  lostEventBursts: number;
  counterResets: number;
}

const MAX_EVENT_BACKOFF_MS = 30_000;

/**
 * Follows the conntrack table: polls it (counters, and the truth), listens to
 * `conntrack -E` for new and destroyed connections between polls, and keeps
 * the flow groups up to date. The constructor only stores its inputs; work
 * starts in start() and ends in stop().
 */
export class FlowTracker {
  private opts: ResolvedTrackerOptions | null = null;
  private table: ConnectionTable | null = null;
  private source: ConntrackSource | null = null;
  private timer: TimerHandle | null = null;
  private eventTimer: TimerHandle | null = null;
  private events: SpawnedProcess | null = null;
  private eventBackoffMs = 1000;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private lastGroups: FlowGroup[] = [];
  private context: ClassifyContext = { layout: null, neighbours: new Map(), domainAddresses: new Map() };
  private lastNeighbourMs = -Infinity;
  private readonly st = {
    accounting: 'unknown' as AccountingState,
    accountingProblem: null as string | null,
    polls: 0,
    lastPollOk: null as boolean | null,
    lastError: null as string | null,
    skippedLines: 0,
    events: 0,
    lostEventBursts: 0,
  };

  constructor(
    private readonly deps: FlowTrackerDeps,
    private readonly options: FlowTrackerOptions,
  ) {}

  async start(): Promise<Result<void>> {
    if (this.running) return { ok: true, value: undefined };
    const resolved = resolveTrackerOptions(this.options);
    if (!resolved.ok) return resolved;
    const o = resolved.value;
    if (o.source === 'procfs' && !this.deps.sysfs) return { ok: false, errors: ['flows: source procfs needs a SysfsReader'] };
    this.opts = o;
    this.source = o.source === 'procfs' ? procfsSource(this.deps.sysfs!) : conntrackToolSource(this.deps.runner, o.netns ? { netns: o.netns } : {});
    this.context = { ...this.context, layout: o.layout };
    this.table = new ConnectionTable(
      { classes: o.classes, layout: o.layout, grouping: o.grouping, rateWindowMs: o.rateWindowMs, minRateSpanMs: o.minRateSpanMs },
      this.context,
    );
    this.running = true;
    const acct = await ensureAccounting(this.deps.runner, o.enableAccounting, o.netns);
    this.st.accounting = acct.state;
    this.st.accountingProblem = acct.problem;
    if (acct.changed) this.deps.logger.info('turned on conntrack accounting', { sysctl: 'net.netfilter.nf_conntrack_acct' });
    if (acct.problem) this.deps.logger.warn('conntrack byte counters unavailable', { reason: acct.problem });
    if (!this.running) return { ok: true, value: undefined }; // stopped while starting
    if (o.events) this.startEvents();
    await this.pollNow();
    return { ok: true, value: undefined };
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    if (this.eventTimer) this.deps.clock.clearTimeout(this.eventTimer);
    this.timer = null;
    this.eventTimer = null;
    const ev = this.events;
    this.events = null;
    ev?.kill('SIGTERM');
  }

  /** Domain -> addresses (from dnsmasq's nftsets or resolver answers), for `domain` class rules. */
  setDomainAddresses(map: ReadonlyMap<string, Iterable<string>>): void {
    const norm = new Map<string, Set<string>>();
    for (const [d, addrs] of map) {
      const set = norm.get(normalizeDomain(d)) ?? new Set<string>();
      for (const a of addrs) {
        const c = canonicalIp(a);
        if (c) set.add(c);
      }
      norm.set(normalizeDomain(d), set);
    }
    this.context = { ...this.context, domainAddresses: norm };
    this.table?.setContext(this.context);
  }

  groups(): FlowGroup[] {
    return this.lastGroups;
  }

  connections(): ConnectionView[] {
    return this.table ? this.table.view(this.deps.clock.monotonicMs()) : [];
  }

  status(): FlowTrackerStatus {
    return {
      running: this.running,
      source: this.source?.name ?? 'none',
      ...this.st,
      connections: this.table?.size ?? 0,
      groups: this.lastGroups.length,
      excluded: this.table?.excluded() ?? { 'not-from-lan': 0, 'lan-internal': 0, 'local-scope': 0, closing: 0 },
      eventsRunning: this.events !== null,
      counterResets: this.table?.counterResets ?? 0,
    };
  }

  /** Polls now (joining a poll under way) and schedules the next one. */
  pollNow(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.inFlight ??= this.poll()
      // A bug in one poll must not take the daemon down: log it, poll again on schedule.
      .catch((e: unknown) => {
        this.st.lastPollOk = false;
        this.st.lastError = e instanceof Error ? e.message : String(e);
        this.deps.logger.error('flow poll failed', { error: this.st.lastError });
      })
      .finally(() => {
        this.inFlight = null;
        this.schedule();
      });
    return this.inFlight;
  }

  private schedule(): void {
    if (!this.running || !this.opts) return;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      void this.pollNow();
    }, this.opts.pollIntervalMs);
  }

  private async poll(): Promise<void> {
    const o = this.opts!;
    const table = this.table!;
    if (o.needsNeighbours && this.deps.clock.monotonicMs() - this.lastNeighbourMs >= o.neighbourRefreshMs) {
      this.lastNeighbourMs = this.deps.clock.monotonicMs();
      const n = await readNeighbours(this.deps.runner, o.netns);
      if ('table' in n) {
        this.context = { ...this.context, neighbours: n.table };
        table.setContext(this.context);
      } else this.deps.logger.warn('neighbour table unavailable: src_mac rules cannot match', { reason: n.error });
    }
    const r = await this.source!.read();
    if (!this.running) return;
    this.st.polls++;
    if (!r.ok) {
      if (this.st.lastPollOk !== false) this.deps.logger.warn('conntrack listing failed', { source: this.source!.name, reason: r.errors[0] });
      this.st.lastPollOk = false;
      this.st.lastError = r.errors[0]!;
      return;
    }
    const now = this.deps.clock.monotonicMs();
    const listing = parseConntrackListing(r.value);
    if (listing.skipped.length > 0) {
      this.st.skippedLines += listing.skipped.length;
      const first = listing.skipped[0]!;
      this.deps.logger.warn('skipped malformed conntrack lines', { count: listing.skipped.length, line: first.lineNo, reason: first.reason });
    }
    if (this.st.lastPollOk === false) this.deps.logger.info('conntrack listing works again', { source: this.source!.name });
    this.st.lastPollOk = true;
    this.st.lastError = null;
    table.ingestListing(listing.entries, now);
    this.lastGroups = table.regroup(now);
    if (this.deps.onGroups) {
      try {
        this.deps.onGroups(this.lastGroups);
      } catch (e) {
        this.deps.logger.error('flow group listener failed', { error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private startEvents(): void {
    const o = this.opts!;
    // Only NEW and DESTROY: UPDATEs (every TCP state change) cost more than they tell; polls carry state and counters.
    const args = ['-E', '-o', 'extended,id', '-e', 'NEW,DESTROY'];
    const handle: { proc: SpawnedProcess | null } = { proc: null };
    handle.proc = this.deps.spawner.spawn(
      'conntrack',
      args,
      {
        onLine: (line) => this.onEventLine(line),
        onStderr: (line) => this.onEventStderr(line),
        onExit: (code, signal) => this.onEventsExit(handle.proc, code, signal),
      },
      o.netns ? { netns: o.netns } : {},
    );
    this.events = handle.proc;
  }

  private onEventLine(line: string): void {
    try {
      this.handleEventLine(line);
    } catch (e) {
      this.deps.logger.error('conntrack event handling failed', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private handleEventLine(line: string): void {
    if (!this.running || line.trim() === '' || isConntrackNotice(line)) return;
    const ev = parseConntrackEvent(line);
    if (!ev.ok) {
      this.st.skippedLines++;
      this.deps.logger.warn('skipped malformed conntrack event', { reason: ev.errors[0] });
      return;
    }
    this.st.events++;
    this.eventBackoffMs = 1000;
    this.table!.ingestEvent(ev.value, this.deps.clock.monotonicMs());
  }

  private onEventStderr(line: string): void {
    if (/ENOBUFS/.test(line)) {
      this.st.lostEventBursts++;
      this.deps.logger.warn('conntrack events lost (ENOBUFS); polling to catch up');
      void this.pollNow();
    } else if (line.trim() !== '' && !isConntrackNotice(line)) {
      this.deps.logger.debug('conntrack -E', { stderr: line });
    }
  }

  private onEventsExit(proc: SpawnedProcess | null, code: number | null, signal: string | null): void {
    if (proc === null || this.events !== proc) return;
    this.events = null;
    if (!this.running) return;
    if (code === 127) {
      this.deps.logger.error('conntrack not found: following the table by polling only');
      return;
    }
    this.deps.logger.warn('conntrack -E exited; restarting', { code, signal, inMs: this.eventBackoffMs });
    this.eventTimer = this.deps.clock.setTimeout(() => {
      this.eventTimer = null;
      if (this.running) this.startEvents();
    }, this.eventBackoffMs);
    this.eventBackoffMs = Math.min(MAX_EVENT_BACKOFF_MS, this.eventBackoffMs * 2);
  }
}
