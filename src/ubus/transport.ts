/**
 * How a client reaches ubusd: a function returning a fresh Duplex stream for
 * each (re)connection, as MQTT.js does; tests can pass an in-memory pair.
 */
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_UBUS_SOCKET } from './constants.js';

export type UbusTransport = () => Duplex;

export function unixSocketTransport(path: string = DEFAULT_UBUS_SOCKET): UbusTransport {
  return () => createConnection({ path });
}
