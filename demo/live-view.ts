/**
 * The live view: once a second, what the daemon says (its `modemflow`
 * object: status, modems, flows, assignment) next to what the traffic
 * measured. A full frame on a terminal; one plain line per second plus the
 * new decisions otherwise (CI, a pipe). Pure: a snapshot in, lines out.
 */
import type { AssignmentReply, DecisionEntry, FlowsReply, ModemEntry, ModemsReply, StatusReply } from '../src/model/api.js';
import type { TrafficTick } from './traffic-report.js';

export interface EmulatorState {
  modelledW: number;
  batteryPct: number;
  modems: { name: string; up: boolean; radio: string; rsrpDbm: number; sinrDb: number }[];
}

export interface ViewSnapshot {
  elapsedS: number;
  totalS: number;
  daemon: { status: StatusReply | null; modems: ModemsReply | null; flows: FlowsReply | null; assignment: AssignmentReply | null; error: string | null };
  emulator: EmulatorState | null;
  /** Per modem name: measured rates on its uplink. */
  rates: Record<string, { rxKbps: number; txKbps: number }>;
  /** The demo's own description of each modem (for when the daemon has nothing). */
  modemInfo: { name: string; uplink: number; rateMbit: number; pricePerGb: number }[];
  traffic: TrafficTick | null;
  /** Script lines said so far, most recent last. */
  said: string[];
}

const f1 = (x: number | null | undefined, unit = ''): string => (x === null || x === undefined ? '-' : `${x.toFixed(1)}${unit}`);
const mbit = (kbps: number | null | undefined): string => (kbps === null || kbps === undefined ? '-' : (kbps / 1000).toFixed(1));
const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

function entryOf(s: ViewSnapshot, name: string): ModemEntry | null {
  return s.daemon.modems?.modems.find((m) => m.name === name) ?? null;
}

function signal(e: ModemEntry | null, emu: EmulatorState['modems'][number] | undefined): string {
  const rat = e?.radio?.rat ?? null;
  const rsrp = e?.radio?.signal.rsrpDbm ?? null;
  const sinr = e?.radio?.signal.sinrDb ?? null;
  if (rsrp !== null) return `${rat ?? '?'} ${rsrp.toFixed(0)} dBm ${f1(sinr)} dB`;
  if (emu) return emu.radio === 'searching' ? 'no service' : `${emu.rsrpDbm} dBm (emu)`;
  return '-';
}

/** Per modem: name, state, signal, RTT/loss, rate/capacity, price, quota, power state. */
export function modemRows(s: ViewSnapshot): string[] {
  const rows = [`${'modem'.padEnd(8)} ${'state'.padEnd(9)} ${'signal'.padEnd(24)} ${'rtt/loss'.padEnd(14)} ${'down/up of capacity Mbit/s'.padEnd(27)} ${'price/GB'.padEnd(9)} ${'quota'.padEnd(7)} power`];
  for (const info of s.modemInfo) {
    const e = entryOf(s, info.name);
    const emu = s.emulator?.modems.find((m) => m.name === info.name);
    const rate = s.rates[info.name];
    const state = e?.state ?? (emu ? (emu.up ? 'link up' : 'link down') : '?');
    const path = e?.path?.short;
    const rtt = path ? `${f1(path.rttMs, 'ms')} ${f1(path.lossPct, '%')}` : '-';
    const cap = e?.capacity ? `${mbit(e.capacity.downKbps)}/${mbit(e.capacity.upKbps)}` : `${info.rateMbit}/${info.rateMbit}`;
    const load = `${mbit(rate?.rxKbps ?? null)}/${mbit(rate?.txKbps ?? null)} of ${cap}`;
    const price = e?.price.perGb !== undefined ? (e.price.perGb === null ? 'stop' : e.price.perGb.toFixed(2)) : info.pricePerGb.toFixed(2);
    const quota = e?.price.usedShare !== null && e?.price.usedShare !== undefined ? `${(e.price.usedShare * 100).toFixed(0)}%` : '-';
    rows.push(
      `${info.name.padEnd(8)} ${state.padEnd(9)} ${signal(e, emu).padEnd(24)} ${rtt.padEnd(14)} ${load.padEnd(27)} ${price.padEnd(9)} ${quota.padEnd(7)} ${e?.powerState ?? '-'}`,
    );
  }
  return rows;
}

