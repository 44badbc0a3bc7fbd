// A raw ubus connection for tests that speak the wire protocol directly (what a
// hostile or broken client sends), collecting every frame ubusd sends back.
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { decodeMessage, UbusFramer } from '../../src/ubus/index.js';
import type { UbusMessage } from '../../src/ubus/index.js';
import { waitFor } from './bed.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface RawPeer {
  socket: Socket;
  /** Every message received so far, HELLO first. */
  got: UbusMessage[];
  closed: boolean;
  /** Waits for the STATUS with this seq (after any DATA of the same seq). */
  status(seq: number): Promise<number>;
}

export async function rawPeer(t: Teardown, path: string): Promise<RawPeer> {
  const socket = createConnection({ path });
  t.teardown(() => socket.destroy());
  const framer = new UbusFramer();
  const peer: RawPeer = {
    socket,
    got: [],
    closed: false,
    async status(seq) {
      let found: UbusMessage | undefined;
      await waitFor(() => (found = peer.got.find((m) => m.type === 1 && m.seq === seq)) !== undefined || peer.closed, `STATUS seq ${seq}`);
      if (!found) throw new Error(`connection closed before STATUS seq ${seq}`);
      return found.attrs.status!;
    },
  };
  socket.on('data', (chunk: Buffer) => {
    for (const f of framer.push(chunk)) peer.got.push(decodeMessage(f));
  });
  socket.on('close', () => (peer.closed = true));
  socket.on('error', () => undefined);
  await waitFor(() => peer.got.length > 0, 'HELLO');
  return peer;
}

/** A frame from raw attributes ([id, payload] pairs), so that tests can send what encodeMessage refuses to build. */
export function rawFrame(type: number, seq: number, peer: number, attrs: [number, Buffer][]): Buffer {
  const parts: Buffer[] = [];
  for (const [id, payload] of attrs) {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(((id & 0x7f) << 24) | (payload.length + 4));
    const pad = Buffer.alloc((4 - (payload.length % 4)) % 4);
    parts.push(head, payload, pad);
  }
  const body = Buffer.concat(parts);
  const hdr = Buffer.alloc(12);
  hdr[1] = type;
  hdr.writeUInt16BE(seq, 2);
  hdr.writeUInt32BE(peer >>> 0, 4);
  hdr.writeUInt32BE(body.length + 4, 8);
  return Buffer.concat([hdr, body]);
}
