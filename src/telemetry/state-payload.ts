import type { AssignmentReply, StatusReply } from '../model/api.js';
import { PAYLOAD_VERSION } from './payload-version.js';

/** The publisher's own figures, reported inside `state`. */
export interface TelemetryCounters {
  queued: number;
  /** Messages dropped from the outbox since the daemon started (queue full). */
  dropped: number;
  sent: number;
}

export interface StatePayload {
  v: number;
  ts: number;
  version: string;
  uptimeS: number;
  dryRun: boolean;
  config: { state: StatusReply['config']['state']; errors: number; warnings: number };
  power: { source: string; limitW: number | null; basis: string; modelledW: number; measuredW: number | null; batteryPct: number | null };
  cost: { perHour: number; cycleTotal: number };
  modems: Array<{ name: string; state: string; usable: boolean; tier: string; reason: string | null }>;
  assignment: {
    status: AssignmentReply['status'];
    groups: number;
    active: Record<string, string>;
    costPerHour: number;
    powerW: number;
    powerLimitW: number | null;
    lastFullSolve: { atMs: number; adopted: boolean; status: string; solveMs: number; reason: string } | null;
  };
  counters: StatusReply['counters'];
  warnings: string[];
  telemetry: TelemetryCounters;
}

const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** The retained `state` message: what an operator's dashboard shows for one router. */
export function buildStatePayload(status: StatusReply, assignment: AssignmentReply, telemetry: TelemetryCounters, ts: number): StatePayload {
  const problems = status.config.problems;
  const full = assignment.lastFullSolve;
  return {
    v: PAYLOAD_VERSION,
    ts,
    version: status.version,
    uptimeS: Math.round(status.uptimeS),
    dryRun: status.dryRun,
    config: {
      state: status.config.state,
      errors: problems.filter((p) => p.severity === 'error').length,
      warnings: problems.filter((p) => p.severity === 'warning').length,
    },
    power: {
      source: status.power.source,
      limitW: status.power.limitW,
      basis: status.power.basis,
      modelledW: round(status.power.modelledW),
      measuredW: status.power.measuredW,
      batteryPct: status.power.batteryPct,
    },
    cost: { perHour: round(status.cost.perHour, 4), cycleTotal: round(status.cost.cycleTotal, 2) },
    modems: status.modems.map((m) => ({ name: m.name, state: m.state, usable: m.usable, tier: m.tier, reason: m.reason })),
    assignment: {
      status: assignment.status,
      groups: Object.keys(assignment.assignment).length,
      active: { ...assignment.activation },
      costPerHour: round(assignment.costPerHour, 4),
      powerW: round(assignment.powerW),
      powerLimitW: assignment.powerLimitW,
      lastFullSolve: full && { atMs: full.atMs, adopted: full.adopted, status: full.status, solveMs: round(full.solveMs, 1), reason: full.reason },
    },
    counters: { ...status.counters },
    warnings: [...status.warnings],
    telemetry: { ...telemetry },
  };
}
