import type { AssignmentReply, FlowsReply, HistoryReply, ModemEntry, ModemsReply, StatusReply } from '../model/api.js';

/**
 * Readable tables of the daemon's replies for `modemflow status|modems|
 * flows|assignment|history`. Pure: reply in, text out.
 */

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const dash = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));
const num = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined ? '-' : v.toFixed(digits));

export function ago(ms: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

export function formatStatus(s: StatusReply): string {
  const out: string[] = [];
  out.push(`modemflow ${s.version}, up ${s.uptimeS} s${s.dryRun ? ' (dry run)' : ''}`);
  out.push(`config: ${s.config.state} (${s.config.file})`);
  out.push(`power: ${s.power.source}, limit ${s.power.limitW === null ? 'none' : `${s.power.limitW} W`} (${s.power.explanation}), modelled ${s.power.modelledW} W${s.power.measuredW !== null ? `, measured ${s.power.measuredW} W` : ''}`);
  out.push(`cost: ${s.cost.perHour.toFixed(4)} per hour now, ${s.cost.cycleTotal.toFixed(2)} this billing cycle`);
  const c = s.counters;
  out.push(
    `solves: ${c.solvesFull} full (${c.solvesAdopted} adopted, ${c.solvesRejected} kept by hysteresis), ${c.solvesIncremental} incremental; ` +
      `${c.redirections} redirections, ${c.wakes} wakes, ${c.sleeps} sleeps; routing ${c.routingApplies} applies (last ${num(c.routingLastMs, 1)} ms), ${c.routingErrors} errors`,
  );
  out.push(`asymmetry: ${s.asymmetry.advice}`);
  if (s.mwan3Running) out.push('mwan3: RUNNING (two balancers fight; stop one)');
  out.push('');
  out.push(table(['MODEM', 'INTERFACE', 'TIER', 'STATE', 'WHY'], s.modems.map((m) => [m.name, m.interface, m.tier, m.state, m.reason ?? ''])).trimEnd());
  if (s.warnings.length) {
    out.push('');
    for (const w of s.warnings) out.push(`warning: ${w}`);
  }
  return out.join('\n') + '\n';
}

function signal(m: ModemEntry): string {
  const r = m.radio;
  if (!r) return '-';
  const s = r.signal;
  const parts = [s.rsrpDbm !== null ? `${s.rsrpDbm}dBm` : null, s.sinrDb !== null ? `${s.sinrDb}dB` : null].filter((x) => x !== null);
  return parts.length ? parts.join('/') : '-';
}

export function formatModems(r: ModemsReply): string {
  const rows = r.modems.map((m) => [
    m.name,
    m.state,
    m.radio ? `${dash(m.radio.operatorName ?? (m.radio.mcc ? `${m.radio.mcc}${m.radio.mnc}` : null))} ${dash(m.radio.rat)}` : '-',
    signal(m),
    m.path ? `${num(m.path.short.rttMs)}ms ${num(m.path.short.lossPct)}%${m.path.alive ? '' : ' DEAD'}` : '-',
    `${num(m.link.rxKbps)}/${num(m.link.txKbps)}`,
    m.capacity ? `${Math.round(m.capacity.downKbps)}/${Math.round(m.capacity.upKbps)}` : '-',
    m.price.perGb === null ? 'stop' : `${m.price.perGb}/GB`,
    m.price.usedShare === null ? 'unlimited' : `${(m.price.usedShare * 100).toFixed(1)}%`,
    m.powerState,
    String(m.groups),
    m.state === 'active' ? '' : m.exclusions.map((e) => e.reason).join('; '),
  ]);
  return table(['MODEM', 'STATE', 'NETWORK', 'SIGNAL', 'PATH', 'RX/TX KBPS', 'CAP DN/UP', 'PRICE', 'QUOTA', 'POWER', 'GROUPS', 'WHY'], rows);
}

export function formatFlows(r: FlowsReply, nowMs: number): string {
  const rows = r.groups.map((g) => [g.id, g.host ?? '-', g.className, g.qos, num(g.downKbps), num(g.upKbps), String(g.connections), g.modem ?? 'default', g.pinnedByNat ? 'nat' : '', ago(g.sinceMs, nowMs)]);
  return table(['GROUP', 'HOST', 'CLASS', 'QOS', 'DOWN', 'UP', 'CONNS', 'MODEM', 'PIN', 'SINCE'], rows) + `${r.groups.length} of ${r.total} groups\n`;
}

export function formatAssignment(a: AssignmentReply, nowMs: number): string {
  const out: string[] = [];
  out.push(`status ${a.status}, cost ${a.costPerHour.toFixed(4)}/h, power ${a.powerW} W of ${a.powerLimitW === null ? 'unbounded' : `${a.powerLimitW} W`}`);
  out.push(`active: ${Object.entries(a.activation).map(([m, b]) => `${m} (${b})`).join(', ') || 'none'}`);
  if (a.lastFullSolve) out.push(`last full solve ${ago(a.lastFullSolve.atMs, nowMs)} ago (${a.lastFullSolve.trigger}): ${a.lastFullSolve.adopted ? 'adopted' : 'kept'}, ${a.lastFullSolve.reason}`);
  out.push('');
  const byModem = new Map<string, string[]>();
  for (const [g, m] of Object.entries(a.assignment)) byModem.set(m, [...(byModem.get(m) ?? []), g]);
  for (const [m, gs] of byModem) out.push(`${m}: ${gs.sort().join(', ')}`);
  out.push('');
  out.push(table(['AGO', 'KIND', 'GROUP', 'MODEM', 'REASON'], a.decisions.slice(-20).map((d) => [ago(d.atMs, nowMs), d.kind, d.group ?? '', d.modem ?? '', d.reason])).trimEnd());
  return out.join('\n') + '\n';
}

export function formatHistory(h: HistoryReply): string {
  const names = [...new Set(h.samples.flatMap((s) => Object.keys(s.modems)))];
  const rows = h.samples.map((s) => [
    new Date(s.t).toISOString().slice(11, 19),
    s.costPerHour.toFixed(4),
    String(s.powerW),
    ...names.map((n) => {
      const m = s.modems[n];
      return m ? `${num(m.rxKbps)}/${num(m.txKbps)} ${num(m.rttMs)}ms` : '-';
    }),
  ]);
  return table(['TIME', 'COST/H', 'POWER W', ...names.map((n) => `${n} RX/TX RTT`)], rows);
}
