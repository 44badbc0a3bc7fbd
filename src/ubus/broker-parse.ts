/**
 * How ubusd reads a client's message (ubus_parse_msg: blob_parse_untrusted
 * with ubusd_proto.c's policy). Unlike decodeMessage, nothing here throws for
 * the message content: an attribute of the wrong type or size counts as
 * missing, and a malformed attribute ends the list, so the handler answers
 * with a status (INVALID_ARGUMENT, NOT_FOUND...) instead of dropping the
 * client. Only the header (the framer's job) can cost a client its session.
 * Pure.
 */
import { Attr, BLOB_ATTR_EXTENDED, BLOB_ATTR_ID_MASK, BLOB_ATTR_ID_SHIFT, BLOB_ATTR_LEN_MASK, BLOB_HEADER_BYTES, UBUS_HEADER_BYTES, padLen } from './constants.js';
import type { UbusAttrs, UbusMessage } from './message.js';

/** One attribute of an untrusted blob: [dataStart, dataEnd) is its payload. */
export interface LenientAttr {
  id: number;
  extended: boolean;
  dataStart: number;
  dataEnd: number;
}

/**
 * blob_for_each_attr_len: the attributes that lie whole inside [start, end);
 * the walk ends at the first one whose length does not fit.
 */
export function untrustedAttrs(buf: Buffer, start: number, end: number): LenientAttr[] {
  const out: LenientAttr[] = [];
  let pos = start;
  while (end - pos >= BLOB_HEADER_BYTES) {
    const word = buf.readUInt32BE(pos);
    const raw = word & BLOB_ATTR_LEN_MASK;
    if (raw < BLOB_HEADER_BYTES || padLen(raw) > end - pos) break;
    out.push({ id: (word & BLOB_ATTR_ID_MASK) >>> BLOB_ATTR_ID_SHIFT, extended: (word & BLOB_ATTR_EXTENDED) !== 0, dataStart: pos + BLOB_HEADER_BYTES, dataEnd: pos + raw });
    pos += padLen(raw);
  }
  return out;
}

/** blob_check_type for BLOB_ATTR_STRING: at least one byte, the last a NUL; the value ends at the first NUL. */
export function blobString(buf: Buffer, a: LenientAttr): string | undefined {
  if (a.dataEnd - a.dataStart < 1 || buf[a.dataEnd - 1] !== 0) return undefined;
  return buf.toString('utf8', a.dataStart, buf.indexOf(0, a.dataStart));
}

/** blob_check_type for BLOB_ATTR_INT32: exactly four bytes. */
export function blobU32(buf: Buffer, a: LenientAttr): number | undefined {
  return a.dataEnd - a.dataStart === 4 ? buf.readUInt32BE(a.dataStart) : undefined;
}

/** blob_get_u32 on an attribute the policy does not type: reads four bytes whatever its length (C reads the padding). */
function looseU32(buf: Buffer, a: LenientAttr): number | undefined {
  return a.dataStart + 4 <= buf.length ? buf.readUInt32BE(a.dataStart) : undefined;
}

function looseU8(buf: Buffer, a: LenientAttr): boolean | undefined {
  return a.dataStart < buf.length ? buf[a.dataStart] !== 0 : undefined;
}

/** Decodes a complete frame (the framer checked the header) the way ubusd's handlers see it. */
export function parseClientMessage(frame: Buffer): UbusMessage {
  const attrs: UbusAttrs = {};
  for (const a of untrustedAttrs(frame, UBUS_HEADER_BYTES + BLOB_HEADER_BYTES, frame.length)) {
    // The last valid occurrence wins, as in blob_parse_attr; invalid ones leave the earlier value.
    switch (a.id) {
      case Attr.STATUS: {
        const v = blobU32(frame, a);
        if (v !== undefined) attrs.status = v;
        break;
      }
      case Attr.OBJPATH: {
        const v = blobString(frame, a);
        if (v !== undefined) attrs.objpath = v;
        break;
      }
      case Attr.OBJID: {
        const v = blobU32(frame, a);
        if (v !== undefined) attrs.objid = v;
        break;
      }
      case Attr.METHOD: {
        const v = blobString(frame, a);
        if (v !== undefined) attrs.method = v;
        break;
      }
      case Attr.OBJTYPE: {
        const v = blobU32(frame, a);
        if (v !== undefined) attrs.objtype = v;
        break;
      }
      case Attr.SIGNATURE:
        attrs.signature = frame.subarray(a.dataStart, a.dataEnd);
        break;
      case Attr.DATA:
        attrs.data = frame.subarray(a.dataStart, a.dataEnd);
        break;
      case Attr.TARGET: {
        const v = looseU32(frame, a);
        if (v !== undefined) attrs.target = v;
        break;
      }
      case Attr.ACTIVE: {
        const v = looseU8(frame, a);
        if (v !== undefined) attrs.active = v;
        break;
      }
      case Attr.NO_REPLY: {
        const v = looseU8(frame, a);
        if (v !== undefined) attrs.noReply = v;
        break;
      }
      case Attr.USER: {
        const v = blobString(frame, a);
        if (v !== undefined) attrs.user = v;
        break;
      }
      case Attr.GROUP: {
        const v = blobString(frame, a);
        if (v !== undefined) attrs.group = v;
        break;
      }
    }
  }
  return { type: frame[1]!, seq: frame.readUInt16BE(2), peer: frame.readUInt32BE(4), attrs };
}
