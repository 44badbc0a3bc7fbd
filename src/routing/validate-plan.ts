import type { ClassRule } from '../model/config.js';
import type { Result } from '../model/errors.js';
import { MAX_CLASSES, MAX_MODEM_SLOTS } from '../model/mark-layout.js';
import { isDomainName, isInterfaceName, parseAddress, parseMac, parsePrefix } from './addr.js';
import type { Family, ParsedAddress } from './addr.js';
import type { ConnectionPin, PlacementTarget, RoutedModem, RoutingPlan } from './plan.js';

/**
 * A RoutingPlan whose every name and address has been checked and put in
 * canonical form. The builders take only this, so nothing unchecked reaches
 * a command.
 */
export interface ValidPlan {
  /** Sorted by slot. */
  modems: ValidModem[];
  classes: ClassRule[];
  lanInterfaces: string[];
  /** Canonical CIDRs never steered, per family (LAN + extra exemptions). */
  exempt4: string[];
  exempt6: string[];
  placements: ValidPlacement[];
  defaultTarget: PlacementTarget | null;
  pins: ValidPin[];
}

/** A modem as validated: addresses canonical; the netifd name is only for logs and stays out. */
export type ValidModem = Omit<RoutedModem, 'interface'>;

export interface ValidPlacement {
  host: { family: Family; text: string } | null;
  classIndex: number;
  target: PlacementTarget;
}

export interface ValidPin {
  family: Family;
  /** nft concatenation key: saddr . proto . daddr . sport . dport */
  key: string;
  slot: number;
}

const PIN_PROTOS = new Set(['tcp', 'udp', 'sctp', 'udplite']);
const PORT_PROTOS = new Set(['tcp', 'udp', 'sctp']);

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 65535;
}

function checkTarget(where: string, t: PlacementTarget, slots: Set<number>, errors: string[]): void {
  if (t.kind === 'slot') {
    if (!slots.has(t.slot)) errors.push(`${where}: slot ${t.slot} is not a modem of the plan`);
    return;
  }
  if (t.shares.length === 0) errors.push(`${where}: a share needs at least one slot`);
  const seen = new Set<number>();
  for (const s of t.shares) {
    if (!slots.has(s.slot)) errors.push(`${where}: share slot ${s.slot} is not a modem of the plan`);
    if (seen.has(s.slot)) errors.push(`${where}: slot ${s.slot} appears twice in one share`);
    seen.add(s.slot);
    if (!(Number.isFinite(s.weight) && s.weight >= 0)) errors.push(`${where}: share weight of slot ${s.slot} must be a finite number >= 0, got ${s.weight}`);
  }
}

export function validateClassRule(where: string, r: ClassRule, errors: string[]): void {
  for (const d of r.dscp) if (!(Number.isInteger(d) && d >= 0 && d <= 63)) errors.push(`${where}: dscp ${d} is not 0-63`);
  for (const p of [...r.destPorts, ...r.srcPorts]) {
    if (!isPort(p.from) || !isPort(p.to) || p.from > p.to) errors.push(`${where}: port range ${p.from}-${p.to} is not within 0-65535 in order`);
  }
  if ((r.destPorts.length || r.srcPorts.length) && r.proto !== null && !PORT_PROTOS.has(r.proto)) {
    errors.push(`${where}: ports need proto tcp, udp or sctp, not ${r.proto}`);
  }
  for (const ip of [...r.srcIps, ...r.destIps]) if (!parsePrefix(ip)) errors.push(`${where}: '${ip}' is not an IP address or CIDR`);
  for (const m of r.srcMacs) if (!parseMac(m)) errors.push(`${where}: '${m}' is not a MAC address`);
  for (const d of r.domains) if (!isDomainName(d)) errors.push(`${where}: '${d}' is not a domain name`);
}

