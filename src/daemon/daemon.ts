import type { CurrentAssignment } from '../assignment/policy.js';
import { restoreActions } from '../coordination/restore.js';
import { DEFAULT_COORDINATION_SETTINGS, INITIAL_COORDINATION_STATE } from '../coordination/types.js';
import type { CoordinationAction, CoordinationState } from '../coordination/types.js';
import type { ConfigResult } from '../config/problems.js';
import { ConfigKeeper } from '../config/keeper.js';
import type { ConfigStateView, ModemDecisionState, PlanOverride, SolveInfo } from '../model/api.js';
import type { ClassRule, ModemConfig, ModemflowConfig } from '../model/config.js';
import { classList } from '../model/default-classes.js';
import type { FlowGroup } from '../model/flow-group.js';
import type { TimerHandle } from '../model/ports.js';
import type { ModemLoad } from '../power/power-model.js';
import { configStateAfter, logProblems, reloadPlan, withPlanOverride } from './config-state.js';
import type { SpreadState } from '../coordination/elastic-spread.js';
import { runCycle } from './decide-cycle.js';
import type { CycleResult } from './decide-cycle.js';
import { DecisionQueue } from './decision-queue.js';
import type { CycleRequest } from './decision-queue.js';
import { DecisionRecorder } from './decision-recorder.js';
import { GroupWatch } from './group-watch.js';
import { HistoryRing, historySample } from './history.js';
import { ModemFleet } from './modem-fleet.js';
import { PowerBudget } from './power-budget.js';
import { Backoff, guarded, QuotaKeeper, repeat } from './upkeep.js';
import { EventBus } from './records.js';
import { buildRoutingPlan } from './routing-plan.js';
import { SlotTable } from './slots.js';
import type { DaemonDeps, DaemonPart } from './daemon-deps.js';
import { TrafficLink } from './traffic-link.js';
export type { ActionPort, DaemonDeps, DaemonPart, GroupSource, PowerPort, RoutingPort } from './daemon-deps.js';

export const HISTORY_SECONDS = 3600;
const POWER_REFRESH_MS = 10_000;
const HOUSEKEEPING_MS = 60_000;
/** A part that failed (LAN unknown, flow tracking, a routing apply) is retried after this, doubling up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 60_000;

/**
 * modemflowd's core: one event queue, one decision at a time. Inputs (modem
 * metrics changing, flow groups, the power limit, config reloads, commands,
 * the slow timer) ask for a cycle; a cycle runs coordination and the policy
 * (decide-cycle.ts), then carries the result out: the routing plan to the
 * kernel, one wake/sleep to netifd. Every decision is logged with its reason
 * and counted. The constructor only stores; start() begins, stop() ends and
 * leaves plain main-table routing.
 */
export class Daemon {
  readonly events: EventBus;
  private readonly keeper = new ConfigKeeper();
  private config: ModemflowConfig | null = null;
  configState: ConfigStateView;
  private readonly fleet: ModemFleet;
  /** LAN, flow tracker and routing controller (traffic-link.ts). */
  readonly traffic: TrafficLink;
  readonly power: PowerBudget;
  private readonly queue: DecisionQueue;
  private coordination: CoordinationState = INITIAL_COORDINATION_STATE;
  current: CurrentAssignment = { activation: {}, assignment: {} };
  last: CycleResult | null = null;
  /** Background groups spread over several modems, kept between cycles (elastic-spread.ts). */
  private spread: SpreadState = {};
  readonly slots = new SlotTable();
  readonly groupWatch = new GroupWatch();
  readonly recorder: DecisionRecorder;
  readonly history = new HistoryRing(HISTORY_SECONDS);
  mwan3: boolean | null = null;
  readonly planOverrides = new Map<string, PlanOverride>();
  private readonly parts: DaemonPart[] = [];
  private readonly quota: QuotaKeeper;
  private timers: Array<{ cancel(): void }> = [];
  private solveTimer: TimerHandle | null = null;
  private readonly retry = new Backoff(RETRY_FIRST_MS, RETRY_MAX_MS);
  private running = false;
  readonly startedMs: number;

