import type { CurrentAssignment } from '../assignment/policy.js';
import { restoreActions } from '../coordination/restore.js';
import { DEFAULT_COORDINATION_SETTINGS, INITIAL_COORDINATION_STATE } from '../coordination/types.js';
import type { CoordinationAction, CoordinationState } from '../coordination/types.js';
import type { ConfigProblem, ConfigResult } from '../config/problems.js';
import { diffConfig } from '../config/diff.js';
import { ConfigKeeper } from '../config/keeper.js';
import type { FlowTrackerOptions } from '../flows/tracker-options.js';
import type { ApiEvent, ConfigStateView, CountersView, DecisionEntry, ModemDecisionState, PlanOverride, SolveInfo } from '../model/api.js';
import type { ClassRule, ModemConfig, ModemflowConfig, PowerConfig } from '../model/config.js';
import { classList } from '../model/default-classes.js';
import type { FlowGroup } from '../model/flow-group.js';
import type { Clock, Logger, LogLevel, TimerHandle } from '../model/ports.js';
import type { TfapAnswer, TfapInstance } from '../model/tfap.js';
import type { PowerStatus } from '../power/power-manager.js';
import type { ModemLoad } from '../power/power-model.js';
import type { ActionOutcome, ModemPowerAction } from '../power/executor.js';
import type { RoutingPlan, RoutingSettings } from '../routing/plan.js';
import type { LanSpec } from '../routing/plan.js';
import { DEFAULT_TABLE_NAME } from '../routing/plan.js';
import type { Result } from '../model/errors.js';
import { runCycle } from './decide-cycle.js';
import type { CycleResult } from './decide-cycle.js';
import { DecisionQueue } from './decision-queue.js';
import type { CycleRequest } from './decision-queue.js';
import { HistoryRing } from './history.js';
import { ModemFleet } from './modem-fleet.js';
import type { CollectorFactory } from './modem-fleet.js';
import { quotaSaveDue } from './quota-store.js';
import type { QuotaState, QuotaStore } from './quota-store.js';
import { DecisionLog, emptyCounters, EventBus, recordRoutingApply } from './records.js';
import { buildRoutingPlan } from './routing-plan.js';
import { SlotTable } from './slots.js';

/** The parts the composition root builds; the daemon only wires and drives them. */
export interface GroupSource {
  start(): Promise<Result<void>>;
  stop(): void;
  groups(): FlowGroup[];
}

export interface RoutingPort {
  start(plan: RoutingPlan): Promise<Result<unknown>>;
  apply(plan: RoutingPlan): Promise<Result<unknown>>;
  stop(): Promise<Result<void>>;
}

export interface PowerPort {
  refresh(loads: readonly ModemLoad[]): Promise<PowerStatus>;
}

export interface ActionPort {
  apply(action: ModemPowerAction): Promise<ActionOutcome>;
}

/** Something started and stopped with the daemon that follows config reloads (telemetry). */
export interface DaemonPart {
  name: string;
  start(): void;
  stop(): Promise<void>;
  reconfigure?(config: ModemflowConfig): void;
}

export interface DaemonDeps {
  clock: Clock;
  logger: Logger;
  setLogLevel(level: LogLevel): void;
  loadConfig(): ConfigResult;
  configFile: string;
  collector: CollectorFactory;
  tracker(options: FlowTrackerOptions, onGroups: (g: FlowGroup[]) => void): GroupSource;
  /** null in dry-run: no kernel state is touched. */
  routing(settings: RoutingSettings): RoutingPort | null;
  power(config: PowerConfig): PowerPort;
  /** null in dry-run: no netifd up/down. */
  executor: ActionPort | null;
  quotaStore: QuotaStore;
  solve(inst: TfapInstance): TfapAnswer;
  lan(interfaces: readonly string[]): Promise<LanSpec | string>;
  mwan3Running(): Promise<boolean | null>;
  utcOffsetMin(): number;
  /** conntrack in a namespace (test bed), or the router's own. */
  netns: string | null;
  dryRun: boolean;
}

