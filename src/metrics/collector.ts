import type { ModemConfig } from '../model/config.js';
import type { ModemLink, ModemRadio, ModemView, PathStats } from '../model/modem.js';
import { unknownLink } from '../model/modem.js';
import type { Clock, Logger, ProcessSpawner, TimerHandle } from '../model/ports.js';
import { CapacityEstimator } from './capacity.js';
import { CounterRate } from './counter-rate.js';
import { billingCycle } from './price.js';
import { PathProbe } from './probe/path-probe.js';
import type { PingDialect } from './probe/ping-output.js';
import type { LinkProvider, LinkSnapshot, ReadResult } from './provider.js';
import { RadioSelector } from './radio-select.js';
import type { RadioProviders } from './radio-select.js';

export interface CollectorDeps {
  clock: Clock;
  logger: Logger;
  link: LinkProvider;
  radios: RadioProviders;
  /** Path probes need a spawner and the ping dialect; without them `path` stays null. */
  probes?: { spawner: ProcessSpawner; dialect: PingDialect; netns?: string };
}

export interface CollectorOptions {
  /** Time between refreshes of one modem (default 1000 ms). */
  refreshIntervalMs?: number;
  /** A modem's whole read (link + radio) must finish within this (default 4000 ms). */
  timeoutMs?: number;
  /** Offset of local time from UTC in minutes, for billing-cycle boundaries. */
  utcOffsetMin?: number;
  /** Called after every refresh of a modem, and when a path changes state. */
  onUpdate?: (view: ModemView) => void;
}

interface ModemState {
  cfg: ModemConfig;
  radio: RadioSelector;
  rx: CounterRate;
  tx: CounterRate;
  capacity: CapacityEstimator;
  /** Last interval's rates (not smoothed): capacity needs the edges, the view shows the smoothed ones. */
  instantRxKbps: number | null;
  instantTxKbps: number | null;
  probe: PathProbe | null;
  probeSource: string | null;
  view: ModemView;
  timer: TimerHandle | null;
  /** Monotonic ms the current read started; null when none is in flight. */
  inFlightSince: number | null;
  generation: number;
  lastUp: boolean | null;
  sinceMs: number | null;
  cycleStartMs: number;
  warned: string | null;
}

/**
 * Keeps one ModemView per configured modem fresh: each modem is read on its
 * own timer (netifd for the link, its radio provider for the radio), so a
 * modem whose provider hangs, vanishes or prints nonsense is marked
 * `health: 'unknown'` with one warning naming it, and the other modems are
 * not held up. Byte counters become rates and billing-cycle usage; path
 * probes run per modem from its current address; capacity is re-estimated on
 * every refresh. The constructor only stores; work starts in start().
 */
