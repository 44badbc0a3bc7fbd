import { asymmetry } from '../coordination/asymmetry.js';
import { billingCycle, priceQuote } from '../metrics/price.js';
import type {
  AssignmentReply,
  FlowGroupEntry,
  FlowsQuery,
  FlowsReply,
  HistoryReply,
  ModemEntry,
  ModemsReply,
  PowerState,
  StatusReply,
} from '../model/api.js';
import { API_VERSION } from '../model/api.js';
import type { ModemConfig } from '../model/config.js';
import type { Daemon } from './daemon.js';

/**
 * The replies of the `modemflow` object, built from the daemon's state on
 * demand (the daemon keeps no second copy). Every figure here was measured
 * or decided by the daemon; unknowns stay null.
 */

const KBIT_PER_GB = 8e6;
const DAY_MS = 86_400_000;

export function statusReply(d: Daemon, version: string, monotonicUptimeS: number): StatusReply {
  const res = d.last;
  const configs = d.modemConfigs();
  const views = d.views();
  const ps = d.power.status;
  const warnings: string[] = [];
  if (d.configState.state !== 'ok') warnings.push(d.configState.state === 'none' ? 'no usable configuration: nothing is steered' : 'the configuration file has errors: the last good one runs');
  for (const p of d.configState.problems.filter((x) => x.severity === 'error').slice(0, 5)) warnings.push(`${p.file}:${p.line ?? '-'}: ${p.section}${p.option ? '.' + p.option : ''}: ${p.message}`);
  for (const v of views) if (v.health !== 'ok' && v.problem && v.problem !== 'not read yet') warnings.push(`modem ${v.name}: ${v.problem}`);
  if (d.mwan3) warnings.push('mwan3 is running too: two balancers fight over the same traffic; stop one');
  if (d.traffic.lanProblem) warnings.push(`LAN not known: ${d.traffic.lanProblem}`);
  if (d.dryRun) warnings.push('dry run: decisions are logged, nothing is applied');
  if (res?.policy.status === 'infeasible' && res.policy.unplaced.length > 0) warnings.push(`${res.policy.unplaced.length} group(s) fit no modem: they follow the default route`);
  if (res?.policy.status === 'over_power_limit') warnings.push('the traffic needs more power than the limit allows');

  const usable = (res?.modems ?? []).filter((m) => m.state === 'active');
  const rtts: number[] = [];
  const caps: number[] = [];
  for (const m of usable) {
    const v = views.find((x) => x.name === m.name);
    if (v?.path?.long.rttMs != null) rtts.push(v.path.long.rttMs);
    if (v?.capacity) caps.push(v.capacity.downKbps);
  }
  const asym = asymmetry(rtts, caps);
  let cycleTotal = 0;
  for (const c of configs) {
    const v = views.find((x) => x.name === c.name);
    if (v?.cycleBytes) cycleTotal += ((v.cycleBytes * 8) / 1000) * (c.plan.pricePerGb / KBIT_PER_GB);
  }
  return {
    apiVersion: API_VERSION,
    version,
    uptimeS: Math.round(monotonicUptimeS),
    dryRun: d.dryRun,
    config: d.configState,
    power: {
      source: d.cfg?.power.source ?? 'mains',
      limitW: d.powerLimitW(),
      basis: d.power.basis(),
      explanation: d.power.explanation(),
      modelledW: round(res?.policy.powerW ?? 0),
      measuredW: ps?.comparison ? round(ps.comparison.measuredW) : null,
      batteryPct: ps?.reading?.capacityPct ?? null,
      problems: ps?.limit.problems ?? [],
    },
    cost: { perHour: round((res?.policy.costPerSecond ?? 0) * 3600, 4), cycleTotal: round(cycleTotal, 2) },
    counters: { ...d.recorder.counters },
    modems: configs.map((c) => {
      const m = res?.modems.find((x) => x.name === c.name);
      return { name: c.name, interface: c.interface, tier: c.tier, state: m?.state ?? 'unknown', usable: m?.state === 'active', reason: m?.reason ?? (m ? null : 'not decided yet') };
    }),
    asymmetry: { modems: usable.map((m) => m.name), ...asym },
    mwan3Running: d.mwan3,
    warnings,
  };
}

function powerStateOf(state: string, up: boolean): PowerState {
  if (state === 'asleep') return 'asleep';
  if (state === 'waking') return 'waking';
  if (state === 'sleeping') return 'sleeping';
  return up ? 'on' : 'off';
}

