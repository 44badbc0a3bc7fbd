import type { ClassRule, L4Proto, PortRange } from '../model/config.js';
import { collapsePrefixes, parseMac, parsePrefix } from './addr.js';
import type { Family } from './addr.js';

/**
 * Class rules compiled to nft match expressions. All matchers of a rule must
 * hold (config.ts), so they are written side by side in one nft rule. A rule
 * with address or DSCP matchers needs family-specific expressions (`ip` vs
 * `ip6`), so it becomes one nft rule per family it can match; a rule with
 * none becomes one family-free rule. A rule without matchers (the fallback
 * class) compiles to the empty match: it takes everything left.
 */

const NFT_PROTO: Record<L4Proto, string> = {
  tcp: 'tcp',
  udp: 'udp',
  icmp: 'icmp',
  icmpv6: 'ipv6-icmp',
  sctp: 'sctp',
  gre: 'gre',
  esp: 'esp',
};

/** `x` for one item, `{ a, b }` for several. */
export function nftSet(items: string[]): string {
  return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`;
}

function ports(ranges: PortRange[]): string {
  const items = [...ranges]
    .sort((a, b) => a.from - b.from || a.to - b.to)
    .map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`));
  return nftSet([...new Set(items)]);
}

function byFamily(cidrs: string[]): Record<Family, string[]> {
  const out: Record<Family, string[]> = { 4: [], 6: [] };
  for (const c of cidrs) {
    const p = parsePrefix(c);
    if (p) out[p.family].push(p.text);
  }
  return { 4: collapsePrefixes(out[4]), 6: collapsePrefixes(out[6]) };
}

/** Name of the nft set dnsmasq fills with the addresses of a class' domains. */
export function domainSetName(classIndex: number, family: Family): string {
  return `dom_c${classIndex}_${family}`;
}

/** The match part of the nft rules for class `classIndex` (1-based); [] when it can match no packet. */
export function classMatches(r: ClassRule, classIndex: number): string[] {
  const src = byFamily(r.srcIps);
  const dst = byFamily(r.destIps);
  const familySpecific =
    r.dscp.length > 0 || r.srcIps.length > 0 || r.destIps.length > 0 || r.domains.length > 0 || r.proto === 'icmp' || r.proto === 'icmpv6';
  const families: Array<Family | null> = familySpecific ? [4, 6] : [null];
  const macs = [...new Set(r.srcMacs.map((m) => parseMac(m)).filter((m): m is string => m !== null))].sort();
  const dscp = [...new Set(r.dscp)].sort((a, b) => a - b).map(String);
  const out: string[] = [];
  for (const f of families) {
    if (f !== null) {
      if ((r.proto === 'icmp' && f === 6) || (r.proto === 'icmpv6' && f === 4)) continue;
      if (r.srcIps.length > 0 && src[f].length === 0) continue;
      if (r.destIps.length > 0 && dst[f].length === 0) continue;
    }
    const parts: string[] = [];
    if (r.proto) parts.push(`meta l4proto ${NFT_PROTO[r.proto]}`);
    else if (r.destPorts.length || r.srcPorts.length) parts.push('meta l4proto { tcp, udp, sctp }');
    if (r.destPorts.length) parts.push(`th dport ${ports(r.destPorts)}`);
    if (r.srcPorts.length) parts.push(`th sport ${ports(r.srcPorts)}`);
    if (f !== null) {
      const ip = f === 4 ? 'ip' : 'ip6';
      if (src[f].length) parts.push(`${ip} saddr ${nftSet(src[f])}`);
      if (dst[f].length) parts.push(`${ip} daddr ${nftSet(dst[f])}`);
      if (r.domains.length) parts.push(`${ip} daddr @${domainSetName(classIndex, f)}`);
      if (dscp.length) parts.push(`${ip} dscp ${nftSet(dscp)}`);
    }
    if (macs.length) parts.push(`ether saddr ${nftSet(macs)}`);
    out.push(parts.join(' '));
  }
  return out;
}

/**
 * dnsmasq `nftset=` lines that fill the domain sets (dnsmasq >= 2.87, e.g.
 * OpenWrt's dnsmasq-full): `/domain/.../4#inet#<table>#<set>,6#inet#<table>#<set>`.
 */
export function dnsmasqNftsetLines(classes: ClassRule[], tableName: string): string[] {
  const lines: string[] = [];
  classes.forEach((r, i) => {
    if (r.domains.length === 0) return;
    const idx = i + 1;
    lines.push(
      `nftset=/${r.domains.join('/')}/4#inet#${tableName}#${domainSetName(idx, 4)},6#inet#${tableName}#${domainSetName(idx, 6)}`,
    );
  });
  return lines;
}