export class MetricsCollector {
  private readonly states = new Map<string, ModemState>();
  private running = false;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly deps: CollectorDeps,
    private readonly modems: readonly ModemConfig[],
    private readonly options: CollectorOptions = {},
  ) {
    this.intervalMs = options.refreshIntervalMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 4000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.deps.clock.now();
    for (const cfg of this.modems) {
      if (!cfg.enabled) continue;
      const state: ModemState = {
        cfg,
        radio: new RadioSelector(cfg, this.deps.radios),
        rx: new CounterRate(),
        tx: new CounterRate(),
        capacity: new CapacityEstimator(cfg),
        instantRxKbps: null,
        instantTxKbps: null,
        probe: null,
        probeSource: null,
        view: initialView(cfg),
        timer: null,
        inFlightSince: null,
        generation: 0,
        lastUp: null,
        sinceMs: null,
        cycleStartMs: billingCycle(now, cfg.plan.billingDay, this.options.utcOffsetMin ?? 0).startMs,
        warned: null,
      };
      this.states.set(cfg.name, state);
      this.schedule(state, 0);
    }
  }

  stop(): void {
    this.running = false;
    for (const s of this.states.values()) {
      if (s.timer) this.deps.clock.clearTimeout(s.timer);
      s.timer = null;
      s.probe?.stop();
      s.generation++; // results of reads still in flight are dropped
    }
  }

  /** Current views, in config order (enabled modems only). */
  views(): ModemView[] {
    return [...this.states.values()].map((s) => this.withPath(s));
  }

  view(name: string): ModemView | null {
    const s = this.states.get(name);
    return s ? this.withPath(s) : null;
  }

  /** Usage restored from persistent storage at start-up (bytes in the cycle that began at cycleStartMs). */
  restoreCycleBytes(name: string, bytes: number, cycleStartMs: number): void {
    const s = this.states.get(name);
    if (s && cycleStartMs === s.cycleStartMs && bytes >= 0) s.view.cycleBytes = bytes;
  }

  /**
   * Read a modem now instead of at its next refresh (netifd said its
   * interface changed): the decision then sees the new link at once. A read
   * already in flight is left to finish.
   */
  refreshNow(name: string): void {
    const s = this.states.get(name);
    if (!s || !this.running || s.inFlightSince !== null) return;
    if (s.timer) this.deps.clock.clearTimeout(s.timer);
    s.timer = null;
    this.schedule(s, 0);
  }

  /** Feed an active capacity measurement (see active-probe.ts). */
  recordActiveCapacity(name: string, dir: 'down' | 'up', kbps: number): void {
    this.states.get(name)?.capacity.recordActive(dir, kbps, this.deps.clock.now());
  }

  private schedule(s: ModemState, delayMs: number): void {
    if (!this.running) return;
    s.timer = this.deps.clock.setTimeout(() => {
      s.timer = null;
      this.tick(s);
      this.schedule(s, this.intervalMs);
    }, delayMs);
  }

  private tick(s: ModemState): void {
    const now = this.deps.clock.monotonicMs();
    // A read still running: skip this tick, unless it is so old that it will never come back.
    if (s.inFlightSince !== null && now - s.inFlightSince < 3 * this.timeoutMs) return;
    const gen = ++s.generation;
    s.inFlightSince = now;
    let settled = false;
    const timer = this.deps.clock.setTimeout(() => {
      if (settled || gen !== s.generation) return;
      settled = true;
      this.markUnknown(s, `no answer within ${this.timeoutMs} ms from netifd (${s.cfg.interface}) and ${s.radio.kind ?? s.cfg.metrics}`);
      this.emit(s);
    }, this.timeoutMs);
    void this.read(s).then(
      ({ link, radio }) => {
        if (s.inFlightSince !== null && gen === s.generation) s.inFlightSince = null;
        if (settled || gen !== s.generation) return;
        settled = true;
        this.deps.clock.clearTimeout(timer);
        this.apply(s, link, radio);
        this.emit(s);
      },
      (err: unknown) => {
        // Providers return failures as values; a throw is a bug, kept to this modem.
        if (gen === s.generation) s.inFlightSince = null;
        if (settled || gen !== s.generation) return;
        settled = true;
        this.deps.clock.clearTimeout(timer);
        this.markUnknown(s, `provider error: ${err instanceof Error ? err.message : String(err)}`);
        this.emit(s);
      },
    );
  }

  private async read(s: ModemState): Promise<{ link: ReadResult<LinkSnapshot>; radio: ReadResult<ModemRadio | null> }> {
    const link = await this.deps.link.readLink(s.cfg, this.timeoutMs);
    const l3Device = link.ok ? link.value.l3Device : null;
    const radio = await s.radio.read(this.timeoutMs, { l3Device });
    return { link, radio };
  }

  private apply(s: ModemState, link: ReadResult<LinkSnapshot>, radio: ReadResult<ModemRadio | null>): void {
    const nowMs = this.deps.clock.now();
    const view = s.view;
    const problems: string[] = [];
    if (link.ok) {
      view.link = this.linkView(s, link.value, nowMs);
    } else {
      problems.push(`netifd: ${link.problem}`);
      // Only a vanished interface is known to be down; after a timeout nothing is known.
      const up = link.code === 'vanished' ? false : view.link.up;
      if (!up) this.noteUp(s, false, nowMs);
      view.link = { ...view.link, up, sinceMs: s.sinceMs, rxKbps: null, txKbps: null, rxNowKbps: null };
    }
    if (radio.ok) {
      view.radio = radio.value;
    } else {
      problems.push(`${s.radio.kind ?? s.cfg.metrics}: ${radio.problem}`);
      view.radio = null;
    }
    this.updateProbe(s);
    const path = s.probe ? s.probe.stats() : null;
    view.path = path;
    view.capacity = s.capacity.update({
      nowMs,
      rat: view.radio?.rat ?? null,
      signal: view.radio?.signal ?? null,
      nrSignal: view.radio?.nrSignal ?? null,
      rxKbps: link.ok ? s.instantRxKbps : null,
      txKbps: link.ok ? s.instantTxKbps : null,
      path,
    });
    if (problems.length > 0) {
      this.markUnknown(s, problems.join('; '));
    } else {
      if (s.warned !== null) this.deps.logger.info('modem metrics recovered', { modem: s.cfg.name });
      s.warned = null;
      view.health = 'ok';
      view.problem = null;
    }
  }

  private linkView(s: ModemState, snap: LinkSnapshot, nowMs: number): ModemLink {
    const cycle = billingCycle(nowMs, s.cfg.plan.billingDay, this.options.utcOffsetMin ?? 0);
    if (cycle.startMs !== s.cycleStartMs) {
      s.cycleStartMs = cycle.startMs;
      s.view.cycleBytes = 0;
    }
    let rxKbps: number | null = null;
    let txKbps: number | null = null;
    s.instantRxKbps = null;
    s.instantTxKbps = null;
    const c = snap.counters;
    if (c) {
      const mono = this.deps.clock.monotonicMs();
      const rx = s.rx.update(c.rxBytes, mono);
      const tx = s.tx.update(c.txBytes, mono);
      rxKbps = rx.smoothedKbps;
      txKbps = tx.smoothedKbps;
      s.instantRxKbps = rx.instantKbps;
      s.instantTxKbps = tx.instantKbps;
      const delta = (rx.deltaBytes ?? 0) + (tx.deltaBytes ?? 0);
      s.view.cycleBytes = (s.view.cycleBytes ?? 0) + delta;
    }
    if (snap.up && snap.uptimeS !== null) {
      s.lastUp = true;
      s.sinceMs = nowMs - snap.uptimeS * 1000;
    } else {
      this.noteUp(s, snap.up, nowMs);
    }
    return {
      interface: snap.interface,
      up: snap.up,
      sinceMs: s.sinceMs,
      l3Device: snap.l3Device,
      ipv4: snap.ipv4,
      ipv6: snap.ipv6,
      gatewayV4: snap.gatewayV4,
      gatewayV6: snap.gatewayV6,
      dns: snap.dns,
      rxBytes: c ? c.rxBytes : null,
      txBytes: c ? c.txBytes : null,
      rxKbps,
      txKbps,
      rxNowKbps: s.instantRxKbps,
      rxErrors: c?.rxErrors ?? null,
      txErrors: c?.txErrors ?? null,
      rxDropped: c?.rxDropped ?? null,
      txDropped: c?.txDropped ?? null,
    };
  }

  /** netifd gives no "down since": it is the first time we saw it down. */
  private noteUp(s: ModemState, up: boolean, nowMs: number): void {
    if (s.lastUp !== up) s.sinceMs = s.lastUp === null ? null : nowMs;
    s.lastUp = up;
  }

  private updateProbe(s: ModemState): void {
    const p = this.deps.probes;
    if (!p || s.cfg.probeTargets.length === 0) return;
    const source = s.view.link.up ? (s.view.link.ipv4[0] ?? null) : null;
    if (source === s.probeSource) return;
    s.probe?.stop(); // the old probe's windows still answer stats() until replaced
    s.probeSource = source;
    if (source === null) return;
    try {
      s.probe = new PathProbe(
        { spawner: p.spawner, clock: this.deps.clock, logger: this.deps.logger },
        {
          modem: s.cfg.name,
          targets: s.cfg.probeTargets,
          intervalMs: Math.max(500, s.cfg.probeIntervalS * 1000),
          source,
          dialect: p.dialect,
          ...(p.netns !== undefined ? { netns: p.netns } : {}),
          // A path that dies is read again at once: whether the link still receives (busy, not dead) must
          // come from the counters of now, not of the last regular read.
          onAliveChange: (alive) => {
            this.emit(s);
            if (!alive) this.refreshNow(s.cfg.name);
          },
        },
      );
      s.probe.start();
    } catch (err) {
      s.probe = null;
      this.deps.logger.warn('path probe not started', { modem: s.cfg.name, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  private markUnknown(s: ModemState, problem: string): void {
    s.view.health = 'unknown';
    s.view.problem = problem;
    // One warning per distinct problem, not one per refresh.
    if (s.warned !== problem) this.deps.logger.warn('modem metrics unknown', { modem: s.cfg.name, problem });
    s.warned = problem;
  }

  private withPath(s: ModemState): ModemView {
    return { ...s.view, path: s.probe ? s.probe.stats() : s.view.path };
  }

  private emit(s: ModemState): void {
    if (!this.options.onUpdate) return;
    try {
      this.options.onUpdate(this.withPath(s));
    } catch (err) {
      this.deps.logger.error('metrics listener failed', { modem: s.cfg.name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
}

function initialView(cfg: ModemConfig): ModemView {
  return {
    name: cfg.name,
    link: unknownLink(cfg.interface),
    radio: null,
    path: null as PathStats | null,
    capacity: null,
    health: 'unknown',
    problem: 'not read yet',
    cycleBytes: null,
  };
}
