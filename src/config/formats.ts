import { parseIp, parsePrefix } from '../model/ip-address.js';
import { NETIFD_INTERFACE_EXPECTED, isNetifdInterfaceName } from '../model/names.js';

/**
 * Checks for every kind of value that later reaches a command, an nft rule or
 * an MQTT topic. Each returns null when the value is fine, else what was
 * expected (the message completes "expected ...").
 */
export type StringFormat =
  | 'ifname'
  | 'ip'
  | 'cidr'
  | 'mac'
  | 'port-range'
  | 'dscp'
  | 'domain'
  | 'url'
  | 'path'
  | 'sysfs-path'
  | 'mqtt-id'
  | 'mqtt-topic'
  | 'ubus-object'
  | 'device'
  | 'text';

/** DSCP names (RFC 2474, 2597, 3246, 5865, 8622). */
export function dscpValue(raw: string): number | null {
  if (/^\d{1,2}$/.test(raw)) {
    const n = Number(raw);
    return n <= 63 ? n : null;
  }
  const s = raw.toUpperCase();
  if (s === 'BE' || s === 'DF') return 0;
  if (s === 'EF') return 46;
  if (s === 'VA') return 44;
  if (s === 'LE') return 1;
  let m = /^CS([0-7])$/.exec(s);
  if (m) return Number(m[1]) * 8;
  m = /^AF([1-4])([1-3])$/.exec(s);
  if (m) return Number(m[1]) * 8 + Number(m[2]) * 2;
  return null;
}

export function portRange(raw: string): { from: number; to: number } | null {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(raw);
  if (!m) return null;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > 65535 || from > to) return null;
  return { from, to };
}

// The same parser routing and flows use, so a value the check accepts is one the rules accept.
function cidr(raw: string): boolean {
  return parsePrefix(raw) !== null;
}

function domain(raw: string): boolean {
  if (raw.length > 253) return false;
  const labels = raw.split('.');
  if (labels.length < 2) return false;
  return labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

function url(raw: string): boolean {
  if (/[\s\x00-\x1f]/.test(raw)) return false;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  return ['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(u.protocol) && u.hostname !== '';
}

function path(raw: string): boolean {
  return (
    raw.startsWith('/') &&
    raw.length <= 4096 &&
    !/[\x00-\x1f\x7f]/.test(raw) &&
    !raw.split('/').some((seg) => seg === '..' || seg === '.')
  );
}

const EXPECTED: Readonly<Record<StringFormat, string>> = {
  ifname: NETIFD_INTERFACE_EXPECTED,
  ip: 'an IPv4 or IPv6 address',
  cidr: 'an IPv4 or IPv6 address or CIDR (e.g. 192.168.1.0/24, fd00::/64)',
  mac: 'a MAC address (aa:bb:cc:dd:ee:ff)',
  'port-range': 'a port or port range (1-65535, e.g. 443 or 10000-20000)',
  dscp: 'a DSCP value 0-63 or a name (EF, VA, LE, BE, CS0-CS7, AF11-AF43)',
  domain: 'a domain name (e.g. example.com)',
  url: 'an mqtt://, mqtts://, ws:// or wss:// URL with a host',
  path: "an absolute file path without '.' or '..' parts or control characters",
  'sysfs-path': 'a directory under /sys/ (e.g. /sys/class/power_supply/BAT0)',
  'mqtt-id': 'an MQTT device id (1-64 of A-Z a-z 0-9 _ -)',
  'mqtt-topic': "an MQTT topic root (parts of A-Z a-z 0-9 _ . - separated by '/', no + or #)",
  'ubus-object': 'a ubus object name (A-Z a-z 0-9 _ . -)',
  device: "a device handle (e.g. /dev/cdc-wdm0, a ModemManager index or path, a qmodem section)",
  text: 'text without control characters (at most 256 bytes)',
};

/** What a value of this format looks like (completes "expected ..."). */
export function expectedText(format: StringFormat): string {
  return EXPECTED[format];
}

export function checkFormat(format: StringFormat, raw: string): string | null {
  let ok: boolean;
  switch (format) {
    case 'ifname':
      // netifd interfaces only (option interface, list lan): the one rule every consumer applies.
      ok = isNetifdInterfaceName(raw);
      break;
    case 'ip':
      ok = parseIp(raw) !== null;
      break;
    case 'cidr':
      ok = cidr(raw);
      break;
    case 'mac':
      ok = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/.test(raw);
      break;
    case 'port-range':
      ok = portRange(raw) !== null;
      break;
    case 'dscp':
      ok = dscpValue(raw) !== null;
      break;
    case 'domain':
      ok = domain(raw);
      break;
    case 'url':
      ok = url(raw);
      break;
    case 'path':
      ok = path(raw);
      break;
    case 'sysfs-path':
      ok = path(raw) && raw.startsWith('/sys/');
      break;
    case 'mqtt-id':
      ok = /^[A-Za-z0-9_-]{1,64}$/.test(raw);
      break;
    case 'mqtt-topic':
      ok = raw.length <= 128 && /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(raw);
      break;
    case 'ubus-object':
      ok = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(raw);
      break;
    case 'device':
      ok = /^[A-Za-z0-9_./:@-]{1,128}$/.test(raw) && !raw.split('/').includes('..');
      break;
    case 'text':
      ok = Buffer.byteLength(raw) <= 256 && !/[\x00-\x1f\x7f]/.test(raw);
      break;
  }
  return ok ? null : EXPECTED[format];
}
