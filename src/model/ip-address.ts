/**
 * IP addresses and prefixes as plain data, shared by flows (conntrack
 * parsing), routing (rule and route diffs) and config validation. conntrack
 * prints IPv6 compressed while /proc/net/nf_conntrack prints all 32 hex
 * digits, iproute2 prints inet_ntop's form, and users write any of them:
 * everything is compared in one canonical form (dotted quad; RFC 5952 for
 * IPv6, with IPv4-mapped/-compatible addresses ending in a dotted quad as
 * inet_ntop prints them). Dotted quads with leading zeros are refused: some
 * tools read them as octal.
 */

export interface IpAddress {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export interface IpPrefix {
  family: 4 | 6;
  bytes: Uint8Array;
  /** Prefix length in bits. */
  bits: number;
}

function parseV4(text: string): Uint8Array | null {
  // A hand-written scan: this runs for every address of every conntrack line.
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // '.' ends the last part
    if (c === 46) {
      if (digits === 0 || part > 3) return null;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3 && !(digits === 1 && value === 0)) {
      value = value * 10 + (c - 48);
      digits++;
      if (value > 255) return null;
    } else {
      return null;
    }
  }
  return part === 4 ? out : null;
}

function parseV6(text: string): Uint8Array | null {
  // Zone ids (fe80::1%br-lan) are refused: none of our sources print them, and they must not reach a rule.
  const s = text;
  if (s.length > 45) return null;
  const out = new Uint8Array(16);
  let tail: number[] = [];
  let head: number[] = [];
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const groupsOf = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === '') return [];
    const items = part.split(':');
    const groups: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (allowV4Tail && i === items.length - 1 && it.includes('.')) {
        const v4 = parseV4(it);
        if (!v4) return null;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
      groups.push(parseInt(it, 16));
    }
    return groups;
  };
  if (dbl >= 0) {
    const h = groupsOf(s.slice(0, dbl), false);
    const t = groupsOf(s.slice(dbl + 2), true);
    if (!h || !t || h.length + t.length > 7) return null;
    head = h;
    tail = t;
  } else {
    const all = groupsOf(s, true);
    if (!all || all.length !== 8) return null;
    head = all;
  }
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  return out;
}

/** Null when `text` is not an IPv4 or IPv6 address. */
export function parseIp(text: string): IpAddress | null {
  if (text.includes(':')) {
    const b = parseV6(text);
    return b ? { family: 6, bytes: b } : null;
  }
  const b = parseV4(text);
  return b ? { family: 4, bytes: b } : null;
}

/** Canonical text: dotted quad, or RFC 5952 (lower case, longest zero run of 2+ groups as ::). */
export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (ip.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
    const v4 = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return bestLen === 5 ? `::ffff:${v4}` : `::${v4}`;
  }
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical form of an address, or null when it is not one. */
export function canonicalIp(text: string): string | null {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : null;
}

/** Parses 'a.b.c.d/n', 'x::/n' or a bare address (a host prefix). Host bits are cleared. */
export function parsePrefix(text: string): IpPrefix | null {
  const slash = text.indexOf('/');
  const addr = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  if (!addr) return null;
  const max = addr.family === 4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(lenText)) return null;
    bits = Number(lenText);
    if (bits > max) return null;
  }
  const bytes = addr.bytes.slice();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    bytes[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return { family: addr.family, bytes, bits };
}

export function prefixContains(prefix: IpPrefix, ip: IpAddress): boolean {
  if (prefix.family !== ip.family) return false;
  const full = prefix.bits >> 3;
  for (let i = 0; i < full; i++) if (prefix.bytes[i] !== ip.bytes[i]) return false;
  const rest = prefix.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip.bytes[full]! & mask) === prefix.bytes[full];
}

/** True when any prefix holds the address; a malformed address is in none. */
export function inAnyPrefix(prefixes: readonly IpPrefix[], address: string | IpAddress): boolean {
  const ip = typeof address === 'string' ? parseIp(address) : address;
  if (!ip) return false;
  return prefixes.some((p) => prefixContains(p, ip));
}

/** Addresses that never leave through a modem: loopback, link-local, multicast, unspecified, broadcast. */
export function isLocalScope(ip: IpAddress): boolean {
  const b = ip.bytes;
  if (ip.family === 4) {
    return b[0] === 127 || (b[0] === 169 && b[1] === 254) || (b[0]! >= 224 && b[0]! <= 239) || b.every((x) => x === 255) || b.every((x) => x === 0);
  }
  const allZero = b.every((x) => x === 0);
  const loopback = b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  return allZero || loopback || b[0] === 0xff || (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80);
}

/** The address as an unsigned integer (32 or 128 bits), for ordering. */
export function ipToBigInt(ip: IpAddress): bigint {
  let v = 0n;
  for (const byte of ip.bytes) v = (v << 8n) | BigInt(byte);
  return v;
}
