/**
 * What a LOOKUP reply says about an object (ubus_object_data in libubus.h).
 * Pure.
 */
import { forEachBlobAttr } from './blob.js';
import { resolveBlobmsg } from './blobmsg.js';
import { BlobmsgType } from './constants.js';

export interface UbusObjectInfo {
  path: string;
  id: number;
  typeId: number;
  /** Method name -> argument name -> blobmsg type id. */
  signature: Record<string, Record<string, number>>;
  /** The SIGNATURE payload as received (for printing it as the ubus tool does). */
  rawSignature?: Buffer;
}

/** Decodes a SIGNATURE payload: blobmsg tables of int32 type ids. */
export function parseSignature(sig: Buffer | undefined): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  if (!sig) return out;
  forEachBlobAttr(sig, 0, sig.length, 'signature', (a) => {
    const m = resolveBlobmsg(sig, a, 'signature');
    const args: Record<string, number> = {};
    if (m.type === BlobmsgType.TABLE) {
      forEachBlobAttr(sig, m.dataStart, m.dataEnd, `signature.${m.name}`, (c) => {
        const arg = resolveBlobmsg(sig, c, `signature.${m.name}`);
        if (arg.type === BlobmsgType.INT32) args[arg.name] = sig.readUInt32BE(arg.dataStart);
      });
    }
    Object.defineProperty(out, m.name, { value: args, enumerable: true, writable: true, configurable: true });
  });
  return out;
}