export function modemEntry(d: Daemon, c: ModemConfig, nowMs: number, utcOffsetMin: number): ModemEntry | null {
  const v = d.views().find((x) => x.name === c.name);
  if (!v) return null;
  const res = d.last;
  const m = res?.modems.find((x) => x.name === c.name);
  const bearer = res?.instance.interfaces.find((i) => i.id === c.name)?.bearers[0] ?? null;
  const q = priceQuote(c.plan, v.cycleBytes ?? 0, nowMs, utcOffsetMin);
  const cycle = billingCycle(nowMs, c.plan.billingDay, utcOffsetMin);
  let up = 0;
  let down = 0;
  let groups = 0;
  for (const f of res?.instance.flows ?? []) {
    if (d.current.assignment[f.id] !== c.name) continue;
    groups++;
    up += f.upKbps;
    down += f.downKbps;
  }
  const share = (need: number, cap: number | undefined) => (cap === undefined || cap <= 0 ? null : round(need / cap, 3));
  const state = m?.state ?? 'unknown';
  return {
    ...v,
    interface: c.interface,
    slot: d.slots.slotOf(c.name) ?? 0,
    tier: c.tier,
    enabled: c.enabled,
    state,
    usable: state === 'active',
    exclusions: m?.exclusions ?? [],
    bearer,
    price: {
      perGb: q.costPerKbit === null ? null : round(q.costPerKbit * KBIT_PER_GB, 4),
      costPerKbit: q.costPerKbit,
      state: q.state,
      multiplier: round(q.multiplier, 3),
      quotaGb: c.plan.quotaGb,
      usedShare: q.usedShare === null ? null : round(q.usedShare, 4),
      cycleShare: round(q.cycleShare, 4),
      cycleEndMs: cycle.endMs,
      daysLeft: Math.max(0, Math.ceil((cycle.endMs - nowMs) / DAY_MS)),
      reason: q.reason,
    },
    powerState: powerStateOf(state, v.link.up),
    groups,
    load: { upKbps: round(up), downKbps: round(down), upShare: share(up, v.capacity?.upKbps), downShare: share(down, v.capacity?.downKbps) },
  };
}

export function modemsReply(d: Daemon, nowMs: number, utcOffsetMin: number): ModemsReply {
  return { modems: d.modemConfigs().flatMap((c) => modemEntry(d, c, nowMs, utcOffsetMin) ?? []) };
}

export function flowsReply(d: Daemon, q: FlowsQuery): FlowsReply {
  const spread = d.last?.spread.shares;
  const all: FlowGroupEntry[] = d.groups().map((g) => ({
    id: g.id,
    kind: g.key.kind,
    host: g.key.kind === 'host-class' ? g.key.host : g.key.tuple.src,
    className: g.key.className,
    qos: g.qos,
    upKbps: round(g.upKbps),
    downKbps: round(g.downKbps),
    measured: g.measured,
    connections: g.connections,
    modem: d.current.assignment[g.id] ?? spread?.get(g.id)?.[0]?.modem ?? null,
    ...(spread?.has(g.id) ? { shares: spread.get(g.id)!.map((s) => ({ modem: s.modem, weight: round(s.weight) })) } : {}),
    pinnedByNat: g.pinnedByNat,
    sinceMs: d.groupWatch.since.get(g.id) ?? d.startedMs,
    tuple: g.key.kind === 'connection' ? g.key.tuple : null,
  }));
  const filtered = all.filter(
    (g) => (q.modem === undefined || g.modem === q.modem) && (q.class === undefined || g.className === q.class || g.qos === q.class) && (q.host === undefined || g.host === q.host),
  );
  filtered.sort((a, b) => b.downKbps + b.upKbps - (a.downKbps + a.upKbps) || (a.id < b.id ? -1 : 1));
  return { groups: filtered.slice(0, q.limit ?? 1000), total: all.length };
}

export function assignmentReply(d: Daemon, decisions = 50): AssignmentReply {
  const p = d.last?.policy;
  return {
    status: p?.status ?? 'ok',
    activation: { ...d.current.activation },
    assignment: { ...d.current.assignment },
    costPerSecond: p?.costPerSecond ?? 0,
    costPerHour: round((p?.costPerSecond ?? 0) * 3600, 4),
    powerW: round(p?.powerW ?? 0),
    powerLimitW: d.powerLimitW(),
    lastSolve: d.recorder.lastSolve,
    lastFullSolve: d.recorder.lastFullSolve,
    decisions: d.recorder.decisions.last(decisions),
  };
}

export function historyReply(d: Daemon, nowMs: number, seconds: number): HistoryReply {
  return { intervalS: 1, samples: d.history.since(nowMs, seconds) };
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
