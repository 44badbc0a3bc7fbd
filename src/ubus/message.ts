/**
 * A ubus message: struct ubus_msghdr (version u8 = 0, type u8, seq u16 BE,
 * peer u32 BE) followed by one blob attribute (id 0) whose children are the
 * message attributes (enum ubus_msg_attr), plain blob attributes without the
 * extended flag. Attributes are written in the insertion order of `attrs`, so
 * a message built in libubus's order encodes to libubus's bytes.
 * Pure: encodeMessage / decodeMessage.
 */
import { BlobWriter, forEachBlobAttr } from './blob.js';
import {
  Attr,
  BLOB_ATTR_LEN_MASK,
  BLOB_HEADER_BYTES,
  MSG_TYPE_LAST,
  MsgType,
  UBUS_HEADER_BYTES,
  UBUS_MAX_MSGLEN,
  padLen,
} from './constants.js';
import { protocolError, UbusError } from './errors.js';

export interface UbusAttrs {
  status?: number;
  objpath?: string;
  objid?: number;
  method?: string;
  objtype?: number;
  /** Payload of SIGNATURE: one blobmsg table per method, argument name -> blobmsg type (int32). */
  signature?: Buffer;
  /** Payload of DATA: the members of a blobmsg table. */
  data?: Buffer;
  target?: number;
  active?: boolean;
  noReply?: boolean;
  subscribers?: number[];
  user?: string;
  group?: string;
}

/** Attributes of a MONITOR message (enum ubus_monitor_attr), in ubusd_monitor.c's order. */
export interface UbusMonitorAttrs {
  client: number;
  peer: number;
  seq: number;
  type: number;
  send: boolean;
  /** The monitored message's attributes (payload of its message blob). */
  data: Buffer;
}

export interface UbusMessage {
  type: number;
  seq: number;
  peer: number;
  attrs: UbusAttrs;
  /** Only for type MONITOR, whose attribute ids are enum ubus_monitor_attr. */
  monitor?: UbusMonitorAttrs;
}

const MONITOR_ATTR = { client: 0, peer: 1, send: 2, seq: 3, type: 4, data: 5 } as const;

function writeMonitor(w: BlobWriter, m: UbusMonitorAttrs): void {
  for (const key of ['client', 'peer', 'seq', 'type'] as const) {
    const s = w.open(MONITOR_ATTR[key], false);
    w.u32(m[key]);
    w.close(s);
  }
  let s = w.open(MONITOR_ATTR.send, false);
  w.u8(m.send ? 1 : 0);
  w.close(s);
  s = w.open(MONITOR_ATTR.data, false);
  w.bytes(m.data);
  w.close(s);
}

function readMonitor(frame: Buffer, start: number, end: number): UbusMonitorAttrs {
  const m: Partial<UbusMonitorAttrs> = {};
  forEachBlobAttr(frame, start, end, 'ubus monitor attributes', (at) => {
    const s = at.dataStart;
    const e = at.dataEnd;
    switch (at.id) {
      case MONITOR_ATTR.client:
        m.client = readU32(frame, s, e, 'monitor client');
        break;
      case MONITOR_ATTR.peer:
        m.peer = readU32(frame, s, e, 'monitor peer');
        break;
      case MONITOR_ATTR.seq:
        m.seq = readU32(frame, s, e, 'monitor seq');
        break;
      case MONITOR_ATTR.type:
        m.type = readU32(frame, s, e, 'monitor type');
        break;
      case MONITOR_ATTR.send:
        if (e - s !== 1) throw protocolError('ubus attribute monitor send', `1 byte, got ${e - s}`);
        m.send = frame[s] !== 0;
        break;
      case MONITOR_ATTR.data:
        m.data = frame.subarray(s, e);
        break;
    }
  });
  if (m.client === undefined || m.peer === undefined || m.seq === undefined || m.type === undefined || m.send === undefined || m.data === undefined) {
    throw protocolError('ubus monitor message', 'client, peer, seq, type, send and data attributes');
  }
  return m as UbusMonitorAttrs;
}

type Kind = 'u32' | 'string' | 'nested' | 'u8' | 'ids';
const ATTR_INFO: Record<keyof UbusAttrs, { id: number; kind: Kind }> = {
  status: { id: Attr.STATUS, kind: 'u32' },
  objpath: { id: Attr.OBJPATH, kind: 'string' },
  objid: { id: Attr.OBJID, kind: 'u32' },
  method: { id: Attr.METHOD, kind: 'string' },
  objtype: { id: Attr.OBJTYPE, kind: 'u32' },
  signature: { id: Attr.SIGNATURE, kind: 'nested' },
  data: { id: Attr.DATA, kind: 'nested' },
  target: { id: Attr.TARGET, kind: 'u32' },
  active: { id: Attr.ACTIVE, kind: 'u8' },
  noReply: { id: Attr.NO_REPLY, kind: 'u8' },
  subscribers: { id: Attr.SUBSCRIBERS, kind: 'ids' },
  user: { id: Attr.USER, kind: 'string' },
  group: { id: Attr.GROUP, kind: 'string' },
};
const KEY_BY_ID: (keyof UbusAttrs | undefined)[] = [];
for (const [k, v] of Object.entries(ATTR_INFO)) KEY_BY_ID[v.id] = k as keyof UbusAttrs;

