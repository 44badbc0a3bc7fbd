import type { Result } from '../model/errors.js';
import type { ConntrackEntry, ConntrackEvent, ConntrackEventType, ConntrackTuple, Counters } from './conntrack-entry.js';
import { PROTO_NAMES } from './conntrack-entry.js';
import { parseIp, formatIp } from '../model/ip-address.js';

/**
 * Parser for the line format shared by `conntrack -L -o extended[,id]`,
 * `conntrack -E -o extended[,id][,timestamp]` and /proc/net/nf_conntrack
 * (libnetfilter_conntrack's snprintf_default.c and the kernel's
 * nf_conntrack_standalone.c print the same fields in the same order):
 *
 *   [ts]? [EVENT]? ipv4 2 tcp 6 431999 ESTABLISHED src= dst= sport= dport= [packets= bytes=]
 *   [UNREPLIED]? src= dst= sport= dport= [packets= bytes=] [ASSURED|OFFLOAD|HW_OFFLOAD]?
 *   mark= [secmark=] [secctx=] [zone=] [delta-time=] [[start=...]] [helper=] use= [id=] [labels=]
 *
 * Within a tuple, icmp prints `type= code= id=`: that `id=` is the ICMP id,
 * the conntrack id is the one after the tuples.
 */

const TUPLE_KEYS = new Set(['src', 'dst', 'sport', 'dport', 'type', 'code', 'srckey', 'dstkey', 'packets', 'bytes', 'zone-orig', 'zone-reply']);
const STATE_RE = /^[A-Z][A-Z_]*$/;

function emptyTuple(): ConntrackTuple {
  return { src: '', dst: '', sport: null, dport: null, icmpType: null, icmpCode: null, icmpId: null, greKeys: null, zone: null };
}

/** Splits on blanks, keeping a bracketed token with blanks inside (`[start=Sat Nov 21 00:20:30 2026]`) whole. */
export function tokenize(line: string): string[] {
  const raw = line.trim().split(/\s+/).filter((t) => t !== '');
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    let tok = raw[i]!;
    if (tok.startsWith('[') && !tok.endsWith(']')) {
      while (i + 1 < raw.length && !tok.endsWith(']')) tok += ' ' + raw[++i];
    }
    out.push(tok);
  }
  return out;
}

function uint(text: string, max: number): number | null {
  if (text.length === 0 || text.length > 16) return null;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return n <= max ? n : null;
}

function hexOrDec(text: string, max: number): number | null {
  if (/^0x[0-9a-fA-F]+$/.test(text)) {
    const n = parseInt(text.slice(2), 16);
    return n <= max ? n : null;
  }
  return uint(text, max);
}

const fail = (reason: string): Result<ConntrackEntry> => ({ ok: false, errors: [reason] });

/**
 * Canonical form of an address as printed, cached: a poll prints the same few
 * hundred addresses thousands of times. Bounded so a scan of the address
 * space cannot grow it without limit.
 */
const ADDRESS_CACHE_MAX = 16_384;
const addressCache = new Map<string, { family: 4 | 6; text: string } | null>();

function canonicalAddress(raw: string): { family: 4 | 6; text: string } | null {
  const hit = addressCache.get(raw);
  if (hit !== undefined) return hit;
  const ip = parseIp(raw);
  const value = ip ? { family: ip.family, text: formatIp(ip) } : null;
  if (addressCache.size >= ADDRESS_CACHE_MAX) addressCache.clear();
  addressCache.set(raw, value);
  return value;
}

/** Parses one entry (no event prefix). */
export function parseConntrackEntry(line: string): Result<ConntrackEntry> {
  return parseTokens(tokenize(line));
}

