import type { Result } from '../model/errors.js';
import { isQosClass } from '../model/qos.js';
import type { BearerSpec, FlowSpec, InterfaceSpec, TfapInstance } from '../model/tfap.js';

/** Ids travel into answers, logs and (via the daemon) rule comments: keep them plain. */
const ID_RE = /^[A-Za-z0-9_.:@-]{1,64}$/;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 40 ? `${s.slice(0, 40)}...` : s;
  } catch {
    return String(value);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Collector {
  readonly errors: string[] = [];
  fail(path: string, expected: string, got: unknown): void {
    this.errors.push(`${path}: expected ${expected}, got ${show(got)}`);
  }
  num(obj: Record<string, unknown>, key: string, path: string): number {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      this.fail(`${path}.${key}`, 'a number >= 0', v);
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
      if (!allowed.includes(k)) this.errors.push(`${path}.${k}: unknown field (expected one of ${allowed.join(', ')})`);
    }
  }
}

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
  b.upKbps = c.num(raw, 'upKbps', path);
  b.downKbps = c.num(raw, 'downKbps', path);
  b.costPerKbit = c.num(raw, 'costPerKbit', path);
  b.baseW = c.num(raw, 'baseW', path);
  b.txWPerKbps = c.num(raw, 'txWPerKbps', path);
  b.rxWPerKbps = c.num(raw, 'rxWPerKbps', path);
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
  const seen = new Set<string>();
  raw.bearers.forEach((rb: unknown, j: number) => {
    const b = parseBearer(c, rb, `${path}.bearers[${j}]`);
    if (b.id && seen.has(b.id)) c.errors.push(`${path}.bearers[${j}].id: duplicate bearer id "${b.id}" in this interface`);
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
  f.upKbps = c.num(raw, 'upKbps', path);
  f.downKbps = c.num(raw, 'downKbps', path);
  if (isQosClass(raw.qos)) f.qos = raw.qos;
  else c.fail(`${path}.qos`, 'one of "C", "S", "I", "B"', raw.qos);
  if (raw.pinned !== undefined) f.pinned = c.id(raw, 'pinned', path);
  return f;
}

/**
 * Validates a TFAP instance (the README's JSON shape). Every problem is
 * reported with its path and what was expected; nothing throws.
 */
export function parseInstance(json: unknown): Result<TfapInstance> {
  const c = new Collector();
  if (!isRecord(json)) return { ok: false, errors: [`instance: expected an object, got ${show(json)}`] };
  c.unknownKeys(json, ['powerLimitW', 'interfaces', 'flows'], 'instance');
  let powerLimitW: number | null = null;
  if (json.powerLimitW === null) powerLimitW = null;
  else if (typeof json.powerLimitW === 'number' && Number.isFinite(json.powerLimitW) && json.powerLimitW >= 0) powerLimitW = json.powerLimitW;
  else c.fail('powerLimitW', 'a number >= 0 or null', json.powerLimitW);

  const interfaces: InterfaceSpec[] = [];
  if (!Array.isArray(json.interfaces) || json.interfaces.length === 0) {
    c.fail('interfaces', 'a non-empty array of interfaces', json.interfaces);
  } else {
    json.interfaces.forEach((ri: unknown, i: number) => interfaces.push(parseInterface(c, ri, `interfaces[${i}]`)));
  }
  const ifIds = new Set<string>();
  interfaces.forEach((r, i) => {
    if (r.id && ifIds.has(r.id)) c.errors.push(`interfaces[${i}].id: duplicate interface id "${r.id}"`);
    ifIds.add(r.id);
  });

  const flows: FlowSpec[] = [];
  if (!Array.isArray(json.flows)) c.fail('flows', 'an array of flows', json.flows);
  else json.flows.forEach((rf: unknown, z: number) => flows.push(parseFlow(c, rf, `flows[${z}]`)));
  const flowIds = new Set<string>();
  flows.forEach((f, z) => {
    if (f.id && flowIds.has(f.id)) c.errors.push(`flows[${z}].id: duplicate flow id "${f.id}"`);
    flowIds.add(f.id);
    if (f.pinned && !ifIds.has(f.pinned)) c.errors.push(`flows[${z}].pinned: expected one of the interface ids, got "${f.pinned}"`);
  });

  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  return { ok: true, value: { powerLimitW, interfaces, flows } };
}
