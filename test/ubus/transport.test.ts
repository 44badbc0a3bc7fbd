// The client over an in-memory Duplex pair, with the test playing ubusd:
// the bytes the client writes are checked against libubus's, and a hostile
// "ubusd" cannot crash it or leave a call hanging.
import t from 'tap';
import { Duplex } from 'node:stream';
import { decodeMessage, encodeMessage, encodeTableContent, MsgType, UbusClient, UbusFramer } from '../../src/ubus/index.js';
import type { UbusMessage } from '../../src/ubus/index.js';
import { bytes } from './hex.js';

function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  for (let i = 0; i < 2; i++) {
    sides.push(
      new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          sides[1 - i]!.push(chunk);
          cb();
        },
        final(cb) {
          sides[1 - i]!.push(null);
          cb();
        },
      }),
    );
  }
  return [sides[0]!, sides[1]!];
}

/** The test's end of the pair: collects the client's frames. */
function fakeUbusd(stream: Duplex): { frames: Buffer[]; next(): Promise<Buffer>; send(m: UbusMessage): void } {
  const framer = new UbusFramer();
  const frames: Buffer[] = [];
  const waiters: ((b: Buffer) => void)[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const f of framer.push(chunk)) {
      const w = waiters.shift();
      if (w) w(f);
      else frames.push(f);
    }
  });
  return {
    frames,
    next: () => (frames.length ? Promise.resolve(frames.shift()!) : new Promise((r) => waiters.push(r))),
    send: (m) => void stream.write(encodeMessage(m)),
  };
}

t.test('a call is LOOKUP then INVOKE, byte for byte as libubus', async (t) => {
  const [clientSide, ubusdSide] = duplexPair();
  const ubusd = fakeUbusd(ubusdSide);
  const client = new UbusClient({ transport: () => clientSide, reconnect: false });
  t.teardown(() => client.close());
  const connected = client.connect();
  ubusd.send({ type: MsgType.HELLO, seq: 0, peer: 0xcafe, attrs: {} });
  await connected;
  t.equal(client.localId, 0xcafe);

  const result = client.call('x', 'm', { a: 1 });
  const lookup = await ubusd.next();
  t.equal(lookup.toString('hex'), bytes('00 04 00 01 00 00 00 00   # LOOKUP, seq 1, peer 0', '00 00 00 0c', '02 00 00 06 78 00 00 00   # OBJPATH "x"').toString('hex'));
  ubusd.send({ type: MsgType.DATA, seq: 1, peer: 0, attrs: { objpath: 'x', objid: 0x100, objtype: 0x200, signature: Buffer.alloc(0) } });
  ubusd.send({ type: MsgType.STATUS, seq: 1, peer: 0, attrs: { status: 0 } });
  const invoke = await ubusd.next();
  t.equal(
    invoke.toString('hex'),
    bytes(
      '00 05 00 02 00 00 01 00   # INVOKE, seq 2, peer = object 0x100',
      '00 00 00 24',
      '03 00 00 08 00 00 01 00   # OBJID',
      '04 00 00 06 6d 00 00 00   # METHOD "m"',
      '07 00 00 10 85 00 00 0c 00 01 61 00 00 00 00 01   # DATA {"a": 1}',
    ).toString('hex'),
  );
  // The reply as ubusd forwards it: peer = the object id, same seq.
  ubusd.send({ type: MsgType.DATA, seq: 2, peer: 0x100, attrs: { objid: 0x100, data: encodeTableContent({ ok: true }) } });
  ubusd.send({ type: MsgType.STATUS, seq: 2, peer: 0x100, attrs: { status: 0, objid: 0x100 } });
  t.same(await result, { ok: true });

  // Replies for another peer or seq are not taken for ours.
  const second = client.call('x', 'm');
  const inv2 = decodeMessage(await ubusd.next());
  ubusd.send({ type: MsgType.STATUS, seq: inv2.seq, peer: 0x999, attrs: { status: 4 } });
  ubusd.send({ type: MsgType.STATUS, seq: inv2.seq, peer: 0x100, attrs: { status: 0 } });
  t.same(await second, {}, 'cached id, no second lookup; the stray status was ignored');
});

t.test('a hostile ubusd: an oversized frame ends the session, the call fails typed', async (t) => {
  const [clientSide, ubusdSide] = duplexPair();
  const ubusd = fakeUbusd(ubusdSide);
  const client = new UbusClient({ transport: () => clientSide, reconnect: false });
  t.teardown(() => client.close());
  const connected = client.connect();
  ubusd.send({ type: MsgType.HELLO, seq: 0, peer: 1, attrs: {} });
  await connected;
  const call = client.call('x', 'm', {}, { timeoutMs: 60000 });
  await ubusd.next();
  ubusdSide.write(Buffer.from('000200010000000000ffffff', 'hex'));
  await t.rejects(call, { code: 'CONNECTION_FAILED' });
  t.equal(client.connected, false);
});

t.test('no HELLO: connect fails with CONNECTION_FAILED', async (t) => {
  const [clientSide, ubusdSide] = duplexPair();
  const client = new UbusClient({ transport: () => clientSide, reconnect: false, connectTimeoutMs: 30 });
  t.teardown(() => client.close());
  await t.rejects(client.connect(), { code: 'CONNECTION_FAILED' });
  ubusdSide.destroy();
  const [c2, u2] = duplexPair();
  const client2 = new UbusClient({ transport: () => c2, reconnect: false });
  t.teardown(() => client2.close());
  const p = client2.connect();
  u2.write(encodeMessage({ type: MsgType.STATUS, seq: 0, peer: 5, attrs: { status: 0 } }));
  await t.rejects(p, { code: 'CONNECTION_FAILED' }, 'something else than HELLO first');
});