export function encodeMessage(msg: UbusMessage): Buffer {
  const a = msg.attrs;
  const w = new BlobWriter(64 + (a.data?.length ?? 0) + (a.signature?.length ?? 0));
  w.ensure(UBUS_HEADER_BYTES);
  w.buf[0] = 0;
  w.buf[1] = msg.type;
  w.buf.writeUInt16BE(msg.seq & 0xffff, 2);
  w.buf.writeUInt32BE(msg.peer >>> 0, 4);
  w.pos = UBUS_HEADER_BYTES;
  const top = w.open(0, false);
  if (msg.monitor) writeMonitor(w, msg.monitor);
  for (const key in a) {
    const info = ATTR_INFO[key as keyof UbusAttrs];
    const v = a[key as keyof UbusAttrs];
    if (!info || v === undefined) continue;
    const s = w.open(info.id, false);
    switch (info.kind) {
      case 'u32':
        w.u32(v as number);
        break;
      case 'u8':
        w.u8(v ? 1 : 0);
        break;
      case 'string':
        if ((v as string).includes('\0')) throw new UbusError('INVALID_ARGUMENT', `ubus ${key} may not contain NUL`);
        w.cstring(v as string);
        break;
      case 'nested':
        w.bytes(v as Buffer);
        break;
      case 'ids':
        for (const id of v as number[]) {
          const c = w.open(0, false);
          w.u32(id);
          w.close(c);
        }
        break;
    }
    w.close(s);
  }
  w.close(top);
  const raw = w.pos - UBUS_HEADER_BYTES;
  if (padLen(raw) > UBUS_MAX_MSGLEN) {
    throw new UbusError('INVALID_ARGUMENT', `ubus message of ${raw} bytes exceeds the ${UBUS_MAX_MSGLEN}-byte limit`);
  }
  return w.toBuffer();
}

/** Total frame length announced by the first 12 bytes, validated as ubus_validate_hdr does. */
export function frameLength(head: Buffer, offset = 0): number {
  const version = head[offset];
  if (version !== 0) throw protocolError('ubus header', `version 0, got ${version}`);
  const raw = head.readUInt32BE(offset + UBUS_HEADER_BYTES) & BLOB_ATTR_LEN_MASK;
  if (raw < BLOB_HEADER_BYTES) throw protocolError('ubus message blob', `a length >= 4, got ${raw}`);
  if (padLen(raw) > UBUS_MAX_MSGLEN) throw protocolError('ubus message blob', `at most ${UBUS_MAX_MSGLEN} bytes, got ${raw}`);
  return UBUS_HEADER_BYTES + raw;
}

function readU32(frame: Buffer, s: number, e: number, name: string): number {
  if (e - s !== 4) throw protocolError(`ubus attribute ${name}`, `4 bytes, got ${e - s}`);
  return frame.readUInt32BE(s);
}

function readString(frame: Buffer, s: number, e: number, name: string): string {
  if (e - s < 1 || frame[e - 1] !== 0) throw protocolError(`ubus attribute ${name}`, 'a NUL-terminated string');
  const nul = frame.indexOf(0, s);
  return frame.toString('utf8', s, nul);
}

/** Decodes one complete frame (header + message blob). DATA/SIGNATURE stay raw (views into frame). */
export function decodeMessage(frame: Buffer): UbusMessage {
  if (frame.length < UBUS_HEADER_BYTES + BLOB_HEADER_BYTES) {
    throw protocolError('ubus frame', `at least 12 bytes, got ${frame.length}`);
  }
  const total = frameLength(frame);
  if (total !== frame.length) throw protocolError('ubus frame', `${total} bytes as announced, got ${frame.length}`);
  const type = frame[1]!;
  if (type >= MSG_TYPE_LAST) throw protocolError('ubus header', `a message type < ${MSG_TYPE_LAST}, got ${type}`);
  const attrs: UbusAttrs = {};
  const start = UBUS_HEADER_BYTES + BLOB_HEADER_BYTES;
  if (type === MsgType.MONITOR) {
    return { type, seq: frame.readUInt16BE(2), peer: frame.readUInt32BE(4), attrs, monitor: readMonitor(frame, start, total) };
  }
  forEachBlobAttr(frame, start, total, 'ubus message attributes', (at) => {
    const key = KEY_BY_ID[at.id];
    if (!key || at.extended) return; // unknown ids are skipped, as blob_parse does
    const s = at.dataStart;
    const e = at.dataEnd;
    switch (ATTR_INFO[key].kind) {
      case 'u32':
        (attrs as Record<string, unknown>)[key] = readU32(frame, s, e, key);
        break;
      case 'u8':
        if (e - s !== 1) throw protocolError(`ubus attribute ${key}`, `1 byte, got ${e - s}`);
        (attrs as Record<string, unknown>)[key] = frame[s] !== 0;
        break;
      case 'string':
        (attrs as Record<string, unknown>)[key] = readString(frame, s, e, key);
        break;
      case 'nested':
        (attrs as Record<string, unknown>)[key] = frame.subarray(s, e);
        break;
      case 'ids': {
        const ids: number[] = [];
        forEachBlobAttr(frame, s, e, 'ubus attribute subscribers', (c) => {
          ids.push(readU32(frame, c.dataStart, c.dataEnd, 'subscribers[]'));
        });
        attrs.subscribers = ids;
        break;
      }
    }
  });
  return { type, seq: frame.readUInt16BE(2), peer: frame.readUInt32BE(4), attrs };
}