function parseTokens(toks: string[]): Result<ConntrackEntry> {
  let i = 0;
  let family: 4 | 6 | null = null;
  if (toks[i] === 'ipv4' || toks[i] === 'ipv6') {
    family = toks[i] === 'ipv4' ? 4 : 6;
    const num = toks[i + 1];
    if (num !== (family === 4 ? '2' : '10')) return fail(`layer 3 number '${num ?? ''}' does not fit ${toks[i]}`);
    i += 2;
  }
  const protoName = toks[i];
  const protoNum = toks[i + 1] === undefined ? null : uint(toks[i + 1]!, 255);
  if (protoName === undefined || !/^[a-z][a-z0-9-]*$/.test(protoName) || protoNum === null) {
    return fail(`expected '<protocol> <number>' at token ${i + 1}, got '${toks.slice(i, i + 2).join(' ')}'`);
  }
  i += 2;
  const proto = PROTO_NAMES[protoNum] ?? (protoName === 'unknown' ? `proto-${protoNum}` : protoName);
  let timeoutS: number | null = null;
  if (toks[i] !== undefined && /^\d+$/.test(toks[i]!)) timeoutS = uint(toks[i++]!, 0xffffffff);
  let state: string | null = null;
  if (toks[i] !== undefined && STATE_RE.test(toks[i]!)) state = toks[i++]!;

  const tuples: ConntrackTuple[] = [];
  const counters: Array<Counters | null> = [null, null];
  const partial: Array<{ packets?: number; bytes?: number }> = [{}, {}];
  let inTuples = true;
  let assured = false;
  let unreplied = false;
  let offload: 'sw' | 'hw' | null = null;
  let mark = 0;
  let zone = 0;
  let id: number | null = null;

  for (; i < toks.length; i++) {
    const tok = toks[i]!;
    if (tok.startsWith('[')) {
      if (!tok.endsWith(']')) return fail(`unterminated '${tok}'`);
      const flag = tok.slice(1, -1);
      if (flag === 'ASSURED') assured = true;
      else if (flag === 'UNREPLIED') unreplied = true;
      else if (flag === 'OFFLOAD') { offload = 'sw'; assured = true; }
      else if (flag === 'HW_OFFLOAD') { offload = 'hw'; assured = true; }
      // Other flags ([USERSPACE], [start=...], [stop=...]) carry nothing we use.
      continue;
    }
    const eq = tok.indexOf('=');
    if (eq <= 0) {
      if (tuples.length === 0) continue;
      return fail(`unexpected token '${tok}'`);
    }
    const key = tok.slice(0, eq);
    const value = tok.slice(eq + 1);
    const cur = tuples[tuples.length - 1];
    const dir = tuples.length - 1;
    // Before the first tuple, /proc prints protocol details (gre: `timeout=30, stream_timeout=180`).
    if (tuples.length === 0 && key !== 'src') continue;
    if (key === 'src' && inTuples) {
      if (tuples.length === 2) return fail('more than two address tuples');
      const t = emptyTuple();
      tuples.push(t);
      const ip = canonicalAddress(value);
      if (!ip) return fail(`bad address src=${value}`);
      if (family === null) family = ip.family;
      if (ip.family !== family) return fail(`src=${value} is not IPv${family}`);
      t.src = ip.text;
      continue;
    }
    const isIcmpId = key === 'id' && inTuples && cur !== undefined && cur.icmpType !== null && cur.icmpId === null;
    if (inTuples && (TUPLE_KEYS.has(key) || isIcmpId)) {
      if (!cur) return fail(`'${tok}' before the first src=`);
      switch (key) {
        case 'dst': {
          const ip = canonicalAddress(value);
          if (!ip || ip.family !== family) return fail(`bad address dst=${value}`);
          cur.dst = ip.text;
          break;
        }
        case 'sport':
        case 'dport': {
          const p = uint(value, 65535);
          if (p === null) return fail(`bad port ${tok}`);
          if (key === 'sport') cur.sport = p;
          else cur.dport = p;
          break;
        }
        case 'type':
        case 'code':
        case 'id': {
          const n = uint(value, key === 'id' ? 65535 : 255);
          if (n === null) return fail(`bad icmp field ${tok}`);
          if (key === 'type') cur.icmpType = n;
          else if (key === 'code') cur.icmpCode = n;
          else cur.icmpId = n;
          break;
        }
        case 'srckey':
        case 'dstkey': {
          const k = hexOrDec(value, 0xffffffff);
          if (k === null) return fail(`bad gre key ${tok}`);
          cur.greKeys ??= { src: 0, dst: 0 };
          if (key === 'srckey') cur.greKeys.src = k;
          else cur.greKeys.dst = k;
          break;
        }
        case 'packets':
        case 'bytes': {
          const n = uint(value, Number.MAX_SAFE_INTEGER);
          if (n === null) return fail(`bad counter ${tok}`);
          partial[dir]![key] = n;
          break;
        }
        default: {
          const z = uint(value, 65535);
          if (z === null) return fail(`bad zone ${tok}`);
          cur.zone = z;
        }
      }
      continue;
    }
    inTuples = false;
    switch (key) {
      case 'mark': {
        const m = uint(value, 0xffffffff);
        if (m === null) return fail(`bad mark ${tok}`);
        mark = m;
        break;
      }
      case 'zone': {
        const z = uint(value, 65535);
        if (z === null) return fail(`bad zone ${tok}`);
        zone = z;
        break;
      }
      case 'id': {
        const n = uint(value, 0xffffffff);
        if (n === null) return fail(`bad id ${tok}`);
        id = n;
        break;
      }
      default:
      // secmark, secctx, use, delta-time, helper, labels, portid: not needed here.
    }
  }
  if (tuples.length !== 2) return fail(`expected two address tuples, found ${tuples.length}`);
  for (const [n, t] of tuples.entries()) {
    const name = n === 0 ? 'original' : 'reply';
    if (t.dst === '') return fail(`${name} tuple has no dst=`);
    const ported = proto === 'tcp' || proto === 'udp' || proto === 'udplite' || proto === 'sctp' || proto === 'dccp';
    if (ported && (t.sport === null || t.dport === null)) return fail(`${name} ${proto} tuple without sport/dport`);
    const p = partial[n]!;
    if ((p.packets === undefined) !== (p.bytes === undefined)) return fail(`${name} counters need both packets= and bytes=`);
    if (p.packets !== undefined && p.bytes !== undefined) counters[n] = { packets: p.packets, bytes: p.bytes };
  }
  return {
    ok: true,
    value: {
      family: family!,
      proto,
      protoNum,
      timeoutS,
      state,
      orig: tuples[0]!,
      reply: tuples[1]!,
      origCounters: counters[0]!,
      replyCounters: counters[1]!,
      assured,
      unreplied,
      offload,
      mark,
      zone,
      id,
    },
  };
}

