/**
 * Arguments of calls to ubusd's own objects, read as ubusd_event.c reads them
 * (blobmsg_parse: an attribute of the wrong type counts as missing). Pure:
 * the broker acts on the result.
 */
import { decodeTableEntries } from './blobmsg.js';
import { BlobmsgType, Status, UBUS_SYSTEM_OBJECT_MAX } from './constants.js';

export type EventCall =
  | { kind: 'status'; status: number }
  | { kind: 'register'; pattern: string; objectId: number }
  | { kind: 'send'; id: string; data: Buffer };

/** The event object (id 1): "register" a pattern for an object, or "send" an event. */
export function parseEventCall(method: string, data: Buffer): EventCall {
  let entries;
  try {
    entries = decodeTableEntries(data, 0, data.length, 'event arguments');
  } catch {
    return { kind: 'status', status: Status.INVALID_ARGUMENT };
  }
  const get = (name: string, type: number): unknown => entries.find((e) => e.name === name && e.type === type)?.value;
  if (method === 'register') {
    const pattern = get('pattern', BlobmsgType.STRING);
    const objectId = get('object', BlobmsgType.INT32);
    if (typeof pattern !== 'string' || typeof objectId !== 'number') return { kind: 'status', status: Status.INVALID_ARGUMENT };
    const id = objectId >>> 0;
    if (id < UBUS_SYSTEM_OBJECT_MAX) return { kind: 'status', status: Status.PERMISSION_DENIED };
    return { kind: 'register', pattern, objectId: id };
  }
  if (method === 'send') {
    const id = get('id', BlobmsgType.STRING);
    const table = entries.find((e) => e.name === 'data' && e.type === BlobmsgType.TABLE);
    if (typeof id !== 'string' || !table) return { kind: 'status', status: Status.INVALID_ARGUMENT };
    if (id.startsWith('ubus.')) return { kind: 'status', status: Status.PERMISSION_DENIED };
    return { kind: 'send', id, data: Buffer.from(data.subarray(table.dataStart, table.dataEnd)) };
  }
  return { kind: 'status', status: Status.INVALID_COMMAND };
}