  constructor(private readonly deps: DaemonDeps) {
    this.events = new EventBus(deps.logger);
    this.recorder = new DecisionRecorder(deps.clock, deps.logger, this.events);
    this.power = new PowerBudget(deps.clock, deps.logger, this.recorder, this.events, (why) => this.queue.request(why));
    this.quota = new QuotaKeeper(deps.quotaStore, deps.clock, deps.logger);
    this.traffic = new TrafficLink(deps, (g) => this.onGroups(g));
    this.startedMs = deps.clock.now();
    this.configState = { state: 'none', file: deps.configFile, loadedMs: null, problems: [] };
    this.fleet = new ModemFleet(
      deps.collector,
      (modem, what) => this.queue.request(`modem ${modem}: ${what}`),
      () => deps.clock.now(),
      () => deps.utcOffsetMin(),
    );
    this.queue = new DecisionQueue(
      (req) => this.cycle(req),
      (err) => deps.logger.error('decision cycle failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      (fn) => void deps.clock.setTimeout(fn, 0),
    );
  }

  addPart(part: DaemonPart): void {
    this.parts.push(part);
  }

  get dryRun(): boolean {
    return this.deps.dryRun;
  }

  /** The configuration in force (null before the first good one). */
  get cfg(): ModemflowConfig | null {
    return this.config;
  }

  async start(): Promise<void> {
    this.running = true;
    const loaded = this.deps.loadConfig();
    const outcome = this.keeper.offer(loaded);
    this.noteConfig(loaded, outcome.accepted);
    if (!outcome.accepted) {
      logProblems(this.deps.logger, outcome.errors, 'error');
      this.deps.logger.error('no usable configuration: modemflow waits for a good one (fix it, then reload)', { file: this.deps.configFile });
    } else {
      logProblems(this.deps.logger, outcome.warnings, 'warn');
      this.config = outcome.config;
    }
    const cfg = this.config;
    if (cfg) this.deps.setLogLevel(cfg.globals.logLevel);
    const restored = await this.quota.load();
    if (cfg && cfg.globals.enabled) {
      this.fleet.start(this.modemConfigs());
      for (const [name, rec] of Object.entries(restored)) this.fleet.restore(name, rec);
      this.power.port = this.deps.power(cfg.power);
      this.traffic.setupRouting(cfg);
      await this.traffic.setupLan(cfg);
    } else if (cfg) {
      this.deps.logger.info('modemflow is disabled in the configuration (globals.enabled 0): plain routing');
    }
    for (const p of this.parts) this.safely(`${p.name} start`, () => p.start());
    this.timers.push(this.every(1000, () => {
      this.sample();
      const review = this.last?.spread.reviewAtMs ?? null;
      if (review !== null && this.config?.globals.enabled && this.deps.clock.now() >= review) this.queue.request('bulk spread review');
      void this.retryFailed();
    }));
    this.timers.push(this.every(POWER_REFRESH_MS, () => void this.refreshPower()));
    this.timers.push(this.every(HOUSEKEEPING_MS, () => void this.housekeeping()));
    this.scheduleSolveTimer();
    void this.refreshPower();
    void this.housekeeping();
    this.queue.request('start', 'start');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    if (this.solveTimer) this.deps.clock.clearTimeout(this.solveTimer);
    await this.queue.stop();
    this.traffic.stopTracker();
    this.fleet.stop();
    await this.saveQuota('stop');
    const removed = await this.traffic.stopRouting();
    if (removed && !removed.ok) this.deps.logger.error('routing removal failed', { error: removed.errors.join('; ') });
    // Bring back what modemflow took down: the router keeps every link it had.
    if (this.deps.executor && this.config) {
      for (const a of restoreActions(this.coordination, this.modemConfigs())) await this.act(a);
    }
    for (const p of this.parts) await this.safely(`${p.name} stop`, () => p.stop());
    this.deps.logger.info('modemflow stopped: plain main-table routing');
  }

  /** Re-reads the configuration and applies the difference; a bad file keeps the last good one. */
  async reload(origin: string): Promise<{ state: ConfigStateView['state']; changed: string[]; problems: ConfigStateView['problems'] }> {
    const loaded = this.deps.loadConfig();
    const outcome = this.keeper.offer(loaded);
    this.noteConfig(loaded, outcome.accepted);
    if (!outcome.accepted) {
      logProblems(this.deps.logger, outcome.errors, 'error');
      this.deps.logger.warn('configuration has errors: keeping the last good one', { origin, errors: outcome.errors.length });
      this.events.emit({ type: 'config', data: { state: this.configState.state, problems: this.configState.problems, changed: [], atMs: this.deps.clock.now() } });
      this.recorder.log('config', null, null, null, `reload from ${origin} refused: ${outcome.errors.length} error(s), the last good configuration keeps running`);
      return { state: this.configState.state, changed: [], problems: this.configState.problems };
    }
    logProblems(this.deps.logger, outcome.warnings, 'warn');
    const before = this.config;
    const after = outcome.config;
    this.config = after;
    const changed = await this.applyConfig(before, after);
    this.planOverrides.clear();
    if (changed.length === 0) {
      // procd sends HUP on every trigger (interface events too): an unchanged file is not news.
      this.deps.logger.debug('reload: configuration unchanged', { origin });
      return { state: this.configState.state, changed, problems: this.configState.problems };
    }
    this.deps.logger.info('configuration reloaded', { origin, changed: changed.join(', ') });
    this.recorder.log('config', null, null, null, `reload from ${origin}: ${changed.join(', ')}`);
    this.events.emit({ type: 'config', data: { state: this.configState.state, problems: this.configState.problems, changed, atMs: this.deps.clock.now() } });
    if (changed.length > 0) this.queue.request(`config reload (${changed.join(', ')})`, 'config reload');
    return { state: this.configState.state, changed, problems: this.configState.problems };
  }

  setPowerLimit(watts: number | null, origin: string): number | null {
    return this.power.set(watts, origin);
  }

  async requestSolve(origin: string): Promise<SolveInfo | null> {
    this.queue.request(`solve requested by ${origin}`, `requested by ${origin}`);
    await this.queue.idle();
    return this.recorder.lastFullSolve;
  }

  updatePlan(modem: string, change: PlanOverride, origin: string): ModemConfig | string {
    const cfg = this.config?.modems.find((m) => m.name === modem);
    if (!cfg) return `no modem '${modem}' in the configuration`;
    const merged = { ...this.planOverrides.get(modem), ...change };
    this.planOverrides.set(modem, merged);
    this.deps.logger.info('SIM plan changed at run time', { modem, origin, pricePerGb: merged.pricePerGb, quotaGb: merged.quotaGb });
    this.recorder.log('config', null, modem, null, `SIM plan of ${modem} changed by ${origin} (kept until the next reload)`);
    this.queue.request(`SIM plan of ${modem} changed`);
    return this.modemConfigs().find((m) => m.name === modem)!;
  }

  /** netifd (hotplug or event) says an interface changed: decide now instead of at the next refresh. */
  interfaceEvent(iface: string, action: string): string | null {
    const m = this.config?.modems.find((c) => c.interface === iface) ?? null;
    const lanChange = this.config?.globals.lanInterfaces.includes(iface) ?? false;
    if (lanChange && this.config) void this.traffic.setupLan(this.config).then(() => this.queue.request(`LAN ${iface} ${action}`));
    if (m) {
      this.deps.logger.info('interface event', { modem: m.name, interface: iface, action });
      // Read the modem at once: the decision follows from what the read shows.
      this.fleet.refresh(m.name);
    }
    return m?.name ?? null;
  }

  /** Modem configs with the run-time SIM plan changes applied. */
  modemConfigs(): ModemConfig[] {
    return (this.config?.modems ?? []).map((m) => withPlanOverride(m, this.planOverrides.get(m.name)));
  }

  views() {
    return this.fleet.views(this.modemConfigs());
  }

  groups(): FlowGroup[] {
    return this.traffic.groups();
  }

  classes(): ClassRule[] {
    return classList(this.config?.classes ?? []);
  }

  powerLimitW(): number | null {
    return this.power.limitW();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---- the decision cycle ----

  private async cycle(req: CycleRequest): Promise<void> {
    if (!this.running) return;
    const cfg = this.config;
    this.recorder.counters.cycles = this.queue.cycles;
    this.recorder.counters.mergedEvents = this.queue.merged;
    if (!cfg || !cfg.globals.enabled) return;
    const nowMs = this.deps.clock.now();
    const configs = this.modemConfigs();
    const slotMap = this.slots.assign(configs.map((c) => c.name));
    const slots = new Map<string, number>();
    for (const [n, s] of slotMap) if (s !== null) slots.set(n, s);
    const groups = this.groups();
    const classes = this.classes();
    const res = runCycle({
      nowMs,
      configs,
      views: this.views(),
      groups,
      classes,
      slots,
      powerLimitW: this.powerLimitW(),
      coordination: this.coordination,
      settings: DEFAULT_COORDINATION_SETTINGS,
      current: this.current,
      forceFull: req.forceFull,
      hysteresis: cfg.globals.hysteresis,
      solve: (inst) => this.deps.solve(inst),
      utcOffsetMin: this.deps.utcOffsetMin(),
      spread: this.spread,
      spreadEnabled: cfg.globals.spreadBulk,
    });
    this.coordination = res.coordination.state;
    this.spread = res.spread.state;
    for (const c of res.spread.changes) this.recorder.spreadChanged(c);
    this.current = res.policy.assignment;
    this.last = res;
    const trigger = req.reasons.join('; ');
    this.groupWatch.decided(groups, res.demand.upKbps + res.demand.downKbps, nowMs);
    this.recorder.policy(res, trigger, nowMs);
    this.recorder.modems(res, nowMs);
    for (const r of res.coordination.recommendations) this.deps.logger.debug('coordination', { modem: r.modem ?? undefined, kind: r.kind, message: r.message });
    await this.applyRouting(res, groups, classes, slots);
    for (const a of res.coordination.actions) await this.act(a);
    this.fleet.noteDecided();
  }

  modemState(name: string): ModemDecisionState | null {
    return this.recorder.modemState(name);
  }

  private async applyRouting(res: CycleResult, groups: FlowGroup[], classes: ClassRule[], slots: Map<string, number>): Promise<void> {
    if (!this.traffic.canRoute) return;
    const views = this.views();
    const plan = buildRoutingPlan({
      modems: res.modems.flatMap((m) => {
        const view = views.find((v) => v.name === m.name);
        const slot = slots.get(m.name);
        return view && slot !== undefined && m.state !== 'disabled' ? [{ name: m.name, slot, view, routable: m.routable }] : [];
      }),
      classes,
      lan: this.traffic.lan!,
      groups,
      assignment: res.policy.assignment.assignment,
      classTargets: res.classTargets,
      shares: res.spread.shares,
      defaultModem: res.defaultModem,
    });
    const t0 = this.deps.clock.monotonicMs();
    const r = await this.traffic.apply(plan);
    this.recorder.routing(this.deps.clock.monotonicMs() - t0, r.ok ? null : r.errors);
  }

  private async act(a: CoordinationAction): Promise<void> {
    this.recorder.action(a, this.deps.executor ? await this.deps.executor.apply(a) : null);
  }

  // ---- inputs ----

  private onGroups(groups: FlowGroup[]): void {
    const why = this.groupWatch.changed(groups);
    if (why) this.queue.request(why);
  }

  private async refreshPower(): Promise<void> {
    if (!this.running) return;
    const act = this.current.activation;
    const loads: ModemLoad[] = this.views().map((v) => {
      const spec = this.last?.instance.interfaces.find((i) => i.id === v.name);
      const bearer = spec?.bearers.find((b) => b.id === act[v.name]) ?? spec?.bearers[0] ?? null;
      return { modem: v.name, up: v.link.up, bearer, txKbps: v.link.txKbps, rxKbps: v.link.rxKbps };
    });
    await this.power.refresh(loads);
  }

  private async housekeeping(): Promise<void> {
    if (!this.running) return;
    await this.saveQuota(null);
    const m = await this.deps.mwan3Running().catch(() => null);
    if (m === true && this.mwan3 !== true) this.deps.logger.warn('mwan3 is running too: two balancers fight over the same traffic; stop one of them (/etc/init.d/mwan3 stop; disable)');
    this.mwan3 = m;
  }

  /** Retries what failed, with backoff, while the rest goes on. */
  private async retryFailed(): Promise<void> {
    const cfg = this.config;
    if (!this.running || !cfg || !cfg.globals.enabled) return;
    const t = this.traffic;
    await this.retry.run(t.needsLan || t.routingFailed, this.deps.clock.monotonicMs(), async () => {
      if (t.needsLan) await t.setupLan(cfg);
      if (t.routingFailed) this.queue.request('retry: the last routing apply failed');
    });
  }

  private saveQuota(why: 'stop' | null): Promise<void> {
    return this.quota.save(this.fleet.quotaRecords(), why);
  }

  private sample(): void {
    this.history.push(historySample(this.deps.clock.now(), this.views(), this.last?.policy ?? null, this.powerLimitW()));
  }

  // ---- configuration ----

  private async applyConfig(before: ModemflowConfig | null, after: ModemflowConfig): Promise<string[]> {
    this.deps.setLogLevel(after.globals.logLevel);
    if (!before || before.globals.enabled !== after.globals.enabled) {
      if (after.globals.enabled) {
        this.fleet.start(this.modemConfigs());
        this.power.port = this.deps.power(after.power);
        this.traffic.setupRouting(after);
        await this.traffic.setupLan(after);
      } else {
        this.traffic.stopTracker();
        await this.traffic.stopRouting();
        this.fleet.stop();
      }
      for (const p of this.parts) this.safely(`${p.name} reconfigure`, () => p.reconfigure?.(after));
      return ['globals.enabled'];
    }
    const plan = reloadPlan(before, after);
    if (plan.modemsChanged) this.fleet.reconfigure(this.modemConfigs(), new Set(plan.modemsChanged));
    if (plan.routing) {
      await this.traffic.stopRouting();
      this.traffic.setupRouting(after);
    }
    if (plan.tracker) {
      this.traffic.stopTracker(true);
      await this.traffic.setupLan(after);
    }
    if (plan.power) {
      this.power.port = this.deps.power(after.power);
      void this.refreshPower();
    }
    if (plan.solveTimer) this.scheduleSolveTimer();
    for (const p of this.parts) this.safely(`${p.name} reconfigure`, () => p.reconfigure?.(after));
    return plan.changed;
  }

  private scheduleSolveTimer(): void {
    if (this.solveTimer) this.deps.clock.clearTimeout(this.solveTimer);
    const s = this.config?.globals.solveIntervalS ?? 60;
    this.solveTimer = this.deps.clock.setTimeout(() => {
      this.solveTimer = null;
      if (!this.running) return;
      this.queue.request('slow timer', 'timer');
      this.scheduleSolveTimer();
    }, s * 1000);
  }

  private noteConfig(loaded: ConfigResult, accepted: boolean): void {
    this.configState = configStateAfter(this.configState, loaded, accepted, this.keeper.current() !== null, this.deps.clock.now());
  }

  private every(ms: number, fn: () => void): { cancel(): void } {
    return repeat(this.deps.clock, this.deps.logger, ms, () => this.running, fn);
  }

  private safely(what: string, fn: () => unknown): Promise<void> {
    return guarded(this.deps.logger, what, fn);
  }
}
