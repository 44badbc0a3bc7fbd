import type { MarkLayout } from '../model/mark-layout.js';
import { MAX_MODEM_SLOTS } from '../model/mark-layout.js';
import { parseAddress } from './addr.js';
import type { Family } from './addr.js';
import { PRIORITIES_PER_SLOT } from './plan.js';
import type { RoutingSettings } from './plan.js';
import type { ValidModem, ValidPlan } from './validate-plan.js';

/**
 * Policy routing state (ip rules + per-modem tables) as sets of canonical
 * lines, one set per family. The same canonical text comes from the plan
 * (wanted) and from `ip -j` output (present), so reconciling is a set
 * difference: delete what is present and not wanted, add what is wanted and
 * not present. Ours = rules in our priority range, routes in our table range.
 *
 * Per slot s (table T = tableBase + s, priorities P = base + 2(s-1)):
 *   P    fwmark S/slotMask lookup main suppress_prefixlength 0
 *   P    from <own address> lookup main suppress_prefixlength 0
 *   P+1  fwmark S/slotMask lookup T
 *   P+1  from <own address> lookup T
 * The suppress rules let every non-default route of the main table (LAN,
 * connected nets, VPNs) win over the modem's default route, the way mwan3's
 * nftables variants do it, so replies to LAN hosts never leave by a modem.
 */

export interface IpState {
  /** Canonical `ip rule` selectors, e.g. 'priority 1000 fwmark 0x10000/0xf0000 lookup main suppress_prefixlength 0'. */
  rules: Set<string>;
  /** Canonical routes, e.g. 'default via 100.64.1.1 dev wwan0 table 101'. */
  routes: Set<string>;
}

export interface IpRanges {
  priorityFrom: number;
  priorityTo: number;
  tableFrom: number;
  tableTo: number;
}

