import { Status, statusText } from './constants.js';
import type { StatusName } from './constants.js';

/**
 * Every failure of this library is a UbusError. `code` is the ubus status
 * name the peer (or the library) reported, or PROTOCOL for a malformed frame;
 * callers branch on `code`, never on the message.
 */
export type UbusErrorCode = StatusName | 'PROTOCOL';

export class UbusError extends Error {
  readonly code: UbusErrorCode;
  /** The ubus status number (UNKNOWN_ERROR's for PROTOCOL). */
  readonly status: number;

  constructor(code: UbusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UbusError';
    this.code = code;
    this.status = code === 'PROTOCOL' ? Status.UNKNOWN_ERROR : Status[code];
  }

  static fromStatus(status: number, what: string): UbusError {
    const name = (Object.keys(Status) as StatusName[]).find((k) => Status[k] === status) ?? 'UNKNOWN_ERROR';
    return new UbusError(name, `${what}: ${statusText(status)} (${name})`);
  }
}

/** A frame or blob that does not follow the wire format; where says which part. */
export function protocolError(where: string, expected: string): UbusError {
  return new UbusError('PROTOCOL', `malformed ubus data at ${where}: expected ${expected}`);
}

export function isUbusError(err: unknown): err is UbusError {
  return err instanceof UbusError;
}
