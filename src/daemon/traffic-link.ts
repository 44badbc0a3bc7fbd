import type { FlowGroup } from '../model/flow-group.js';
import type { Result } from '../model/errors.js';
import type { ModemflowConfig } from '../model/config.js';
import type { LanSpec, RoutingPlan } from '../routing/plan.js';
import { DEFAULT_TABLE_NAME } from '../routing/plan.js';
import { trackerOptions } from './config-state.js';
import type { DaemonDeps, GroupSource, RoutingPort } from './daemon-deps.js';

/**
 * The daemon's hold on the router's traffic: the LAN (config or netifd), the
 * flow tracker that needs it, and the routing controller that programs the
 * kernel. Each may be missing or failed while the rest goes on; the daemon
 * retries what `needsLan` / `routingFailed` say.
 */
export class TrafficLink {
  lan: LanSpec | null = null;
  lanProblem: string | null = null;
  routingFailed = false;
  private tracker: GroupSource | null = null;
  private routing: RoutingPort | null = null;
  private routingStarted = false;

  constructor(
    private readonly deps: DaemonDeps,
    private readonly onGroups: (groups: FlowGroup[]) => void,
  ) {}

  groups(): FlowGroup[] {
    return this.tracker?.groups() ?? [];
  }

  /** The LAN or its flow tracker is missing: set-up is to be tried again. */
  get needsLan(): boolean {
    return !this.lan || !this.tracker;
  }

  /** Routing can be applied: a controller and a known LAN. */
  get canRoute(): boolean {
    return this.routing !== null && this.lan !== null;
  }

  setupRouting(cfg: ModemflowConfig): void {
    const g = cfg.globals;
    this.routing = this.deps.routing({ tableBase: g.tableBase, rulePriorityBase: g.rulePriorityBase, markMask: g.markMask, tableName: DEFAULT_TABLE_NAME });
  }

  /** Installs the plan (the first time: starts the controller); remembers a failure for the retry. */
  async apply(plan: RoutingPlan): Promise<Result<unknown>> {
    const routing = this.routing!;
    const r = this.routingStarted ? await routing.apply(plan) : await routing.start(plan);
    this.routingFailed = !r.ok;
    if (r.ok) this.routingStarted = true;
    return r;
  }

  /** Removes what routing installed; null when nothing was installed. */
  async stopRouting(): Promise<Result<void> | null> {
    const r = this.routing && this.routingStarted ? await this.routing.stop() : null;
    this.routingStarted = false;
    return r;
  }

  /** Stops the flow tracker; `forgetLan` makes the next setupLan read the LAN afresh. */
  stopTracker(forgetLan = false): void {
    this.tracker?.stop();
    this.tracker = null;
    if (forgetLan) this.lan = null;
  }

  /** LAN devices and prefixes (config or netifd), then the flow tracker that needs them. */
  async setupLan(cfg: ModemflowConfig): Promise<void> {
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
    const tracker = this.deps.tracker(trackerOptions(cfg, prefixes, this.deps.netns, this.deps.dryRun), this.onGroups);
    this.tracker = tracker;
    this.deps.logger.info('LAN', { interfaces: next.interfaces.join(','), prefixes: prefixes.join(',') });
    const r = await tracker.start();
    if (!r.ok) {
      this.deps.logger.error('flow tracking failed to start', { error: r.errors.join('; ') });
      this.tracker = null;
    }
  }
}