const EVENT_TYPES: Readonly<Record<string, ConntrackEventType>> = { '[NEW]': 'new', '[UPDATE]': 'update', '[DESTROY]': 'destroy' };

/** Parses one `conntrack -E -o extended` line, with or without the `-o timestamp` prefix. */
export function parseConntrackEvent(line: string): Result<ConntrackEvent> {
  const toks = tokenize(line);
  let timestampS: number | null = null;
  let i = 0;
  const ts = /^\[(\d+(?:\.\d+)?)\]$/.exec(toks[0] ?? '');
  if (ts) {
    timestampS = Number(ts[1]);
    i++;
  }
  const type = EVENT_TYPES[toks[i] ?? ''];
  if (!type) return { ok: false, errors: [`expected [NEW], [UPDATE] or [DESTROY], got '${toks[i] ?? ''}'`] };
  const entry = parseTokens(toks.slice(i + 1));
  if (!entry.ok) return entry;
  return { ok: true, value: { type, entry: entry.value, timestampS } };
}

export interface SkippedLine {
  /** 1-based. */
  lineNo: number;
  line: string;
  reason: string;
}

export interface ParsedListing {
  entries: ConntrackEntry[];
  skipped: SkippedLine[];
}

/** conntrack's own status lines ("conntrack v1.4.7 (conntrack-tools): 6 flow entries have been shown.") are not entries. */
export function isConntrackNotice(line: string): boolean {
  return /^conntrack v\d/.test(line.trim());
}

/** Parses a whole listing; malformed lines are skipped and reported, never thrown. */
export function parseConntrackListing(text: string): ParsedListing {
  const entries: ConntrackEntry[] = [];
  const skipped: SkippedLine[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '' || isConntrackNotice(line)) continue;
    const r = parseConntrackEntry(line);
    if (r.ok) entries.push(r.value);
    else skipped.push({ lineNo: n + 1, line, reason: r.errors[0]! });
  }
  return { entries, skipped };
}