function groupRows(s: ViewSnapshot): string[] {
  const groups = s.daemon.flows?.groups ?? [];
  if (groups.length === 0) return ['  (no flow groups from the daemon)'];
  return groups
    .slice(0, 8)
    .map((g) => `  ${(g.host ?? '-').padEnd(14)} ${g.className.padEnd(15)} ${g.qos} ${mbit(g.downKbps).padStart(5)} Mbit/s down  -> ${g.modem ?? 'main table'}${g.pinnedByNat ? ' (pinned)' : ''}`);
}

function trafficLine(t: TrafficTick | null): string {
  if (!t) return 'traffic: starting';
  const c = t.call;
  return (
    `call via ${c.uplink || '-'} rtt ${f1(c.rttMs, ' ms')} jitter ${f1(c.jitterMs, ' ms')} loss ${c.lossPct.toFixed(1)} % | ` +
    `video via ${t.video.uplink || '-'} ${mbit(t.video.kbps)} Mbit/s | bulk via ${t.bulk.uplink || '-'} ${mbit(t.bulk.kbps)} Mbit/s | web ${t.web.ok} ok ${t.web.failed} failed (last via ${t.web.lastUplink || '-'})`
  );
}

function powerLine(s: ViewSnapshot): string {
  const st = s.daemon.status;
  const a = s.daemon.assignment;
  const cost = st ? `${st.cost.perHour.toFixed(3)}/h` : '-';
  const limit = st?.power.limitW ?? a?.powerLimitW ?? null;
  const modelled = st?.power.modelledW ?? s.emulator?.modelledW ?? null;
  const battery = st?.power.batteryPct ?? s.emulator?.batteryPct ?? null;
  return `cost ${cost}   power ${f1(modelled, ' W')} of limit ${limit === null ? 'none' : f1(limit, ' W')}   battery ${f1(battery, ' %')}`;
}

export function decisionLine(d: DecisionEntry): string {
  const where = d.from ? `${d.from} -> ${d.modem ?? '-'}` : d.modem ?? '';
  return `${clock(d.atMs)} ${d.kind.padEnd(10)} ${(d.group ?? '').padEnd(18)} ${where.padEnd(16)} ${d.reason.replace(/\s*\n\s*/g, ' ')}`;
}

/** The terminal frame. */
export function frame(s: ViewSnapshot): string[] {
  const d = s.daemon;
  const head = d.status
    ? `daemon up ${d.status.uptimeS.toFixed(0)} s, ${d.status.counters.solvesFull} full solves, ${d.status.counters.redirections} redirections`
    : `daemon: ${d.error ?? 'not answering'}`;
  const lines = [`modemflow demo  ${s.elapsedS.toFixed(0)}/${s.totalS} s   ${head}   (Ctrl-C stops and cleans up)`, ''];
  lines.push(...modemRows(s), '', 'groups and where their new connections go:', ...groupRows(s), '', powerLine(s), trafficLine(s.traffic), '');
  lines.push('script:', ...(s.said.length ? s.said.slice(-4).map((x) => `  ${x}`) : ['  (quiet start)']), '');
  lines.push('last decisions:', ...(d.assignment?.decisions.slice(-6).map((x) => `  ${decisionLine(x)}`) ?? ['  -']));
  for (const w of d.status?.warnings ?? []) lines.push(`warning: ${w}`);
  return lines;
}

/** One plain line per second for a pipe. */
export function plainLine(s: ViewSnapshot): string {
  const modems = s.modemInfo
    .map((info) => {
      const e = entryOf(s, info.name);
      const emu = s.emulator?.modems.find((m) => m.name === info.name);
      const r = s.rates[info.name];
      return `${info.name}:${e?.state ?? (emu?.up ? 'up' : 'down')} ${mbit(r?.rxKbps)}/${mbit(r?.txKbps)}M`;
    })
    .join(' ');
  const t = s.traffic;
  const flows = t ? `call@${t.call.uplink} ${f1(t.call.rttMs, 'ms')} ${t.call.lossPct.toFixed(1)}% video@${t.video.uplink} bulk@${t.bulk.uplink} web@${t.web.lastUplink}` : 'traffic starting';
  return `[${s.elapsedS.toFixed(0).padStart(3)} s] ${modems} | ${flows} | ${powerLine(s)}`;
}
