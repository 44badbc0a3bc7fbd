/**
 * Objects a client publishes on the bus: methods as a table of
 * (name, handler, argument policy). The policy is published as the method's
 * signature (name -> blobmsg type, as ubus_push_method_data does) and INVOKE
 * arguments are checked against it before the handler runs.
 * Pure: signature encoding and argument checking.
 */
import { BlobWriter } from './blob.js';
import { BLOBMSG_TYPE_BY_NAME, blobmsgTypeName } from './blobmsg.js';
import type { BlobmsgEntry, BlobmsgTypeName } from './blobmsg.js';
import { BlobmsgType } from './constants.js';

export type UbusArgType = BlobmsgTypeName;

export interface UbusArgSpec {
  type: UbusArgType;
  required?: boolean;
}

/** What a handler learns about the call besides its arguments. */
export interface UbusRequestInfo {
  object: string;
  method: string;
  /** Peer id of the caller (ubusd's client id). */
  peer: number;
  /** Set by ubusd when ACLs are on. */
  user?: string;
  group?: string;
}

/** Resolves to the reply's data (nothing: STATUS only); throw a UbusError to reply its status. */
export type UbusMethodHandler = (
  args: Record<string, unknown>,
  req: UbusRequestInfo,
) => Record<string, unknown> | void | Promise<Record<string, unknown> | void>;

export interface UbusMethod {
  handler: UbusMethodHandler;
  /** Argument name -> type (optional argument) or spec. */
  args?: Record<string, UbusArgType | UbusArgSpec>;
}

export interface UbusObjectDefinition {
  path: string;
  methods: Record<string, UbusMethod>;
  /** Called when the first subscriber arrives (true) or the last leaves (false). */
  onSubscribe?: (active: boolean) => void;
}

function spec(s: UbusArgType | UbusArgSpec): UbusArgSpec {
  return typeof s === 'string' ? { type: s } : s;
}

/** The SIGNATURE payload: one blobmsg table per method, each argument name -> type id (int32). */
export function encodeSignature(methods: Record<string, UbusMethod>): Buffer {
  const w = new BlobWriter(256);
  for (const [name, m] of Object.entries(methods)) {
    const t = w.open(BlobmsgType.TABLE, true);
    writeName(w, name);
    for (const [arg, s] of Object.entries(m.args ?? {})) {
      const a = w.open(BlobmsgType.INT32, true);
      writeName(w, arg);
      w.u32(BLOBMSG_TYPE_BY_NAME[spec(s).type]);
      w.close(a);
    }
    w.close(t);
  }
  return w.toBuffer();
}

function writeName(w: BlobWriter, name: string): void {
  w.u16(Buffer.byteLength(name, 'utf8'));
  w.cstring(name);
  w.pad();
}

const INTEGER_TYPES: number[] = [BlobmsgType.INT8, BlobmsgType.INT16, BlobmsgType.INT32, BlobmsgType.INT64];

/**
 * Whether a wire type satisfies a policy type. Exact, except that int64 and
 * double also take the narrower integer types (a JS caller's 5 travels as
 * int32), as libubox's BLOBMSG_CAST_INT64 does for int64.
 */
export function typeAccepts(policy: UbusArgType, wire: number): boolean {
  const want = BLOBMSG_TYPE_BY_NAME[policy];
  if (want === BlobmsgType.UNSPEC || want === wire) return true;
  if (policy === 'int64') return wire === BlobmsgType.INT16 || wire === BlobmsgType.INT32;
  if (policy === 'double') return INTEGER_TYPES.includes(wire) && wire !== BlobmsgType.INT8;
  return false;
}

export type ArgCheck = { ok: true; args: Record<string, unknown> } | { ok: false; reason: string };

/** Checks decoded INVOKE arguments against a method's policy. */
export function checkArgs(entries: BlobmsgEntry[], policy: UbusMethod['args']): ArgCheck {
  const args: Record<string, unknown> = {};
  for (const e of entries) {
    if (e.name === '__proto__') Object.defineProperty(args, e.name, { value: e.value, enumerable: true, writable: true, configurable: true });
    else args[e.name] = e.value;
  }
  if (!policy) return { ok: true, args };
  for (const e of entries) {
    const s = policy[e.name];
    if (s === undefined || !Object.prototype.hasOwnProperty.call(policy, e.name)) continue;
    const want = spec(s).type;
    if (!typeAccepts(want, e.type)) {
      return { ok: false, reason: `argument '${e.name}' must be ${want}, got ${blobmsgTypeName(e.type)}` };
    }
  }
  for (const [name, s] of Object.entries(policy)) {
    if (spec(s).required && !entries.some((e) => e.name === name)) {
      return { ok: false, reason: `missing required argument '${name}' (${spec(s).type})` };
    }
  }
  return { ok: true, args };
}
