import type { MarkLayout } from '../model/mark-layout.js';
import { SLOT_BITS } from '../model/mark-layout.js';
import { collapsePrefixes } from './addr.js';
import type { Family } from './addr.js';
import { leakyBucketPattern } from './leaky-bucket.js';
import { classMatches, domainSetName, nftSet } from './nft-classes.js';
import type { PlacementTarget } from './plan.js';
import type { ValidModem, ValidPlan } from './validate-plan.js';

/**
 * The whole `inet <table>` ruleset built from a validated plan. Packet path
 * (prerouting, mangle priority):
 *   1. LAN, original direction -> chain lan_out: a pinned connection goes to
 *      its slot; a connection already on a usable modem keeps it; LAN,
 *      link-local, multicast and the router itself are exempt; a connection
 *      on a modem that is no longer usable is re-placed (chain dead); an
 *      unplaced connection that is not new is left alone (never move an
 *      established NATed connection); a new one is classified (chain
 *      classify, class index into the ct mark) and placed (place_cN: by
 *      host, by class, by default; shares via numgen over an OMMA pattern).
 *   2. anything else with a modem slot in its ct mark: restore the slot into
 *      the packet mark (replies to WAN-initiated connections leave by the
 *      modem they came in on);
 *   3. a connection initiated from a modem gets that modem's slot.
 * The packet mark is set from the ct mark through a verdict map with one
 * chain per slot value (restore_N, set_N), because setting `meta mark` from
 * `ct mark` under a mask in one expression fails on older kernels.
 */

export interface NftBuild {
  tableName: string;
  /** Slots with a device and a route: restore/set chains exist for them. */
  routedSlots: number[];
  /** Slots new traffic may go to. */
  usableSlots: number[];
  /** Table text without pin elements (what decides full rebuild vs pin update). */
  skeleton: string;
  /** Live pins: nft key -> slot. */
  pins4: Map<string, number>;
  pins6: Map<string, number>;
  /** Pins whose slot is not usable, left out. */
  droppedPins: number;
  domainSets: string[];
}

const T = '\t';

function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

function isRouted(m: ValidModem): boolean {
  if (!m.up || m.device === null) return false;
  return m.addressesV4.length > 0 || m.gatewayV4 !== null || m.addressesV6.length > 0 || m.gatewayV6 !== null;
}

interface Ctx {
  layout: MarkLayout;
  usable: Set<number>;
  shareChains: Map<string, { name: string; pattern: number[] }>;
}

/** A target reduced to usable slots: a slot, a pattern, or null (nothing usable). */
function liveTarget(t: PlacementTarget | null, usable: Set<number>): number | number[] | null {
  if (!t) return null;
  if (t.kind === 'slot') return usable.has(t.slot) ? t.slot : null;
  const pattern = leakyBucketPattern(t.shares.filter((s) => usable.has(s.slot)));
  if (pattern.length === 0) return null;
  return new Set(pattern).size === 1 ? pattern[0]! : pattern;
}

/** `goto set_N`, `goto share_K` or null. */
function verdictFor(live: number | number[] | null, ctx: Ctx): string | null {
  if (live === null) return null;
  if (typeof live === 'number') return `goto set_${live}`;
  const key = live.join(',');
  let chain = ctx.shareChains.get(key);
  if (!chain) {
    chain = { name: `share_${ctx.shareChains.size + 1}`, pattern: live };
    ctx.shareChains.set(key, chain);
  }
  return `goto ${chain.name}`;
}

function setBlock(kind: 'set' | 'map', name: string, header: string[], elements: string[]): string[] {
  const lines = [`${T}${kind} ${name} {`, ...header.map((h) => `${T}${T}${h}`)];
  if (elements.length) lines.push(`${T}${T}elements = { ${elements.join(', ')} }`);
  lines.push(`${T}}`);
  return lines;
}

function chainBlock(name: string, body: string[]): string[] {
  return [`${T}chain ${name} {`, ...body.map((b) => `${T}${T}${b}`), `${T}}`];
}

const PIN_TYPE: Record<Family, string> = {
  4: 'type ipv4_addr . inet_proto . ipv4_addr . inet_service . inet_service : verdict',
  6: 'type ipv6_addr . inet_proto . ipv6_addr . inet_service . inet_service : verdict',
};

const BUILTIN_EXEMPT: Record<Family, string[]> = {
  4: ['127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32'],
  6: ['::1/128', 'fe80::/10', 'ff00::/8'],
};

export function pinElement(key: string, slot: number): string {
  return `${key} : goto set_${slot}`;
}

/**
 * Builds the table. `withPins` false leaves pin elements out (the skeleton);
 * `carry` gives elements to keep in sets that others fill (dnsmasq's domain
 * sets), by set name.
 */
