import { diffConfig } from '../config/diff.js';
import type { ConfigResult } from '../config/problems.js';
import type { FlowTrackerOptions } from '../flows/tracker-options.js';
import type { PlanOverride } from '../model/api.js';
import type { ModemConfig, ModemflowConfig } from '../model/config.js';
import { formatProblem } from '../config/problems.js';
import type { ConfigProblemView, ConfigStateView } from '../model/api.js';
import type { Logger } from '../model/ports.js';

/** The configuration state the API reports after a load attempt (accepted or refused). */
export function configStateAfter(before: ConfigStateView, loaded: ConfigResult, accepted: boolean, haveLastGood: boolean, nowMs: number): ConfigStateView {
  return {
    state: accepted ? 'ok' : haveLastGood ? 'kept-last-good' : 'none',
    file: before.file,
    loadedMs: accepted ? nowMs : before.loadedMs,
    problems: [...(loaded.ok ? [] : loaded.errors), ...loaded.warnings],
  };
}

/** One line per problem (file:line: section.option: message), at most 20 and the count of the rest. */
export function logProblems(logger: Logger, problems: readonly ConfigProblemView[], level: 'error' | 'warn'): void {
  for (const p of problems.slice(0, 20)) logger[level](`config ${formatProblem(p)}`);
  if (problems.length > 20) logger[level](`config: ${problems.length - 20} more problem(s)`);
}

/** What a reload must redo, and the words for what changed (reload as a diff: everything else stays). */
export interface ReloadPlan {
  changed: string[];
  /** Modems whose section changed (added and removed ones are the fleet's to see); null = no modem change. */
  modemsChanged: string[] | null;
  /** Table, rule priorities or mark bits changed: routing is removed and set up anew. */
  routing: boolean;
  /** Classes, LAN or routing changed: the flow tracker starts again. */
  tracker: boolean;
  power: boolean;
  solveTimer: boolean;
}

export function reloadPlan(before: ModemflowConfig, after: ModemflowConfig): ReloadPlan {
  const d = diffConfig(before, after);
  const changed: string[] = [];
  const modemChange = d.modems.added.length + d.modems.removed.length + d.modems.changed.length > 0;
  if (modemChange) for (const [k, v] of Object.entries(d.modems)) if (v.length) changed.push(`modems ${k}: ${v.join(' ')}`);
  const g0 = before.globals;
  const g1 = after.globals;
  const routing = g0.markMask !== g1.markMask || g0.tableBase !== g1.tableBase || g0.rulePriorityBase !== g1.rulePriorityBase;
  const lan = String(g0.lanInterfaces) !== String(g1.lanInterfaces) || String(g0.lanPrefixes) !== String(g1.lanPrefixes);
  const classes = d.classes.added.length + d.classes.removed.length + d.classes.changed.length > 0 || d.classes.reordered;
  if (routing) changed.push('routing settings');
  if (classes) changed.push('classes');
  if (lan) changed.push('LAN');
  if (d.power) changed.push('power');
  if (d.globals && !routing && !lan) changed.push('globals');
  if (d.telemetry) changed.push('telemetry');
  return {
    changed,
    modemsChanged: modemChange ? d.modems.changed : null,
    routing,
    tracker: routing || lan || classes,
    power: d.power,
    solveTimer: g0.solveIntervalS !== g1.solveIntervalS,
  };
}

/** A modem's config with a run-time SIM plan change (kept until the next reload). */
export function withPlanOverride(m: ModemConfig, o: PlanOverride | undefined): ModemConfig {
  if (!o) return m;
  return { ...m, plan: { ...m.plan, ...(o.pricePerGb !== undefined ? { pricePerGb: o.pricePerGb } : {}), ...(o.quotaGb !== undefined ? { quotaGb: o.quotaGb } : {}) } };
}

/** The flow tracker's options from the configuration (a dry run turns no sysctl on). */
export function trackerOptions(cfg: ModemflowConfig, lanPrefixes: string[], netns: string | null, dryRun: boolean): FlowTrackerOptions {
  return {
    source: 'conntrack',
    events: true,
    ...(netns ? { netns } : {}),
    markMask: cfg.globals.markMask,
    lanPrefixes,
    classes: cfg.classes,
    enableAccounting: !dryRun,
  };
}
