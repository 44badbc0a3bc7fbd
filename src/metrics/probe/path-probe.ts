import type { PathStats } from '../../model/modem.js';
import type { Clock, Logger, ProcessSpawner, SpawnedProcess, TimerHandle } from '../../model/ports.js';
import { PING_FLAVORS, isIpLiteral, parsePingLine, pingArgs } from './ping-output.js';
import type { PingDialect } from './ping-output.js';
import { windowStats } from './path-window.js';
import type { ProbeOutcome } from './path-window.js';

export interface PathProbeOptions {
  modem: string;
  /** IP addresses to probe; the path is alive while any of them answers. */
  targets: readonly string[];
  /** Probe interval per target, >= 500 ms. */
  intervalMs: number;
  /** The modem's address: probes leave from it, so only that modem carries them. */
  source: string;
  dialect: PingDialect;
  /** Moving-average windows (defaults 5 s and 60 s). */
  shortWindowMs?: number;
  longWindowMs?: number;
  /**
   * The path is dead when no target answered for this many intervals
   * (default 2.5). With the check running every quarter interval, a path
   * that stops answering is reported dead within 2.75 intervals of its last
   * reply, i.e. within 3 intervals. The price: two probes lost in a row to
   * every target also read as dead for a moment; more targets make that rarer.
   */
  deadAfterIntervals?: number;
  /** A probe unanswered this long is counted lost (default max(1000, 2 intervals)). */
  lossAfterMs?: number;
  /** Run ping inside this network namespace (the test bed). */
  netns?: string;
  program?: string;
  onAliveChange?: (alive: boolean, atMs: number) => void;
}

export interface PathProbeDeps {
  spawner: ProcessSpawner;
  clock: Clock;
  logger: Logger;
}

interface TargetState {
  target: string;
  proc: SpawnedProcess | null;
  /** Monotonic ms the ping's first probe was (estimated to be) sent. */
  t0Mono: number;
  /** Next sequence number whose fate is not yet decided. */
  nextJudge: number;
  replied: Set<number>;
  lastReplyMono: number | null;
  restarts: number;
  restartTimer: TimerHandle | null;
  lastError: string | null;
}

/**
 * Continuous RTT, jitter and loss over one modem: one long-running `ping`
 * per target, bound to the modem's source address (busybox and iputils both
 * take `-I <address>`), parsed line by line. Lost probes print nothing, so
 * the probe schedule is tracked here: probe `seq` leaves at
 * t0 + (seq - firstSeq) * interval, re-anchored on every reply (send time =
 * arrival - rtt), and a probe still unanswered `lossAfterMs` after it left is
 * counted lost. Works with stock OpenWrt's busybox ping, no extra packages.
 */
export class PathProbe {
  private readonly shortMs: number;
  private readonly longMs: number;
  private readonly deadAfterMs: number;
  private readonly lossAfterMs: number;
  private readonly tickMs: number;
  private readonly firstSeq: number;
  private targets: TargetState[] = [];
  private outcomes: ProbeOutcome[] = [];
  private tickTimer: TimerHandle | null = null;
  private running = false;
  private alive = false;
  private startMono = 0;

  constructor(
    private readonly deps: PathProbeDeps,
    private readonly opts: PathProbeOptions,
  ) {
    if (!(opts.intervalMs >= 500)) throw new RangeError(`probe interval for ${opts.modem} must be >= 500 ms, got ${opts.intervalMs}`);
    for (const t of [opts.source, ...opts.targets]) {
      if (!isIpLiteral(t)) throw new RangeError(`probe address '${t}' for ${opts.modem} is not an IP address`);
      if (t.includes(':') !== opts.source.includes(':')) throw new RangeError(`probe target '${t}' for ${opts.modem} is not of the source address' family`);
    }
    this.shortMs = opts.shortWindowMs ?? 5000;
    this.longMs = opts.longWindowMs ?? 60_000;
    this.deadAfterMs = (opts.deadAfterIntervals ?? 2.5) * opts.intervalMs;
    this.lossAfterMs = opts.lossAfterMs ?? Math.max(1000, 2 * opts.intervalMs);
    this.tickMs = opts.intervalMs / 4;
    this.firstSeq = PING_FLAVORS[opts.dialect].firstSeq;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startMono = this.deps.clock.monotonicMs();
    this.targets = this.opts.targets.map((target) => ({
      target,
      proc: null,
      t0Mono: 0,
      nextJudge: this.firstSeq,
      replied: new Set(),
      lastReplyMono: null,
      restarts: 0,
      restartTimer: null,
      lastError: null,
    }));
    for (const t of this.targets) this.spawn(t);
    this.scheduleTick();
  }

  stop(): void {
    this.running = false;
    if (this.tickTimer) this.deps.clock.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    for (const t of this.targets) {
      if (t.restartTimer) this.deps.clock.clearTimeout(t.restartTimer);
      t.restartTimer = null;
      const p = t.proc;
      t.proc = null;
      p?.kill('SIGTERM');
    }
  }

