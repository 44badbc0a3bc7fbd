import type { ConfigResult } from '../config/problems.js';
import type { FlowTrackerOptions } from '../flows/tracker-options.js';
import type { ModemflowConfig, PowerConfig } from '../model/config.js';
import type { Result } from '../model/errors.js';
import type { FlowGroup } from '../model/flow-group.js';
import type { Clock, Logger, LogLevel } from '../model/ports.js';
import type { TfapAnswer, TfapInstance } from '../model/tfap.js';
import type { ActionOutcome, ModemPowerAction } from '../power/executor.js';
import type { PowerStatus } from '../power/power-manager.js';
import type { ModemLoad } from '../power/power-model.js';
import type { LanSpec, RoutingPlan, RoutingSettings } from '../routing/plan.js';
import type { CollectorFactory } from './modem-fleet.js';
import type { QuotaStore } from './quota-store.js';

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

