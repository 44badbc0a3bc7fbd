import type { ClassRule, PortRange } from '../model/config.js';
import type { QosClass } from '../model/qos.js';
import type { ConnectionTuple } from '../model/flow-group.js';
import type { MarkLayout } from '../model/mark-layout.js';
import { decodeMark } from '../model/mark-layout.js';
import { classList } from '../model/default-classes.js';
import type { IpPrefix } from '../model/ip-address.js';
import { canonicalIp, parseIp, parsePrefix, prefixContains } from '../model/ip-address.js';
import type { NeighbourTable } from './neighbours.js';

/**
 * Userspace classification with the kernel's semantics: the class list is the
 * user's `class` sections, then DEFAULT_CLASS_RULES, then FALLBACK_CLASS; the
 * first rule whose given matchers all hold wins; the class index stored in the
 * conntrack mark is the position in that list + 1.
 *
 * What userspace cannot see: DSCP is a per-packet field that conntrack does not
 * keep. When the mark carries a class index the kernel's answer wins (it saw
 * the first packet's DSCP); otherwise a rule that lists DSCP values cannot be
 * confirmed and does not match here.
 */

export { classList };

// Ports without a protocol: the kernel rules match `meta l4proto { tcp, udp, sctp } th dport` (src/routing/nft-classes.ts).
const PORTED = new Set(['tcp', 'udp', 'sctp']);

/** aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, any case -> lower case with colons; null when not a MAC. */
export function normalizeMac(text: string): string | null {
  const m = /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i.exec(text.trim());
  return m ? [m[1], m[3], m[4], m[5], m[6], m[7]].join(':').toLowerCase() : null;
}

interface CompiledRule {
  rule: ClassRule;
  /** 1-based position in the class list (what the ct mark stores). */
  index: number;
  srcPrefixes: IpPrefix[];
  destPrefixes: IpPrefix[];
  srcMacs: Set<string>;
  domains: string[];
  /** Why the rule can never match in userspace, or null. */
  unmatchable: string | null;
}

export interface CompiledClasses {
  rules: CompiledRule[];
  /** Bad values found in the rules (rule name and what was wrong). */
  problems: string[];
}

export function normalizeDomain(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Pre-parses prefixes, MACs and domains once; a rule with a bad value never matches (and is reported). */
export function compileClasses(userRules: readonly ClassRule[]): CompiledClasses {
  const problems: string[] = [];
  const rules = classList(userRules).map((rule, pos): CompiledRule => {
    const bad: string[] = [];
    const prefixes = (list: string[], what: string): IpPrefix[] =>
      list.flatMap((text) => {
        const p = parsePrefix(text);
        if (!p) bad.push(`${what} '${text}' is not an IPv4/IPv6 address or CIDR`);
        return p ? [p] : [];
      });
    const srcPrefixes = prefixes(rule.srcIps, 'src_ip');
    const destPrefixes = prefixes(rule.destIps, 'dest_ip');
    const srcMacs = new Set<string>();
    for (const m of rule.srcMacs) {
      const mac = normalizeMac(m);
      if (mac) srcMacs.add(mac);
      else bad.push(`src_mac '${m}' is not a MAC address (aa:bb:cc:dd:ee:ff)`);
    }
    for (const r of [...rule.destPorts, ...rule.srcPorts]) {
      if (!Number.isInteger(r.from) || !Number.isInteger(r.to) || r.from < 0 || r.to > 65535 || r.from > r.to) bad.push(`port range ${r.from}-${r.to} is not within 0-65535`);
    }
    for (const b of bad) problems.push(`class '${rule.name}': ${b}`);
    let unmatchable: string | null = bad.length > 0 ? 'bad values' : null;
    if (unmatchable === null && rule.dscp.length > 0) unmatchable = 'dscp is not visible in conntrack';
    return { rule, index: pos + 1, srcPrefixes, destPrefixes, srcMacs, domains: rule.domains.map(normalizeDomain), unmatchable };
  });
  return { rules, problems };
}

/** What the classifier needs to know of one connection (original direction, from the LAN). */
export type ConnectionFacts = ConnectionTuple & { mark: number };

export interface ClassifyContext {
  /** Null when the mark layout is unusable: marks are then ignored. */
  layout: MarkLayout | null;
  /** IP -> MAC from the neighbour table, for src_mac rules. */
  neighbours: NeighbourTable;
  /** Domain (lower case, no trailing dot) -> resolved addresses, for domain rules. */
  domainAddresses: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface Classification {
  rule: ClassRule;
  className: string;
  qos: QosClass;
  /** 1-based position in the class list. */
  index: number;
  /** 'mark': the kernel's answer read from the ct mark; 'rules': matched here. */
  source: 'mark' | 'rules';
}

function inRanges(ranges: PortRange[], port: number | null): boolean {
  return port !== null && ranges.some((r) => port >= r.from && port <= r.to);
}

/** True when every matcher the rule gives holds for the connection. */
export function ruleMatches(c: CompiledRule, f: ConnectionFacts, ctx: ClassifyContext): boolean {
  const r = c.rule;
  if (c.unmatchable !== null) return false;
  if (r.proto !== null && r.proto !== f.proto) return false;
  if ((r.destPorts.length > 0 || r.srcPorts.length > 0) && !PORTED.has(f.proto)) return false;
  if (r.destPorts.length > 0 && !inRanges(r.destPorts, f.dport)) return false;
  if (r.srcPorts.length > 0 && !inRanges(r.srcPorts, f.sport)) return false;
  if (c.srcPrefixes.length > 0 || c.destPrefixes.length > 0) {
    const src = parseIp(f.src);
    const dst = parseIp(f.dst);
    if (c.srcPrefixes.length > 0 && !(src && c.srcPrefixes.some((p) => prefixContains(p, src)))) return false;
    if (c.destPrefixes.length > 0 && !(dst && c.destPrefixes.some((p) => prefixContains(p, dst)))) return false;
  }
  if (c.srcMacs.size > 0) {
    const src = canonicalIp(f.src);
    const mac = src === null ? undefined : ctx.neighbours.get(src);
    if (mac === undefined || !c.srcMacs.has(mac)) return false;
  }
  if (c.domains.length > 0) {
    const dst = canonicalIp(f.dst);
    if (dst === null || !c.domains.some((d) => ctx.domainAddresses.get(d)?.has(dst) === true)) return false;
  }
  return true;
}

/** The class of a connection: the ct mark's class index when it holds one, else the first matching rule. */
export function classify(classes: CompiledClasses, f: ConnectionFacts, ctx: ClassifyContext): Classification {
  if (ctx.layout) {
    const { classIndex } = decodeMark(ctx.layout, f.mark);
    const c = classIndex > 0 ? classes.rules[classIndex - 1] : undefined;
    if (c) return { rule: c.rule, className: c.rule.name, qos: c.rule.qos, index: c.index, source: 'mark' };
  }
  for (const c of classes.rules) {
    if (ruleMatches(c, f, ctx)) return { rule: c.rule, className: c.rule.name, qos: c.rule.qos, index: c.index, source: 'rules' };
  }
  // The fallback has no matchers, so the loop always returns; this keeps the type total.
  const last = classes.rules[classes.rules.length - 1]!;
  return { rule: last.rule, className: last.rule.name, qos: last.rule.qos, index: last.index, source: 'rules' };
}
