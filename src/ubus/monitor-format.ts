/**
 * The lines of `ubus monitor` (cli.c ubus_cli_monitor_cb):
 *   "<dir> <client %08x> #<peer %08x> <type %14s>: <attributes as JSON>"
 * dir is "->" for a message ubusd sent, "<-" for one it received. The JSON
 * holds the message attributes the tool knows (status, objpath, objid,
 * method, objtype, signature, data, active, no_reply, user, group; in id
 * order), each only when it has the right type; ints print signed as
 * blobmsg int32 does. Pure.
 */
import { blobString, blobU32, untrustedAttrs } from './broker-parse.js';
import { encodeTableContent, typed } from './blobmsg.js';
import { Attr } from './constants.js';
import { formatBlobmsgJson } from './json.js';
import type { UbusMonitorAttrs } from './message.js';

/** cli.c's monitor_types: names by message type, also what `-m` accepts. */
export const MONITOR_TYPE_NAMES: readonly string[] = ['hello', 'status', 'data', 'ping', 'lookup', 'invoke', 'add_object', 'remove_object', 'subscribe', 'unsubscribe', 'notify'];

export function monitorTypeName(type: number): string {
  return MONITOR_TYPE_NAMES[type] ?? String(type);
}

type Kind = 'int32' | 'string' | 'int8' | 'nested';
const FIELDS: [number, string, Kind][] = [
  [Attr.STATUS, 'status', 'int32'],
  [Attr.OBJPATH, 'objpath', 'string'],
  [Attr.OBJID, 'objid', 'int32'],
  [Attr.METHOD, 'method', 'string'],
  [Attr.OBJTYPE, 'objtype', 'int32'],
  [Attr.SIGNATURE, 'signature', 'nested'],
  [Attr.DATA, 'data', 'nested'],
  [Attr.ACTIVE, 'active', 'int8'],
  [Attr.NO_REPLY, 'no_reply', 'int8'],
  [Attr.USER, 'user', 'string'],
  [Attr.GROUP, 'group', 'string'],
];

/** `"name":value` of one scalar, printed as blobmsg_format_json prints it. */
function member(name: string, value: unknown): string {
  const s = formatBlobmsgJson(encodeTableContent({ [name]: value }), -1);
  return s.slice(1, -1);
}

function nestedJson(content: Buffer): string {
  try {
    return formatBlobmsgJson(content, -1);
  } catch {
    // Not a valid blobmsg table: the tool prints none of its members.
    return '{}';
  }
}

/** ubus_cli_get_monitor_data: the attributes of the monitored message as one compact JSON object. */
export function monitorDataJson(data: Buffer): string {
  const found = new Map<number, string>();
  for (const a of untrustedAttrs(data, 0, data.length)) {
    const field = FIELDS.find((f) => f[0] === a.id);
    if (!field) continue;
    const [, name, kind] = field;
    let text: string | undefined;
    if (kind === 'int32') {
      const v = blobU32(data, a);
      if (v !== undefined) text = member(name, typed('int32', v | 0));
    } else if (kind === 'string') {
      const v = blobString(data, a);
      if (v !== undefined) text = member(name, v);
    } else if (kind === 'int8') {
      if (a.dataEnd - a.dataStart === 1) text = member(name, data[a.dataStart] !== 0);
    } else {
      text = `${member(name, '').split(':')[0]}:${nestedJson(data.subarray(a.dataStart, a.dataEnd))}`;
    }
    // The last valid occurrence wins, as in blob_parse.
    if (text !== undefined) found.set(a.id, text);
  }
  const parts: string[] = [];
  for (const [id] of FIELDS) {
    const t = found.get(id);
    if (t !== undefined) parts.push(t);
  }
  return `{${parts.join(',')}}`;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

export function formatMonitorLine(m: UbusMonitorAttrs): string {
  return `${m.send ? '->' : '<-'} ${hex8(m.client)} #${hex8(m.peer)} ${monitorTypeName(m.type).padStart(14)}: ${monitorDataJson(m.data)}`;
}