export function validatePlan(plan: RoutingPlan): Result<ValidPlan> {
  const errors: string[] = [];
  const modems: ValidModem[] = [];
  const slots = new Set<number>();
  for (const [i, m] of plan.modems.entries()) {
    const where = `modems[${i}] '${m.name}'`;
    if (!(Number.isInteger(m.slot) && m.slot >= 1 && m.slot <= MAX_MODEM_SLOTS)) errors.push(`${where}: slot must be 1..${MAX_MODEM_SLOTS}, got ${m.slot}`);
    else if (slots.has(m.slot)) errors.push(`${where}: slot ${m.slot} is used twice`);
    slots.add(m.slot);
    if (m.device !== null && !isInterfaceName(m.device)) errors.push(`${where}: device '${m.device}' is not an interface name`);
    const addr = (a: string | null, fam: Family, what: string): string | null => {
      if (a === null) return null;
      const p = parseAddress(a);
      if (!p || p.family !== fam) {
        errors.push(`${where}: ${what} '${a}' is not an IPv${fam} address`);
        return null;
      }
      return p.text;
    };
    const list = (xs: string[], fam: Family, what: string): string[] => xs.map((x) => addr(x, fam, what)).filter((x): x is string => x !== null);
    modems.push({
      name: m.name,
      slot: m.slot,
      device: m.device,
      gatewayV4: addr(m.gatewayV4, 4, 'gatewayV4'),
      gatewayV6: addr(m.gatewayV6, 6, 'gatewayV6'),
      addressesV4: list(m.addressesV4, 4, 'address'),
      addressesV6: list(m.addressesV6, 6, 'address'),
      up: m.up === true,
      usable: m.usable === true,
    });
  }
  modems.sort((a, b) => a.slot - b.slot);
  const devices = new Map<string, string>();
  for (const m of modems) {
    if (!m.up || m.device === null) continue;
    const other = devices.get(m.device);
    if (other !== undefined) errors.push(`modems '${other}' and '${m.name}' are both up on device ${m.device}`);
    devices.set(m.device, m.name);
  }

  if (plan.classes.length > MAX_CLASSES) errors.push(`classes: at most ${MAX_CLASSES} classes fit the mark, got ${plan.classes.length}`);
  plan.classes.forEach((r, i) => validateClassRule(`classes[${i}] '${r.name}'`, r, errors));

  for (const ifname of plan.lan.interfaces) if (!isInterfaceName(ifname)) errors.push(`lan.interfaces: '${ifname}' is not an interface name`);
  if (plan.lan.interfaces.length === 0) errors.push('lan.interfaces: at least one LAN interface is needed');
  const exempt4: string[] = [];
  const exempt6: string[] = [];
  for (const [what, list] of [['lan.prefixes', plan.lan.prefixes], ['exemptDestinations', plan.exemptDestinations]] as const) {
    for (const c of list) {
      const p = parsePrefix(c);
      if (!p) errors.push(`${what}: '${c}' is not a CIDR`);
      else (p.family === 4 ? exempt4 : exempt6).push(p.text);
    }
  }

  const placements: ValidPlacement[] = [];
  const seenPlacement = new Set<string>();
  for (const [i, p] of plan.placements.entries()) {
    const where = `placements[${i}]`;
    if (!(Number.isInteger(p.classIndex) && p.classIndex >= 1 && p.classIndex <= plan.classes.length)) {
      errors.push(`${where}: classIndex must be 1..${plan.classes.length}, got ${p.classIndex}`);
    }
    let host: ValidPlacement['host'] = null;
    if (p.host !== null) {
      const a = parseAddress(p.host);
      if (!a) errors.push(`${where}: host '${p.host}' is not an IP address`);
      else host = { family: a.family, text: a.text };
    }
    const key = `${p.classIndex}/${host?.text ?? '*'}`;
    if (seenPlacement.has(key)) errors.push(`${where}: class ${p.classIndex} host ${host?.text ?? '(all)'} is placed twice`);
    seenPlacement.add(key);
    checkTarget(where, p.target, slots, errors);
    placements.push({ host, classIndex: p.classIndex, target: p.target });
  }
  if (plan.defaultTarget) checkTarget('defaultTarget', plan.defaultTarget, slots, errors);

  const pins = checkPins(plan.pins, slots, errors);

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      modems,
      classes: plan.classes,
      lanInterfaces: [...new Set(plan.lan.interfaces)],
      exempt4,
      exempt6,
      placements,
      defaultTarget: plan.defaultTarget,
      pins,
    },
  };
}

/** Pins checked and keyed for nft; problems go to `errors`. */
export function checkPins(list: ConnectionPin[], slots: Set<number>, errors: string[]): ValidPin[] {
  const pins: ValidPin[] = [];
  const pinSlot = new Map<string, number>();
  // Thousands of pins share a few hundred addresses: parse each once.
  const memo = new Map<string, ParsedAddress | null>();
  const parse = (a: string): ParsedAddress | null => {
    let p = memo.get(a);
    if (p === undefined) memo.set(a, (p = parseAddress(a)));
    return p;
  };
  for (const [i, pin] of list.entries()) {
    const where = `pins[${i}]`;
    const t = pin.tuple;
    const src = parse(t.src);
    const dst = parse(t.dst);
    if (!PIN_PROTOS.has(t.proto)) errors.push(`${where}: proto must be tcp, udp, sctp or udplite, got '${t.proto}'`);
    if (!src || !dst || src.family !== t.family || dst.family !== t.family) errors.push(`${where}: src/dst must be IPv${t.family} addresses`);
    if (t.sport === null || t.dport === null || !isPort(t.sport) || !isPort(t.dport)) errors.push(`${where}: ports must be 0-65535`);
    if (!slots.has(pin.slot)) errors.push(`${where}: slot ${pin.slot} is not a modem of the plan`);
    if (!src || !dst || !PIN_PROTOS.has(t.proto) || t.sport === null || t.dport === null) continue;
    const key = `${src.text} . ${t.proto} . ${dst.text} . ${t.sport} . ${t.dport}`;
    const prev = pinSlot.get(key);
    if (prev !== undefined) {
      if (prev !== pin.slot) errors.push(`${where}: connection ${key} is pinned to slots ${prev} and ${pin.slot}`);
      continue;
    }
    pinSlot.set(key, pin.slot);
    pins.push({ family: t.family, key, slot: pin.slot });
  }

  return pins;
}
