import type { Result } from '../model/errors.js';
import { isQosClass } from '../model/qos.js';
import type { BearerSpec, FlowSpec, InterfaceSpec, TfapInstance } from '../model/tfap.js';

/** Ids travel into answers, logs and (via the daemon) rule comments: keep them plain. */
const ID_RE = /^[A-Za-z0-9_.:@-]{1,64}$/;

/** Longest excerpt of a bad value (or unknown key) quoted in an error. */
const SHOWN_CHARS = 40;

/** A short preview of a JSON value: bounded in length and depth whatever the value's size. */
function preview(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value.length > SHOWN_CHARS ? value.slice(0, SHOWN_CHARS) : value) + (value.length > SHOWN_CHARS ? `... (${value.length} characters)` : '');
  if (value === undefined) return 'nothing';
  if (value === null || typeof value !== 'object') return String(value);
  if (depth >= 2) return Array.isArray(value) ? '[...]' : '{...}';
  let out = '';
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length && out.length < SHOWN_CHARS; k++) out += (k > 0 ? ',' : '') + preview(value[k], depth + 1);
    return out.length < SHOWN_CHARS ? `[${out}]` : `[${out.slice(0, SHOWN_CHARS)}...] (${value.length} elements)`;
  }
  const keys = Object.keys(value);
  for (let k = 0; k < keys.length && out.length < SHOWN_CHARS; k++) {
    out += `${k > 0 ? ',' : ''}${preview(keys[k])}:${preview((value as Record<string, unknown>)[keys[k]!], depth + 1)}`;
  }
  return out.length < SHOWN_CHARS ? `{${out}}` : `{${out.slice(0, SHOWN_CHARS)}...}`;
}

const show = (value: unknown): string => preview(value);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Caps on what an instance may hold. Counts: far beyond a router (a few
 * modems, hundreds of flow groups), small enough that validation and a
 * budgeted solve stay quick. Ranges: far beyond any modem or price, small
 * enough that no sum of eq. 3.4 or 3.5 over a capped instance overflows.
 */
export const INSTANCE_LIMITS = {
  maxInterfaces: 1_000,
  maxBearersPerInterface: 100,
  maxBearers: 10_000,
  maxFlows: 100_000,
  /** kbps, either direction (100 Gbit/s). */
  maxKbps: 1e8,
  /** Money per kbit. */
  maxCostPerKbit: 1e6,
  /** W, the base power of a bearer and P_max. */
  maxPowerW: 1e6,
  /** W per kbps, tx or rx. */
  maxWPerKbps: 1e3,
} as const;

/** Errors listed in full; the rest are counted. */
export const MAX_ERRORS_SHOWN = 10;

class Collector {
  readonly errors: string[] = [];
  total = 0;
  add(message: string): void {
    this.total++;
    if (this.errors.length < MAX_ERRORS_SHOWN) this.errors.push(message);
  }
  fail(path: string, expected: string, got: unknown): void {
    if (this.errors.length >= MAX_ERRORS_SHOWN) return void this.total++;
    this.add(`${path}: expected ${expected}, got ${show(got)}`);
  }
  num(obj: Record<string, unknown>, key: string, path: string, max: number, unit: string): number {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      this.fail(`${path}.${key}`, 'a number >= 0', v);
      return 0;
    }
    if (v > max) {
      this.fail(`${path}.${key}`, `at most ${max} ${unit}`, v);
      return 0;
    }
    return v;
  }
  id(obj: Record<string, unknown>, key: string, path: string): string {
    const v = obj[key];
    if (typeof v !== 'string' || !ID_RE.test(v)) {
      this.fail(`${path}.${key}`, 'an id of 1-64 characters [A-Za-z0-9_.:@-]', v);
      return '';
    }
    return v;
  }
  unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.add(`${path}.${k.length > SHOWN_CHARS ? `${k.slice(0, SHOWN_CHARS)}...` : k}: unknown field (expected one of ${allowed.join(', ')})`);
    }
  }
  /** False (and an error) when an array is longer than allowed: its elements are then not read. */
  within(arr: unknown[], max: number, path: string, what: string): boolean {
    if (arr.length <= max) return true;
    this.add(`${path}: ${arr.length} ${what}, at most ${max} allowed`);
    return false;
  }
  /** The errors, with a last line counting those not listed. */
  result(): string[] {
    if (this.total <= this.errors.length) return this.errors;
    return [...this.errors, `... and ${this.total - this.errors.length} more problems (${this.total} in all)`];
  }
}

const L = INSTANCE_LIMITS;

const BEARER_KEYS = ['id', 'qos', 'upKbps', 'downKbps', 'costPerKbit', 'baseW', 'txWPerKbps', 'rxWPerKbps'] as const;
const FLOW_KEYS = ['id', 'upKbps', 'downKbps', 'qos', 'pinned'] as const;

function parseBearer(c: Collector, raw: unknown, path: string): BearerSpec {
  const b: BearerSpec = { id: '', qos: 'B', upKbps: 0, downKbps: 0, costPerKbit: 0, baseW: 0, txWPerKbps: 0, rxWPerKbps: 0 };
  if (!isRecord(raw)) {
    c.fail(path, 'an object', raw);
    return b;
  }
  c.unknownKeys(raw, BEARER_KEYS, path);
  b.id = c.id(raw, 'id', path);
  if (isQosClass(raw.qos)) b.qos = raw.qos;
  else c.fail(`${path}.qos`, 'one of "C", "S", "I", "B"', raw.qos);
  b.upKbps = c.num(raw, 'upKbps', path, L.maxKbps, 'kbps');
  b.downKbps = c.num(raw, 'downKbps', path, L.maxKbps, 'kbps');
  b.costPerKbit = c.num(raw, 'costPerKbit', path, L.maxCostPerKbit, 'per kbit');
  b.baseW = c.num(raw, 'baseW', path, L.maxPowerW, 'W');
  b.txWPerKbps = c.num(raw, 'txWPerKbps', path, L.maxWPerKbps, 'W per kbps');
  b.rxWPerKbps = c.num(raw, 'rxWPerKbps', path, L.maxWPerKbps, 'W per kbps');
  return b;
}

