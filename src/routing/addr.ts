/**
 * Strict parsers for the names and addresses that reach `ip` and `nft`.
 * Everything from config or the network passes through one of these before
 * it is written into a rule, so a hostile or malformed value becomes an
 * error, never a piece of a command. Addresses come back in the canonical
 * text form iproute2 prints (RFC 5952 for IPv6), so diffs compare equal.
 */

import { formatIp, ipToBigInt, parseIp, parsePrefix as parseIpPrefix } from '../model/ip-address.js';

export type Family = 4 | 6;

export interface ParsedAddress {
  family: Family;
  /** Canonical text. */
  text: string;
  /** 32-bit (v4) or 128-bit (v6) value. */
  value: bigint;
}

export interface ParsedPrefix {
  family: Family;
  /** Canonical network address (host bits cleared) + '/' + length. */
  text: string;
  network: string;
  length: number;
}

/** Canonical text, family and integer value of an address (any accepted spelling), or null. */
export function parseAddress(s: string): ParsedAddress | null {
  if (typeof s !== 'string') return null;
  const ip = parseIp(s);
  return ip ? { family: ip.family, text: formatIp(ip), value: ipToBigInt(ip) } : null;
}

/** A CIDR, or a bare address taken as a host prefix. Host bits are cleared. */
export function parsePrefix(s: string): ParsedPrefix | null {
  if (typeof s !== 'string') return null;
  const p = parseIpPrefix(s);
  if (!p) return null;
  const network = formatIp({ family: p.family, bytes: p.bytes });
  return { family: p.family, text: `${network}/${p.bits}`, network, length: p.bits };
}

/** Linux interface names: 1-15 bytes, no '/', whitespace, quotes or ':' that nft/ip would misread. */
export function isInterfaceName(s: string): boolean {
  return typeof s === 'string' && /^[A-Za-z0-9_.@-]{1,15}$/.test(s) && s !== '.' && s !== '..';
}

/** Canonical lower-case MAC (aa:bb:cc:dd:ee:ff) or null. */
export function parseMac(s: string): string | null {
  if (typeof s !== 'string') return null;
  const m = /^([0-9A-Fa-f]{2})([:-])([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})$/.exec(s);
  if (!m) return null;
  return [m[1], m[3], m[4], m[5], m[6], m[7]].join(':').toLowerCase();
}

/** DNS names as dnsmasq's nftset option takes them (no wildcard syntax, no '/'). */
export function isDomainName(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0 || s.length > 253) return false;
  return s.split('.').every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/**
 * Canonical prefixes of one family with every prefix that lies inside
 * another removed, in address order: nft interval sets reject overlaps.
 */
export function collapsePrefixes(prefixes: string[]): string[] {
  const parsed = prefixes
    .map((p) => parsePrefix(p))
    .filter((p): p is ParsedPrefix => p !== null)
    .map((p) => ({ p, net: parseAddress(p.network)!.value }));
  parsed.sort((a, b) => (a.net < b.net ? -1 : a.net > b.net ? 1 : a.p.length - b.p.length));
  const out: typeof parsed = [];
  for (const cur of parsed) {
    const bits = BigInt(cur.p.family === 4 ? 32 : 128);
    const inside = out.some((o) => {
      if (o.p.family !== cur.p.family || o.p.length > cur.p.length) return false;
      const shift = bits - BigInt(o.p.length);
      return cur.net >> shift === o.net >> shift;
    });
    if (!inside) out.push(cur);
  }
  return out.map((o) => (o.p.length === (o.p.family === 4 ? 32 : 128) ? o.p.network : o.p.text));
}