export const HISTORY_SECONDS = 3600;
const POWER_REFRESH_MS = 10_000;
const HOUSEKEEPING_MS = 60_000;
/** A part that failed (LAN unknown, flow tracking, a routing apply) is retried after this, doubling up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 60_000;
/** Demand must move this much (relative) since the last decision to ask for a new one. */
const DEMAND_CHANGE = 0.25;

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
  private tracker: GroupSource | null = null;
  private routing: RoutingPort | null = null;
  private routingStarted = false;
  private routingSettings: RoutingSettings | null = null;
  private power: PowerPort | null = null;
  powerStatus: PowerStatus | null = null;
  powerOverrideW: number | null | undefined = undefined;
  private readonly queue: DecisionQueue;
  private coordination: CoordinationState = INITIAL_COORDINATION_STATE;
  current: CurrentAssignment = { activation: {}, assignment: {} };
  last: CycleResult | null = null;
  readonly slots = new SlotTable();
  readonly groupSince = new Map<string, number>();
  readonly decisions = new DecisionLog();
  readonly counters: CountersView = emptyCounters();
  readonly history = new HistoryRing(HISTORY_SECONDS);
  lastSolve: SolveInfo | null = null;
  lastFullSolve: SolveInfo | null = null;
  lan: LanSpec | null = null;
  lanProblem: string | null = null;
  mwan3: boolean | null = null;
  readonly planOverrides = new Map<string, PlanOverride>();
  private readonly parts: DaemonPart[] = [];
  private modemStates = new Map<string, ModemDecisionState>();
  private quotaSaved: QuotaState | null = null;
  private timers: TimerHandle[] = [];
  private solveTimer: TimerHandle | null = null;
  private lastGroupKey = '';
  private routingFailed = false;
  private lastSolveOutcome = '';
  private retrying = false;
  private retryAtMs = 0;
  private retryDelayMs = RETRY_FIRST_MS;
  private lastDemandKbps = 0;
  private running = false;
  readonly startedMs: number;

  constructor(private readonly deps: DaemonDeps) {
    this.events = new EventBus(deps.logger);
    this.startedMs = deps.clock.now();
    this.configState = { state: 'none', file: deps.configFile, loadedMs: null, problems: [] };
    this.fleet = new ModemFleet(
      deps.collector,
      deps.logger,
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
      this.logProblems(outcome.errors, 'error');
      this.deps.logger.error('no usable configuration: modemflow waits for a good one (fix it, then reload)', { file: this.deps.configFile });
    } else {
      this.logProblems(outcome.warnings, 'warn');
      this.config = outcome.config;
    }
    const cfg = this.config;
    if (cfg) this.deps.setLogLevel(cfg.globals.logLevel);
    const restored = await this.deps.quotaStore.load();
    if (typeof restored === 'string') this.deps.logger.warn('quota state unreadable; counting from zero', { reason: restored });
    this.quotaSaved = typeof restored === 'string' || restored === null ? { version: 1, savedMs: this.deps.clock.now(), modems: {} } : restored;
    if (cfg && cfg.globals.enabled) {
      this.fleet.start(this.modemConfigs());
      for (const [name, rec] of Object.entries(this.quotaSaved.modems)) this.fleet.restore(name, rec);
      this.power = this.deps.power(cfg.power);
      this.setupRouting(cfg);
      await this.setupLan(cfg);
    } else if (cfg) {
      this.deps.logger.info('modemflow is disabled in the configuration (globals.enabled 0): plain routing');
    }
    for (const p of this.parts) this.safely(`${p.name} start`, () => p.start());
    this.timers.push(this.every(1000, () => {
      this.sample();
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
    for (const t of this.timers) this.deps.clock.clearTimeout(t);
    this.timers = [];
    if (this.solveTimer) this.deps.clock.clearTimeout(this.solveTimer);
    await this.queue.stop();
    this.tracker?.stop();
    this.fleet.stop();
    await this.saveQuota('stop');
    if (this.routing && this.routingStarted) {
      const r = await this.routing.stop();
      if (!r.ok) this.deps.logger.error('routing removal failed', { error: r.errors.join('; ') });
    }
    this.routingStarted = false;
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
      this.logProblems(outcome.errors, 'error');
      this.deps.logger.warn('configuration has errors: keeping the last good one', { origin, errors: outcome.errors.length });
      this.emit({ type: 'config', data: { state: this.configState.state, problems: this.configState.problems, changed: [], atMs: this.deps.clock.now() } });
      this.log('config', null, null, null, `reload from ${origin} refused: ${outcome.errors.length} error(s), the last good configuration keeps running`);
      return { state: this.configState.state, changed: [], problems: this.configState.problems };
    }
    this.logProblems(outcome.warnings, 'warn');
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
    this.log('config', null, null, null, `reload from ${origin}: ${changed.join(', ')}`);
    this.emit({ type: 'config', data: { state: this.configState.state, problems: this.configState.problems, changed, atMs: this.deps.clock.now() } });
    if (changed.length > 0) this.queue.request(`config reload (${changed.join(', ')})`, 'config reload');
    return { state: this.configState.state, changed, problems: this.configState.problems };
  }

  setPowerLimit(watts: number | null, origin: string): number | null {
    const before = this.powerLimitW();
    this.powerOverrideW = watts === null ? undefined : watts;
    const after = this.powerLimitW();
    this.deps.logger.info('power limit set', { origin, limitW: watts ?? 'cleared', effectiveW: after ?? 'unbounded' });
    this.log('power', null, null, null, watts === null ? `power limit override cleared by ${origin}` : `power limit set to ${watts} W by ${origin}`);
    this.emit({ type: 'power', data: { limitW: after, previousW: before, basis: watts === null ? (this.powerStatus?.limit.basis ?? 'unknown') : 'override', explanation: this.powerExplanation(), atMs: this.deps.clock.now() } });
    this.queue.request(`power limit ${after ?? 'unbounded'} W (${origin})`);
    return after;
  }

  async requestSolve(origin: string): Promise<SolveInfo | null> {
    this.queue.request(`solve requested by ${origin}`, `requested by ${origin}`);
    await this.queue.idle();
    return this.lastFullSolve;
  }

  updatePlan(modem: string, change: PlanOverride, origin: string): ModemConfig | string {
    const cfg = this.config?.modems.find((m) => m.name === modem);
    if (!cfg) return `no modem '${modem}' in the configuration`;
    const merged = { ...this.planOverrides.get(modem), ...change };
    this.planOverrides.set(modem, merged);
    this.deps.logger.info('SIM plan changed at run time', { modem, origin, pricePerGb: merged.pricePerGb, quotaGb: merged.quotaGb });
    this.log('config', null, modem, null, `SIM plan of ${modem} changed by ${origin} (kept until the next reload)`);
    this.queue.request(`SIM plan of ${modem} changed`);
    return this.modemConfigs().find((m) => m.name === modem)!;
  }

  /** netifd (hotplug or event) says an interface changed: decide now instead of at the next refresh. */
  interfaceEvent(iface: string, action: string): string | null {
    const m = this.config?.modems.find((c) => c.interface === iface) ?? null;
    const lanChange = this.config?.globals.lanInterfaces.includes(iface) ?? false;
    if (lanChange && this.config) void this.setupLan(this.config).then(() => this.queue.request(`LAN ${iface} ${action}`));
    if (m) {
      this.deps.logger.info('interface event', { modem: m.name, interface: iface, action });
      // Read the modem at once: the decision follows from what the read shows.
      this.fleet.refresh(m.name);
    }
    return m?.name ?? null;
  }

  /** Modem configs with the run-time SIM plan changes applied. */
  modemConfigs(): ModemConfig[] {
    return (this.config?.modems ?? []).map((m) => {
      const o = this.planOverrides.get(m.name);
      if (!o) return m;
      return { ...m, plan: { ...m.plan, ...(o.pricePerGb !== undefined ? { pricePerGb: o.pricePerGb } : {}), ...(o.quotaGb !== undefined ? { quotaGb: o.quotaGb } : {}) } };
    });
  }

  views() {
    return this.fleet.views(this.modemConfigs());
  }

  groups(): FlowGroup[] {
    return this.tracker?.groups() ?? [];
  }

  classes(): ClassRule[] {
    return classList(this.config?.classes ?? []);
  }

  powerLimitW(): number | null {
    if (this.powerOverrideW !== undefined) return this.powerOverrideW;
    return this.powerStatus?.limit.limitW ?? null;
  }

  powerExplanation(): string {
    if (this.powerOverrideW !== undefined && this.powerOverrideW !== null) return `set at run time to ${this.powerOverrideW} W`;
    return this.powerStatus?.limit.explanation ?? 'not read yet';
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---- the decision cycle ----

  private async cycle(req: CycleRequest): Promise<void> {
    if (!this.running) return;
    const cfg = this.config;
    this.counters.cycles = this.queue.cycles;
    this.counters.mergedEvents = this.queue.merged;
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
    });
    this.coordination = res.coordination.state;
    this.current = res.policy.assignment;
    this.last = res;
    const trigger = req.reasons.join('; ');
    this.noteGroups(groups, nowMs);
    this.recordPolicy(res, trigger, nowMs);
    this.noteModemStates(res, nowMs);
    for (const r of res.coordination.recommendations) this.deps.logger.debug('coordination', { modem: r.modem ?? undefined, kind: r.kind, message: r.message });
    await this.applyRouting(res, groups, classes, slots);
    for (const a of res.coordination.actions) await this.act(a);
    this.fleet.noteDecided();
    this.lastGroupKey = groupKey(groups);
    this.lastDemandKbps = res.demand.upKbps + res.demand.downKbps;
  }

  private recordPolicy(res: CycleResult, trigger: string, nowMs: number): void {
    const p = res.policy;
    if (p.kind === 'incremental') this.counters.solvesIncremental++;
    if (p.full) {
      this.counters.solvesFull++;
      if (p.full.adopted) this.counters.solvesAdopted++;
      else this.counters.solvesRejected++;
      const info: SolveInfo = {
        atMs: nowMs,
        kind: 'full',
        trigger: p.full.trigger,
        adopted: p.full.adopted,
        reason: p.full.reason,
        status: p.full.answer.status,
        solveMs: Math.round(p.full.answer.solveMs * 100) / 100,
      };
      this.lastFullSolve = info;
      this.lastSolve = info;
      // The same outcome for the same reason again (an infeasible class, say) is one entry, not one per event.
      const outcome = `${p.full.adopted}|${p.full.answer.status}|${p.full.reason}`;
      const repeat = outcome === this.lastSolveOutcome && p.decisions.length === 0;
      this.lastSolveOutcome = outcome;
      this.deps.logger[repeat ? 'debug' : 'info'](p.full.adopted ? 'full solve adopted' : 'full solve kept the current assignment', {
        trigger: p.full.trigger,
        status: p.full.answer.status,
        reason: p.full.reason,
        ms: info.solveMs,
      });
      const kind = p.full.adopted || p.full.answer.status !== 'ok' ? 'full-solve' : 'hysteresis';
      if (!repeat) this.log(kind, null, null, null, `${p.full.trigger}: ${p.full.reason}`);
    } else if (p.kind === 'incremental') {
      this.lastSolve = { atMs: nowMs, kind: 'incremental', trigger, adopted: true, reason: `${p.decisions.length} new group(s) placed`, status: p.status, solveMs: 0 };
    }
    for (const d of p.decisions) {
      if (d.kind === 'move') this.counters.redirections++;
      const level = d.kind === 'unplace' ? 'warn' : 'info';
      this.deps.logger[level](`group ${d.flow} -> ${d.to ?? 'default route'}: ${d.reason}`, { flow: d.flow, modem: d.to, from: d.from ?? undefined });
      this.log(d.kind, d.flow, d.to, d.from, d.reason);
    }
  }

  private noteModemStates(res: CycleResult, nowMs: number): void {
    for (const m of res.modems) {
      const prev = this.modemStates.get(m.name) ?? null;
      if (prev === m.state) continue;
      this.modemStates.set(m.name, m.state);
      const level = m.state === 'active' || m.state === 'standby' ? 'info' : prev === null ? 'info' : 'warn';
      this.deps.logger[level](`modem ${m.name} ${prev ?? 'new'} -> ${m.state}`, { modem: m.name, reason: m.reason ?? undefined });
      if (prev !== null && (m.state === 'excluded' || prev === 'excluded')) this.log(m.state === 'excluded' ? 'exclude' : 'include', null, m.name, null, m.reason ?? `now ${m.state}`);
      this.emit({ type: 'modem', data: { name: m.name, state: m.state, previous: prev, reason: m.reason, atMs: nowMs } });
    }
    for (const name of [...this.modemStates.keys()]) if (!res.modems.some((m) => m.name === name)) this.modemStates.delete(name);
  }

  modemState(name: string): ModemDecisionState | null {
    return this.modemStates.get(name) ?? null;
  }

  private async applyRouting(res: CycleResult, groups: FlowGroup[], classes: ClassRule[], slots: Map<string, number>): Promise<void> {
    if (!this.routing || !this.lan) return;
    const views = this.views();
    const plan = buildRoutingPlan({
      modems: res.modems.flatMap((m) => {
        const view = views.find((v) => v.name === m.name);
        const slot = slots.get(m.name);
        return view && slot !== undefined && m.state !== 'disabled' ? [{ name: m.name, slot, view, routable: m.routable }] : [];
      }),
      classes,
      lan: this.lan,
      groups,
      assignment: res.policy.assignment.assignment,
      classTargets: res.classTargets,
      defaultModem: res.defaultModem,
    });
    const t0 = this.deps.clock.monotonicMs();
    const r = this.routingStarted ? await this.routing.apply(plan) : await this.routing.start(plan);
    const ms = this.deps.clock.monotonicMs() - t0;
    recordRoutingApply(this.counters, ms, r.ok);
    this.routingFailed = !r.ok;
    if (r.ok) this.routingStarted = true;
    else {
      this.deps.logger.error('routing apply failed', { error: r.errors.slice(0, 3).join('; '), errors: r.errors.length });
      this.log('error', null, null, null, `routing apply failed: ${r.errors[0]}`);
    }
  }

  private async act(a: CoordinationAction): Promise<void> {
    if (!this.deps.executor) {
      this.deps.logger.info(`would ${a.kind} modem ${a.modem} (dry run)`, { modem: a.modem, reason: a.reason });
      this.log(a.kind, null, a.modem, null, `${a.reason} (dry run: not done)`);
      return;
    }
    const out = await this.deps.executor.apply(a);
    if (out.code === 'ok') {
      if (a.kind === 'wake') this.counters.wakes++;
      if (a.kind === 'sleep') this.counters.sleeps++;
      this.deps.logger.info(`modem ${a.modem} ${a.kind}`, { modem: a.modem, reason: a.reason, steps: out.steps.join('; ') });
      this.log(a.kind, null, a.modem, null, a.reason);
    } else {
      this.deps.logger.error(`modem ${a.modem} ${a.kind} failed`, { modem: a.modem, code: out.code, error: out.error ?? undefined });
      this.log('error', null, a.modem, null, `${a.kind} failed: ${out.error}`);
    }
  }

  // ---- inputs ----

  private onGroups(groups: FlowGroup[]): void {
    const key = groupKey(groups);
    let demand = 0;
    for (const g of groups) demand += g.upKbps + g.downKbps;
    if (key !== this.lastGroupKey) {
      const before = new Set(this.lastGroupKey.split('\n'));
      const fresh = groups.filter((g) => !before.has(g.id));
      const what = fresh.length > 0 ? `new group ${fresh[0]!.id}${fresh.length > 1 ? ` (+${fresh.length - 1})` : ''}` : 'groups ended';
      this.lastGroupKey = key;
      this.queue.request(what);
    } else if (Math.abs(demand - this.lastDemandKbps) > DEMAND_CHANGE * Math.max(this.lastDemandKbps, 100)) {
      this.lastDemandKbps = demand;
      this.queue.request(`demand now ${Math.round(demand)} kbit/s`);
    }
  }

  private noteGroups(groups: FlowGroup[], nowMs: number): void {
    const live = new Set(groups.map((g) => g.id));
    for (const id of [...this.groupSince.keys()]) if (!live.has(id)) this.groupSince.delete(id);
    for (const g of groups) if (!this.groupSince.has(g.id)) this.groupSince.set(g.id, nowMs);
  }

  private async refreshPower(): Promise<void> {
    if (!this.power || !this.running) return;
    const views = this.views();
    const act = this.current.activation;
    const loads: ModemLoad[] = views.map((v) => {
      const spec = this.last?.instance.interfaces.find((i) => i.id === v.name);
      const bearer = spec?.bearers.find((b) => b.id === act[v.name]) ?? spec?.bearers[0] ?? null;
      return { modem: v.name, up: v.link.up, bearer, txKbps: v.link.txKbps, rxKbps: v.link.rxKbps };
    });
    let st: PowerStatus;
    try {
      st = await this.power.refresh(loads);
    } catch (e) {
      this.deps.logger.error('power refresh failed', { error: e instanceof Error ? e.message : String(e) });
      return;
    }
    const before = this.powerStatus?.limit.limitW ?? null;
    const first = this.powerStatus === null;
    this.powerStatus = st;
    if (st.changed && !first) {
      this.deps.logger.info('power limit changed', { limitW: st.limit.limitW ?? 'unbounded', basis: st.limit.basis, explanation: st.limit.explanation });
      this.log('power', null, null, null, `P_max ${st.limit.limitW ?? 'unbounded'} W: ${st.limit.explanation}`);
      this.emit({ type: 'power', data: { limitW: st.limit.limitW, previousW: before, basis: st.limit.basis, explanation: st.limit.explanation, atMs: this.deps.clock.now() } });
      if (this.powerOverrideW === undefined) this.queue.request(`power limit ${st.limit.limitW ?? 'unbounded'} W`);
    } else if (first && st.limit.limitW !== null) {
      this.queue.request(`power limit ${st.limit.limitW} W`);
    }
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
    if (!this.running || !cfg || !cfg.globals.enabled || this.retrying) return;
    const failing = !this.lan || !this.tracker || this.routingFailed;
    if (!failing) {
      this.retryDelayMs = RETRY_FIRST_MS;
      return;
    }
    const now = this.deps.clock.monotonicMs();
    if (now < this.retryAtMs) return;
    this.retrying = true;
    try {
      if (!this.lan || !this.tracker) await this.setupLan(cfg);
      if (this.routingFailed) this.queue.request('retry: the last routing apply failed');
    } finally {
      this.retrying = false;
      this.retryAtMs = now + this.retryDelayMs;
      this.retryDelayMs = Math.min(RETRY_MAX_MS, this.retryDelayMs * 2);
    }
  }

  private async saveQuota(why: 'stop' | null): Promise<void> {
    const records = this.fleet.quotaRecords();
    const due = why ?? quotaSaveDue(this.quotaSaved, records, this.deps.clock.now());
    if (!due || Object.keys(records).length === 0) return;
    const state: QuotaState = { version: 1, savedMs: this.deps.clock.now(), modems: { ...this.quotaSaved?.modems, ...records } };
    try {
      await this.deps.quotaStore.save(state);
      this.quotaSaved = state;
      this.deps.logger.debug('quota state saved', { why: due, modems: Object.keys(records).length });
    } catch (e) {
      this.deps.logger.error('quota state not saved', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private sample(): void {
    const t = this.deps.clock.now();
    const modems: Record<string, { rxKbps: number | null; txKbps: number | null; rttMs: number | null; lossPct: number | null }> = {};
    for (const v of this.views()) {
      modems[v.name] = { rxKbps: round(v.link.rxKbps), txKbps: round(v.link.txKbps), rttMs: round(v.path?.short.rttMs ?? null), lossPct: round(v.path?.short.lossPct ?? null) };
    }
    const p = this.last?.policy;
    this.history.push({ t, costPerHour: round((p?.costPerSecond ?? 0) * 3600) ?? 0, powerW: round(p?.powerW ?? 0) ?? 0, powerLimitW: this.powerLimitW(), modems });
  }

  // ---- configuration ----

  private async applyConfig(before: ModemflowConfig | null, after: ModemflowConfig): Promise<string[]> {
    this.deps.setLogLevel(after.globals.logLevel);
    if (!before || before.globals.enabled !== after.globals.enabled) {
      if (after.globals.enabled) {
        this.fleet.start(this.modemConfigs());
        this.power = this.deps.power(after.power);
        this.setupRouting(after);
        await this.setupLan(after);
      } else {
        this.tracker?.stop();
        this.tracker = null;
        if (this.routing && this.routingStarted) await this.routing.stop();
        this.routingStarted = false;
        this.fleet.stop();
      }
      for (const p of this.parts) this.safely(`${p.name} reconfigure`, () => p.reconfigure?.(after));
      return ['globals.enabled'];
    }
    const d = diffConfig(before, after);
    const changed: string[] = [];
    if (d.modems.added.length + d.modems.removed.length + d.modems.changed.length > 0) {
      this.fleet.reconfigure(this.modemConfigs(), new Set(d.modems.changed));
      for (const [k, v] of Object.entries(d.modems)) if (v.length) changed.push(`modems ${k}: ${v.join(' ')}`);
    }
    const g0 = before.globals;
    const g1 = after.globals;
    const routingChanged = g0.markMask !== g1.markMask || g0.tableBase !== g1.tableBase || g0.rulePriorityBase !== g1.rulePriorityBase;
    const lanChanged = String(g0.lanInterfaces) !== String(g1.lanInterfaces) || String(g0.lanPrefixes) !== String(g1.lanPrefixes);
    const classesChanged = d.classes.added.length + d.classes.removed.length + d.classes.changed.length > 0 || d.classes.reordered;
    if (routingChanged) {
      if (this.routing && this.routingStarted) await this.routing.stop();
      this.routingStarted = false;
      this.setupRouting(after);
      changed.push('routing settings');
    }
    if (lanChanged || classesChanged || routingChanged) {
      if (classesChanged) changed.push('classes');
      if (lanChanged) changed.push('LAN');
      this.tracker?.stop();
      this.tracker = null;
      this.lan = null;
      await this.setupLan(after);
    }
    if (d.power) {
      this.power = this.deps.power(after.power);
      changed.push('power');
      void this.refreshPower();
    }
    if (d.globals && !routingChanged && !lanChanged) changed.push('globals');
    if (g0.solveIntervalS !== g1.solveIntervalS) this.scheduleSolveTimer();
    if (d.telemetry) changed.push('telemetry');
    for (const p of this.parts) this.safely(`${p.name} reconfigure`, () => p.reconfigure?.(after));
    return changed;
  }

  private setupRouting(cfg: ModemflowConfig): void {
    const g = cfg.globals;
    this.routingSettings = { tableBase: g.tableBase, rulePriorityBase: g.rulePriorityBase, markMask: g.markMask, tableName: DEFAULT_TABLE_NAME };
    this.routing = this.deps.routing(this.routingSettings);
  }

  /** LAN devices and prefixes (config or netifd), then the flow tracker that needs them. */
  private async setupLan(cfg: ModemflowConfig): Promise<void> {
    const lan = await this.deps.lan(cfg.globals.lanInterfaces);
    if (typeof lan === 'string') {
      if (this.lanProblem !== lan) this.deps.logger.warn('LAN not known yet: no steering until it is', { reason: lan });
      this.lanProblem = lan;
      return;
    }
    const prefixes = cfg.globals.lanPrefixes.length > 0 ? cfg.globals.lanPrefixes : lan.prefixes;
    const next: LanSpec = { interfaces: lan.interfaces, prefixes };
    const same = this.lan && String(this.lan.interfaces) === String(next.interfaces) && String(this.lan.prefixes) === String(next.prefixes);
    this.lan = next;
    this.lanProblem = null;
    if (same && this.tracker) return;
    this.tracker?.stop();
    const tracker = this.deps.tracker(
      {
        source: 'conntrack',
        events: true,
        ...(this.deps.netns ? { netns: this.deps.netns } : {}),
        markMask: cfg.globals.markMask,
        lanPrefixes: prefixes,
        classes: cfg.classes,
        enableAccounting: !this.deps.dryRun,
      },
      (g) => this.onGroups(g),
    );
    this.tracker = tracker;
    this.deps.logger.info('LAN', { interfaces: next.interfaces.join(','), prefixes: prefixes.join(',') });
    const r = await tracker.start();
    if (!r.ok) {
      this.deps.logger.error('flow tracking failed to start', { error: r.errors.join('; ') });
      this.tracker = null;
    }
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
    const problems = [...(loaded.ok ? [] : loaded.errors), ...loaded.warnings].map((p: ConfigProblem) => ({
      severity: p.severity,
      file: p.file,
      line: p.line,
      section: p.section,
      option: p.option,
      message: p.message,
    }));
    this.configState = {
      state: accepted ? 'ok' : this.keeper.current() ? 'kept-last-good' : 'none',
      file: this.deps.configFile,
      loadedMs: accepted ? this.deps.clock.now() : this.configState.loadedMs,
      problems,
    };
  }

  private logProblems(problems: readonly ConfigProblem[], level: 'error' | 'warn'): void {
    for (const p of problems.slice(0, 20)) {
      this.deps.logger[level](`config ${p.file}:${p.line ?? '-'}: ${p.section}${p.option ? '.' + p.option : ''}: ${p.message}`);
    }
    if (problems.length > 20) this.deps.logger[level](`config: ${problems.length - 20} more problem(s)`);
  }

  // ---- small helpers ----

  private log(kind: DecisionEntry['kind'], group: string | null, modem: string | null, from: string | null, reason: string): void {
    const e: DecisionEntry = { atMs: this.deps.clock.now(), kind, group, modem, from, reason };
    this.decisions.push(e);
    this.emit({ type: 'decision', data: e });
  }

  private emit(e: ApiEvent): void {
    this.events.emit(e);
  }

  private every(ms: number, fn: () => void): TimerHandle {
    const handle = { id: -1 } as TimerHandle;
    const tick = (): void => {
      if (!this.running) return;
      this.safely('timer', fn);
      const next = this.deps.clock.setTimeout(tick, ms);
      (handle as { id: number }).id = next.id;
    };
    const first = this.deps.clock.setTimeout(tick, ms);
    (handle as { id: number }).id = first.id;
    return handle;
  }

  private safely(what: string, fn: () => unknown): Promise<void> {
    try {
      const r = fn();
      if (r instanceof Promise) return r.then(() => undefined, (e: unknown) => this.deps.logger.error(`${what} failed`, { error: e instanceof Error ? e.message : String(e) }));
    } catch (e) {
      this.deps.logger.error(`${what} failed`, { error: e instanceof Error ? e.message : String(e) });
    }
    return Promise.resolve();
  }
}

function groupKey(groups: readonly FlowGroup[]): string {
  return groups.map((g) => g.id).sort().join('\n');
}

function round(n: number | null): number | null {
  return n === null ? null : Math.round(n * 100) / 100;
}