export function buildNft(plan: ValidPlan, layout: MarkLayout, tableName: string): NftBuild {
  const routed = plan.modems.filter(isRouted);
  const usable = new Set(routed.filter((m) => m.usable).map((m) => m.slot));
  const ctx: Ctx = { layout, usable, shareChains: new Map() };
  const slotMark = (s: number): string => hex8(s << layout.shift);
  const notSlot = hex8(~layout.slotMask);
  const notClass = hex8(~layout.classMask);
  const slotKey = `ct mark and ${hex8(layout.slotMask)}`;

  const decl: string[] = [];
  const chains: string[] = [];

  decl.push(...setBlock('set', 'exempt4', ['type ipv4_addr; flags interval'], collapsePrefixes([...BUILTIN_EXEMPT[4], ...plan.exempt4])));
  decl.push(...setBlock('set', 'exempt6', ['type ipv6_addr; flags interval'], collapsePrefixes([...BUILTIN_EXEMPT[6], ...plan.exempt6])));
  const domainSets: string[] = [];
  plan.classes.forEach((r, i) => {
    if (r.domains.length === 0) return;
    for (const f of [4, 6] as const) {
      const name = domainSetName(i + 1, f);
      domainSets.push(name);
      decl.push(...setBlock('set', name, [f === 4 ? 'type ipv4_addr' : 'type ipv6_addr'], []));
    }
  });
  decl.push(...setBlock('map', 'pins4', [PIN_TYPE[4]], []));
  decl.push(...setBlock('map', 'pins6', [PIN_TYPE[6]], []));

  // Per-slot chains: restore (packet mark only) and set (ct mark + packet mark).
  for (const m of routed) {
    const v = slotMark(m.slot);
    chains.push(...chainBlock(`restore_${m.slot}`, [`meta mark set meta mark and ${notSlot} or ${v}`]));
    chains.push(...chainBlock(`set_${m.slot}`, [`ct mark set ct mark and ${notSlot} or ${v}`, `meta mark set meta mark and ${notSlot} or ${v}`]));
  }

  // Placement per class: host maps, then the class-wide target, then the default.
  const defaultVerdict = verdictFor(liveTarget(plan.defaultTarget, usable), ctx) ?? firstUsable(usable, plan.defaultTarget);
  const placeChains: string[] = [];
  const hostMaps: string[] = [];
  for (let c = 1; c <= plan.classes.length; c++) {
    const mine = plan.placements.filter((p) => p.classIndex === c);
    const body: string[] = [];
    for (const f of [4, 6] as const) {
      const elems: string[] = [];
      for (const p of mine) {
        if (!p.host || p.host.family !== f) continue;
        const v = verdictFor(liveTarget(p.target, usable), ctx) ?? defaultVerdict;
        elems.push(`${p.host.text} : ${v}`);
      }
      if (elems.length === 0) continue;
      const name = `hosts_c${c}_${f}`;
      hostMaps.push(...setBlock('map', name, [f === 4 ? 'type ipv4_addr : verdict' : 'type ipv6_addr : verdict'], elems));
      body.push(`${f === 4 ? 'ip' : 'ip6'} saddr vmap @${name}`);
    }
    const classWide = mine.find((p) => p.host === null);
    body.push((classWide ? verdictFor(liveTarget(classWide.target, usable), ctx) : null) ?? defaultVerdict);
    placeChains.push(...chainBlock(`place_c${c}`, body));
  }
  decl.push(...hostMaps);

  const shareChains: string[] = [];
  for (const { name, pattern } of ctx.shareChains.values()) {
    const entries = pattern.map((s, k) => `${k} : goto set_${s}`).join(', ');
    shareChains.push(...chainBlock(name, [`numgen inc mod ${pattern.length} vmap { ${entries} }`]));
  }
  chains.push(...shareChains, ...placeChains);

  const classify: string[] = [];
  plan.classes.forEach((r, i) => {
    const c = i + 1;
    const action = `ct mark set ct mark and ${notClass} or ${hex8(c << (layout.shift + SLOT_BITS))} goto place_c${c}`;
    for (const m of classMatches(r, c)) classify.push(m ? `${m} ${action}` : action);
  });
  classify.push(defaultVerdict);
  chains.push(...chainBlock('classify', classify));

  const dead = [`ct mark set ct mark and ${notSlot}`];
  if (plan.classes.length) {
    const entries = plan.classes.map((_, i) => `${hex8((i + 1) << (layout.shift + SLOT_BITS))} : goto place_c${i + 1}`);
    dead.push(`ct mark and ${hex8(layout.classMask)} vmap { ${entries.join(', ')} }`);
  }
  dead.push('goto classify');
  chains.push(...chainBlock('dead', dead));

  const restoreMap = (slots: number[]): string | null =>
    slots.length ? `${slotKey} vmap { ${slots.map((s) => `${slotMark(s)} : goto restore_${s}`).join(', ')} }` : null;
  const lan = nftSet(plan.lanInterfaces.map((i) => `"${i}"`));
  const lanOut = [
    'ip saddr . meta l4proto . ip daddr . th sport . th dport vmap @pins4',
    'ip6 saddr . meta l4proto . ip6 daddr . th sport . th dport vmap @pins6',
    restoreMap([...usable].sort((a, b) => a - b)),
    'fib daddr type { local, broadcast, anycast, multicast } return',
    'ip daddr @exempt4 return',
    'ip6 daddr @exempt6 return',
    `${slotKey} != ${hex8(0)} goto dead`,
    'ct state != new return',
    'goto classify',
  ].filter((l): l is string => l !== null);
  chains.push(...chainBlock('lan_out', lanOut));

  const routedSlots = routed.map((m) => m.slot);
  const pre = ['type filter hook prerouting priority mangle; policy accept;', `iifname ${lan} ct direction original jump lan_out`];
  const restoreAll = restoreMap(routedSlots);
  if (restoreAll) pre.push(restoreAll);
  if (routed.length) {
    const devs = routed.map((m) => `"${m.device}" : goto set_${m.slot}`).join(', ');
    pre.push(`ct direction original iifname vmap { ${devs} }`);
  }
  chains.push(...chainBlock('prerouting', pre));
  const out = ['type route hook output priority mangle; policy accept;'];
  if (restoreAll) out.push(restoreAll);
  chains.push(...chainBlock('output', out));

  const pins4 = new Map<string, number>();
  const pins6 = new Map<string, number>();
  let droppedPins = 0;
  for (const p of plan.pins) {
    if (!usable.has(p.slot)) droppedPins++;
    else (p.family === 4 ? pins4 : pins6).set(p.key, p.slot);
  }

  const skeleton = [`table inet ${tableName} {`, ...decl, ...chains, '}', ''].join('\n');
  return { tableName, routedSlots, usableSlots: [...usable].sort((a, b) => a - b), skeleton, pins4, pins6, droppedPins, domainSets };
}