function parseInterface(c: Collector, raw: unknown, path: string): InterfaceSpec {
  const out: InterfaceSpec = { id: '', bearers: [] };
  if (!isRecord(raw)) {
    c.fail(path, 'an object', raw);
    return out;
  }
  c.unknownKeys(raw, ['id', 'bearers'], path);
  out.id = c.id(raw, 'id', path);
  if (!Array.isArray(raw.bearers)) {
    c.fail(`${path}.bearers`, 'an array of bearers', raw.bearers);
    return out;
  }
  if (!c.within(raw.bearers, L.maxBearersPerInterface, `${path}.bearers`, 'bearers')) return out;
  const seen = new Set<string>();
  raw.bearers.forEach((rb: unknown, j: number) => {
    const b = parseBearer(c, rb, `${path}.bearers[${j}]`);
    if (b.id && seen.has(b.id)) c.add(`${path}.bearers[${j}].id: duplicate bearer id "${b.id}" in this interface`);
    seen.add(b.id);
    out.bearers.push(b);
  });
  return out;
}

function parseFlow(c: Collector, raw: unknown, path: string): FlowSpec {
  const f: FlowSpec = { id: '', upKbps: 0, downKbps: 0, qos: 'B' };
  if (!isRecord(raw)) {
    c.fail(path, 'an object', raw);
    return f;
  }
  c.unknownKeys(raw, FLOW_KEYS, path);
  f.id = c.id(raw, 'id', path);
  f.upKbps = c.num(raw, 'upKbps', path, L.maxKbps, 'kbps');
  f.downKbps = c.num(raw, 'downKbps', path, L.maxKbps, 'kbps');
  if (isQosClass(raw.qos)) f.qos = raw.qos;
  else c.fail(`${path}.qos`, 'one of "C", "S", "I", "B"', raw.qos);
  if (raw.pinned !== undefined) f.pinned = c.id(raw, 'pinned', path);
  return f;
}

/**
 * Validates a TFAP instance (the README's JSON shape). Every problem is
 * reported with its path and what was expected (the first MAX_ERRORS_SHOWN,
 * then a count; bad values shortened); nothing throws. Arrays longer than
 * INSTANCE_LIMITS allows are refused without reading their elements.
 */
export function parseInstance(json: unknown): Result<TfapInstance> {
  const c = new Collector();
  if (!isRecord(json)) return { ok: false, errors: [`instance: expected an object, got ${show(json)}`] };
  c.unknownKeys(json, ['powerLimitW', 'interfaces', 'flows'], 'instance');
  let powerLimitW: number | null = null;
  if (json.powerLimitW === null) powerLimitW = null;
  else if (typeof json.powerLimitW === 'number' && Number.isFinite(json.powerLimitW) && json.powerLimitW >= 0) {
    if (json.powerLimitW <= L.maxPowerW) powerLimitW = json.powerLimitW;
    else c.fail('powerLimitW', `at most ${L.maxPowerW} W or null`, json.powerLimitW);
  } else c.fail('powerLimitW', 'a number >= 0 or null', json.powerLimitW);

  const interfaces: InterfaceSpec[] = [];
  if (!Array.isArray(json.interfaces) || json.interfaces.length === 0) {
    c.fail('interfaces', 'a non-empty array of interfaces', json.interfaces);
  } else if (c.within(json.interfaces, L.maxInterfaces, 'interfaces', 'interfaces')) {
    json.interfaces.forEach((ri: unknown, i: number) => interfaces.push(parseInterface(c, ri, `interfaces[${i}]`)));
    const bearers = interfaces.reduce((n, r) => n + r.bearers.length, 0);
    if (bearers > L.maxBearers) c.add(`interfaces: ${bearers} bearers in all, at most ${L.maxBearers} allowed`);
  }
  const ifIds = new Set<string>();
  interfaces.forEach((r, i) => {
    if (r.id && ifIds.has(r.id)) c.add(`interfaces[${i}].id: duplicate interface id "${r.id}"`);
    ifIds.add(r.id);
  });

  const flows: FlowSpec[] = [];
  if (!Array.isArray(json.flows)) c.fail('flows', 'an array of flows', json.flows);
  else if (c.within(json.flows, L.maxFlows, 'flows', 'flows')) json.flows.forEach((rf: unknown, z: number) => flows.push(parseFlow(c, rf, `flows[${z}]`)));
  const flowIds = new Set<string>();
  flows.forEach((f, z) => {
    if (f.id && flowIds.has(f.id)) c.add(`flows[${z}].id: duplicate flow id "${f.id}"`);
    flowIds.add(f.id);
    if (f.pinned && !ifIds.has(f.pinned)) c.add(`flows[${z}].pinned: expected one of the interface ids, got "${f.pinned}"`);
  });

  if (c.total > 0) return { ok: false, errors: c.result() };
  return { ok: true, value: { powerLimitW, interfaces, flows } };
}
