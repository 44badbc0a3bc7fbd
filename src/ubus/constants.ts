/**
 * Numbers of the ubus wire protocol, from openwrt/ubus `ubusmsg.h` and
 * openwrt/libubox `blob.h` / `blobmsg.h`. The enums are positional in C, so
 * the values here are the C ordinals.
 */

/** `enum ubus_msg_type`. */
export const MsgType = {
  HELLO: 0,
  STATUS: 1,
  DATA: 2,
  PING: 3,
  LOOKUP: 4,
  INVOKE: 5,
  ADD_OBJECT: 6,
  REMOVE_OBJECT: 7,
  SUBSCRIBE: 8,
  UNSUBSCRIBE: 9,
  NOTIFY: 10,
  MONITOR: 11,
} as const;
export type MsgTypeId = (typeof MsgType)[keyof typeof MsgType];
export const MSG_TYPE_LAST = 12;

/** `enum ubus_msg_attr`: ids of the (non-extended) blob attributes of a message. */
export const Attr = {
  UNSPEC: 0,
  STATUS: 1,
  OBJPATH: 2,
  OBJID: 3,
  METHOD: 4,
  OBJTYPE: 5,
  SIGNATURE: 6,
  DATA: 7,
  TARGET: 8,
  ACTIVE: 9,
  NO_REPLY: 10,
  SUBSCRIBERS: 11,
  USER: 12,
  GROUP: 13,
} as const;
export const ATTR_MAX = 14;

/** `enum ubus_msg_status`. */
export const Status = {
  OK: 0,
  INVALID_COMMAND: 1,
  INVALID_ARGUMENT: 2,
  METHOD_NOT_FOUND: 3,
  NOT_FOUND: 4,
  NO_DATA: 5,
  PERMISSION_DENIED: 6,
  TIMEOUT: 7,
  NOT_SUPPORTED: 8,
  UNKNOWN_ERROR: 9,
  CONNECTION_FAILED: 10,
  NO_MEMORY: 11,
  PARSE_ERROR: 12,
  SYSTEM_ERROR: 13,
} as const;
export type StatusName = keyof typeof Status;
export type StatusCode = (typeof Status)[StatusName];

const STATUS_NAMES = Object.keys(Status) as StatusName[];

/** Status number -> name; unknown numbers (a newer peer) map to UNKNOWN_ERROR. */
export function statusName(code: number): StatusName {
  return STATUS_NAMES[code] ?? 'UNKNOWN_ERROR';
}

/** The texts of `ubus_strerror()` (libubus.c), which the `ubus` tool prints. */
const STATUS_TEXT: Record<StatusName, string> = {
  OK: 'Success',
  INVALID_COMMAND: 'Invalid command',
  INVALID_ARGUMENT: 'Invalid argument',
  METHOD_NOT_FOUND: 'Method not found',
  NOT_FOUND: 'Not found',
  NO_DATA: 'No response',
  PERMISSION_DENIED: 'Permission denied',
  TIMEOUT: 'Request timed out',
  NOT_SUPPORTED: 'Operation not supported',
  UNKNOWN_ERROR: 'Unknown error',
  CONNECTION_FAILED: 'Connection failed',
  NO_MEMORY: 'Out of memory',
  PARSE_ERROR: 'Parsing message data failed',
  SYSTEM_ERROR: 'System error',
};

export function statusText(code: number): string {
  const name = STATUS_NAMES[code];
  return name ? STATUS_TEXT[name] : `Unknown error: ${code}`;
}

/** `enum blobmsg_type`; BOOL shares INT8's id. */
export const BlobmsgType = {
  UNSPEC: 0,
  ARRAY: 1,
  TABLE: 2,
  STRING: 3,
  INT64: 4,
  INT32: 5,
  INT16: 6,
  INT8: 7,
  BOOL: 7,
  DOUBLE: 8,
} as const;
export const BLOBMSG_TYPE_LAST = 8;

/** `enum` of blob.h: raw blob attribute types (used by the ubus message policy). */
export const BlobType = {
  UNSPEC: 0,
  NESTED: 1,
  BINARY: 2,
  STRING: 3,
  INT8: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  DOUBLE: 8,
} as const;

/** blob_attr id_len layout (blob.h). */
export const BLOB_ATTR_ID_MASK = 0x7f000000;
export const BLOB_ATTR_ID_SHIFT = 24;
export const BLOB_ATTR_LEN_MASK = 0x00ffffff;
export const BLOB_ATTR_EXTENDED = 0x80000000;
export const BLOB_ATTR_ALIGN = 4;
export const BLOB_HEADER_BYTES = 4;

/** struct ubus_msghdr: version u8, type u8, seq u16 BE, peer u32 BE. */
export const UBUS_HEADER_BYTES = 8;
/** UBUS_MAX_MSGLEN (libubus.h): the padded message attribute may not exceed 1 MiB. */
export const UBUS_MAX_MSGLEN = 1048576;
/** Object ids below this are ubusd's own (UBUS_SYSTEM_OBJECT_MAX). */
export const UBUS_SYSTEM_OBJECT_MAX = 1024;
export const UBUS_SYSTEM_OBJECT_EVENT = 1;
export const UBUS_SYSTEM_OBJECT_ACL = 2;
export const UBUS_SYSTEM_OBJECT_MONITOR = 3;

/** Nesting depth cap for blobmsg tables/arrays (decode and encode). */
export const BLOBMSG_MAX_DEPTH = 64;

export const DEFAULT_UBUS_SOCKET = '/var/run/ubus/ubus.sock';

export function padLen(len: number): number {
  return (len + BLOB_ATTR_ALIGN - 1) & ~(BLOB_ATTR_ALIGN - 1);
}