/** When the default target is gone too: the first usable modem, or the main table. */
function firstUsable(usable: Set<number>, wanted: PlacementTarget | null): string {
  if (wanted === null || usable.size === 0) return 'return';
  return `goto set_${Math.min(...usable)}`;
}

/**
 * The `nft -f -` input that replaces the table atomically: create-if-absent,
 * delete, recreate, all in one transaction, so it works whether or not the
 * table exists and leaves no moment without rules. Pins and carried set
 * elements go in as `add element` commands of the same transaction.
 */
export function renderFullTable(b: NftBuild, carry: Map<string, string[]> = new Map()): string {
  const out = [`table inet ${b.tableName} {}`, `delete table inet ${b.tableName}`, b.skeleton];
  for (const [name, pins] of [['pins4', b.pins4], ['pins6', b.pins6]] as const) {
    if (pins.size === 0) continue;
    out.push(`add element inet ${b.tableName} ${name} { ${[...pins].map(([k, s]) => pinElement(k, s)).join(', ')} }`, '');
  }
  for (const [name, elems] of carry) {
    if (elems.length && b.domainSets.includes(name)) out.push(`add element inet ${b.tableName} ${name} { ${elems.join(', ')} }`, '');
  }
  return out.join('\n');
}

/** The small transaction that turns the installed pins into the wanted ones; null when nothing changes. */
export interface PinMaps {
  pins4: Map<string, number>;
  pins6: Map<string, number>;
}

export function renderPinUpdate(tableName: string, installed: PinMaps, wanted: PinMaps): string | null {
  const ops: PinOps = { pins4: { del: [], add: [] }, pins6: { del: [], add: [] } };
  for (const name of ['pins4', 'pins6'] as const) {
    for (const [k, s] of installed[name]) if (wanted[name].get(k) !== s) ops[name].del.push(k);
    for (const [k, s] of wanted[name]) if (installed[name].get(k) !== s) ops[name].add.push([k, s]);
  }
  return renderPinOps(tableName, ops);
}

/** Element deletions (keys) and additions (key, slot) per pin map. */
export type PinOps = Record<'pins4' | 'pins6', { del: string[]; add: Array<[string, number]> }>;

/** Deletions before additions, so a moved pin is deleted and re-added in the same transaction. */
export function renderPinOps(tableName: string, ops: PinOps): string | null {
  const lines: string[] = [];
  for (const name of ['pins4', 'pins6'] as const) {
    const { del, add } = ops[name];
    if (del.length) lines.push(`delete element inet ${tableName} ${name} { ${del.join(', ')} }`);
    if (add.length) lines.push(`add element inet ${tableName} ${name} { ${add.map(([k, s]) => pinElement(k, s)).join(', ')} }`);
  }
  return lines.length ? lines.join('\n') + '\n' : null;
}

/** Removes the table whether or not it exists. */
export function renderDeleteTable(tableName: string): string {
  return `table inet ${tableName} {}\ndelete table inet ${tableName}\n`;
}