  stats(): PathStats {
    const now = this.deps.clock.monotonicMs();
    this.judge(now);
    const last = this.lastReplyMono();
    const shortFrom = now - this.shortMs;
    return {
      alive: this.alive,
      lastReplyMs: last === null ? null : this.deps.clock.now() - (now - last),
      short: windowStats(this.outcomes.filter((o) => o.sentMono >= shortFrom)),
      long: windowStats(this.outcomes),
    };
  }

  private spawn(t: TargetState): void {
    const args = pingArgs(this.opts.dialect, this.opts.source, t.target, this.opts.intervalMs);
    t.t0Mono = this.deps.clock.monotonicMs();
    t.nextJudge = this.firstSeq;
    t.replied.clear();
    const spawnOpts = this.opts.netns !== undefined ? { netns: this.opts.netns } : {};
    const proc = this.deps.spawner.spawn(
      this.opts.program ?? 'ping',
      args,
      {
        onLine: (line) => {
          if (t.proc === proc) this.onLine(t, line);
        },
        onStderr: (line) => {
          if (line.trim() !== '') t.lastError = line.trim();
        },
        onExit: (code, signal) => {
          if (t.proc !== proc) return; // stopped on purpose, or replaced
          t.proc = null;
          this.onExit(t, code, signal);
        },
      },
      spawnOpts,
    );
    t.proc = proc;
  }

  private onLine(t: TargetState, line: string): void {
    const parsed = parsePingLine(line);
    if (!parsed || parsed.kind !== 'reply' || parsed.duplicate) return;
    const now = this.deps.clock.monotonicMs();
    const sent = now - parsed.rttMs;
    // Re-anchor the schedule on every reply: ping's own timer drifts.
    t.t0Mono = sent - (parsed.seq - this.firstSeq) * this.opts.intervalMs;
    t.lastReplyMono = now;
    if (t.restarts > 0) t.restarts = 0;
    if (parsed.seq < t.nextJudge) {
      // A late reply for a probe already counted lost: correct the record.
      const o = this.findOutcome(t.target, parsed.seq);
      if (o) o.rttMs = parsed.rttMs;
    } else if (!t.replied.has(parsed.seq)) {
      t.replied.add(parsed.seq);
      this.outcomes.push({ target: t.target, seq: parsed.seq, sentMono: sent, rttMs: parsed.rttMs });
    }
    this.setAlive(true);
  }

  private onExit(t: TargetState, code: number | null, signal: string | null): void {
    if (!this.running) return;
    const why = t.lastError ?? (signal ? `signal ${signal}` : `exit ${code}`);
    if (t.restarts === 0) this.deps.logger.warn('path probe ended, restarting', { modem: this.opts.modem, target: t.target, reason: why });
    const delay = Math.min(5000, this.opts.intervalMs * 2 ** t.restarts);
    t.restarts++;
    t.restartTimer = this.deps.clock.setTimeout(() => {
      t.restartTimer = null;
      if (this.running) this.spawn(t);
    }, delay);
  }

  private scheduleTick(): void {
    this.tickTimer = this.deps.clock.setTimeout(() => {
      if (!this.running) return;
      this.judge(this.deps.clock.monotonicMs());
      this.scheduleTick();
    }, this.tickMs);
  }

  /** Count overdue probes as lost, drop outcomes older than the long window, update alive. */
  private judge(now: number): void {
    for (const t of this.targets) {
      if (!t.proc) continue;
      for (;;) {
        const sent = t.t0Mono + (t.nextJudge - this.firstSeq) * this.opts.intervalMs;
        if (sent + this.lossAfterMs > now) break;
        if (!t.replied.has(t.nextJudge)) this.outcomes.push({ target: t.target, seq: t.nextJudge, sentMono: sent, rttMs: null });
        t.replied.delete(t.nextJudge);
        t.nextJudge++;
      }
    }
    const keepFrom = now - this.longMs;
    if (this.outcomes.length > 0 && this.outcomes[0]!.sentMono < keepFrom) {
      this.outcomes = this.outcomes.filter((o) => o.sentMono >= keepFrom);
    }
    const last = this.lastReplyMono();
    const alive = last !== null && now - last <= this.deadAfterMs;
    this.setAlive(alive);
  }

  private setAlive(alive: boolean): void {
    if (alive === this.alive) return;
    this.alive = alive;
    const at = this.deps.clock.now();
    if (!alive) {
      this.deps.logger.warn('path dead: no probe answered', {
        modem: this.opts.modem,
        source: this.opts.source,
        silentMs: Math.round(this.deps.clock.monotonicMs() - (this.lastReplyMono() ?? this.startMono)),
      });
    } else {
      this.deps.logger.info('path alive', { modem: this.opts.modem, source: this.opts.source });
    }
    this.opts.onAliveChange?.(alive, at);
  }

  private lastReplyMono(): number | null {
    let last: number | null = null;
    for (const t of this.targets) if (t.lastReplyMono !== null && (last === null || t.lastReplyMono > last)) last = t.lastReplyMono;
    return last;
  }

  private findOutcome(target: string, seq: number): ProbeOutcome | undefined {
    for (let i = this.outcomes.length - 1; i >= 0; i--) {
      const o = this.outcomes[i]!;
      if (o.target === target && o.seq === seq) return o;
    }
    return undefined;
  }
}