export function ipRanges(s: RoutingSettings): IpRanges {
  return {
    priorityFrom: s.rulePriorityBase,
    priorityTo: s.rulePriorityBase + PRIORITIES_PER_SLOT * MAX_MODEM_SLOTS - 1,
    tableFrom: s.tableBase + 1,
    tableTo: s.tableBase + MAX_MODEM_SLOTS,
  };
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

function modemRoute(m: ValidModem, family: Family, table: number): string | null {
  if (!m.up || m.device === null) return null;
  const addrs = family === 4 ? m.addressesV4 : m.addressesV6;
  const gw = family === 4 ? m.gatewayV4 : m.gatewayV6;
  if (addrs.length === 0 && gw === null) return null;
  return gw ? `default via ${gw} dev ${m.device} table ${table}` : `default dev ${m.device} table ${table}`;
}

/** The rules and routes the plan wants for one family. */
export function wantedIpState(plan: ValidPlan, settings: RoutingSettings, layout: MarkLayout, family: Family): IpState {
  const rules = new Set<string>();
  const routes = new Set<string>();
  for (const m of plan.modems) {
    const table = settings.tableBase + m.slot;
    const route = modemRoute(m, family, table);
    if (!route) continue;
    routes.add(route);
    const p = settings.rulePriorityBase + PRIORITIES_PER_SLOT * (m.slot - 1);
    const mark = `fwmark ${hex(m.slot << layout.shift)}/${hex(layout.slotMask)}`;
    const sources = (family === 4 ? m.addressesV4 : m.addressesV6).map((a) => `from ${a}`);
    for (const sel of [mark, ...sources]) rules.add(`priority ${p} ${sel} lookup main suppress_prefixlength 0`);
    for (const sel of [mark, ...sources]) rules.add(`priority ${p + 1} ${sel} lookup ${table}`);
  }
  return { rules, routes };
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

function parseJsonArray(text: string, what: string): Record<string, unknown>[] | string {
  try {
    const v: unknown = JSON.parse(text.trim() === '' ? '[]' : text);
    if (!Array.isArray(v)) return `${what}: expected a JSON array from ip -j`;
    return v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
  } catch (e) {
    return `${what}: ip -j output is not JSON (${(e as Error).message})`;
  }
}

/** Our rules from `ip -j rule list`; a rule we cannot express canonically is returned raw so it still gets deleted. */
export function parseRules(text: string, ranges: IpRanges): Set<string> | string {
  const rows = parseJsonArray(text, 'ip rule');
  if (typeof rows === 'string') return rows;
  const out = new Set<string>();
  for (const r of rows) {
    const prio = typeof r.priority === 'number' ? r.priority : NaN;
    if (!(prio >= ranges.priorityFrom && prio <= ranges.priorityTo)) continue;
    const parts = [`priority ${prio}`];
    if (r.not === null || r.not === true) parts.push('not');
    const src = str(r.src);
    if (src && src !== 'all') {
      const a = parseAddress(src);
      const full = a ? (a.family === 4 ? 32 : 128) : 0;
      const len = typeof r.srclen === 'number' ? r.srclen : full;
      parts.push(`from ${a ? a.text : src}${len !== full ? '/' + len : ''}`);
    }
    const dst = str(r.dst);
    if (dst && dst !== 'all') parts.push(`to ${dst}${typeof r.dstlen === 'number' ? '/' + r.dstlen : ''}`);
    const fwmark = str(r.fwmark);
    if (fwmark) parts.push(`fwmark ${hex(Number(fwmark))}${r.fwmask ? '/' + hex(Number(str(r.fwmask))) : ''}`);
    if (str(r.iif)) parts.push(`iif ${str(r.iif)}`);
    if (str(r.oif)) parts.push(`oif ${str(r.oif)}`);
    const table = str(r.table);
    if (table) parts.push(`lookup ${table}`);
    else if (str(r.action)) parts.push(str(r.action)!);
    if (typeof r.suppress_prefixlen === 'number') parts.push(`suppress_prefixlength ${r.suppress_prefixlen}`);
    out.add(parts.join(' '));
  }
  return out;
}

/** Our routes from `ip -j route show table all`. */
export function parseRoutes(text: string, ranges: IpRanges): Set<string> | string {
  const rows = parseJsonArray(text, 'ip route');
  if (typeof rows === 'string') return rows;
  const out = new Set<string>();
  for (const r of rows) {
    const table = Number(str(r.table));
    if (!(Number.isInteger(table) && table >= ranges.tableFrom && table <= ranges.tableTo)) continue;
    const parts: string[] = [];
    const type = str(r.type);
    if (type && type !== 'unicast') parts.push(type);
    parts.push(str(r.dst) ?? 'default');
    const gw = str(r.gateway);
    if (gw) parts.push(`via ${parseAddress(gw)?.text ?? gw}`);
    const dev = str(r.dev);
    if (dev) parts.push(`dev ${dev}`);
    parts.push(`table ${table}`);
    out.add(parts.join(' '));
  }
  return out;
}

/** `ip -batch` lines that turn `present` into `wanted`: deletions first, then additions. */
export function ipBatch(present: IpState, wanted: IpState): string[] {
  const lines: string[] = [];
  for (const r of present.rules) if (!wanted.rules.has(r)) lines.push(`rule del ${r}`);
  for (const r of present.routes) if (!wanted.routes.has(r)) lines.push(`route del ${r}`);
  // Routes before rules: a rule never points at an empty table.
  for (const r of [...wanted.routes].sort()) if (!present.routes.has(r)) lines.push(`route replace ${r} proto static`);
  // Priority order, and the suppress rule of a priority before its lookup rule.
  const missing = [...wanted.rules].filter((r) => !present.rules.has(r));
  missing.sort((a, b) => priorityOf(a) - priorityOf(b));
  for (const r of missing) lines.push(`rule add ${r}`);
  return lines;
}

function priorityOf(rule: string): number {
  return Number(/^priority (\d+)/.exec(rule)?.[1] ?? 0);
}

export function emptyIpState(): IpState {
  return { rules: new Set(), routes: new Set() };
}
