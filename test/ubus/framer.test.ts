import t from 'tap';
import { decodeMessage, encodeMessage, encodeTableContent, MsgType, UbusFramer } from '../../src/ubus/index.js';
import { bytes } from './hex.js';

const a = encodeMessage({ type: MsgType.INVOKE, seq: 1, peer: 0x1234, attrs: { objid: 0x1234, method: 'status', data: encodeTableContent({ name: 'wan', up: true }) } });
const b = encodeMessage({ type: MsgType.STATUS, seq: 1, peer: 0x1234, attrs: { status: 0, objid: 0x1234 } });

t.test('a frame split at every byte offset comes out whole, once', async (t) => {
  for (let cut = 0; cut <= a.length; cut++) {
    const f = new UbusFramer();
    const out = [...f.push(a.subarray(0, cut)), ...f.push(a.subarray(cut))];
    t.equal(out.length, 1, `cut at ${cut}`);
    t.equal(out[0]!.toString('hex'), a.toString('hex'), `cut at ${cut}: same bytes`);
    t.equal(f.buffered, 0);
  }
});

t.test('two frames split at every pair of offsets', async (t) => {
  const both = Buffer.concat([a, b]);
  let cases = 0;
  for (let i = 0; i <= both.length; i++) {
    for (let j = i; j <= both.length; j++) {
      const f = new UbusFramer();
      const out = [...f.push(both.subarray(0, i)), ...f.push(both.subarray(i, j)), ...f.push(both.subarray(j))];
      if (out.length !== 2 || !out[0]!.equals(a) || !out[1]!.equals(b)) t.fail(`cuts ${i},${j}`);
      cases++;
    }
  }
  t.ok(cases > 1000, `${cases} splits, all reassembled`);
});

t.test('two frames in one chunk, and one byte at a time', async (t) => {
  const f = new UbusFramer();
  const out = f.push(Buffer.concat([a, b]));
  t.same(out.map((x) => decodeMessage(x).type), [MsgType.INVOKE, MsgType.STATUS]);
  const g = new UbusFramer();
  const many: Buffer[] = [];
  for (const byte of Buffer.concat([b, a, b])) many.push(...g.push(Buffer.from([byte])));
  t.same(many.map((x) => decodeMessage(x).type), [MsgType.STATUS, MsgType.INVOKE, MsgType.STATUS]);
});

t.test('a bad header is a PROTOCOL error, whatever the split', async (t) => {
  const bad = [
    { name: 'version 1', wire: bytes('01 01 00 01 00 00 00 00', '00 00 00 04') },
    { name: 'blob length below 4', wire: bytes('00 01 00 01 00 00 00 00', '00 00 00 03') },
    { name: 'blob length 0', wire: bytes('00 01 00 01 00 00 00 00', '00 00 00 00') },
    { name: 'above the 1 MiB cap', wire: bytes('00 02 00 01 00 00 00 00', '00 10 00 04   # 1 MiB + 4') },
    { name: 'garbage', wire: Buffer.from('GET / HTTP/1.1\r\n') },
  ];
  for (const v of bad) {
    for (let cut = 0; cut <= v.wire.length; cut++) {
      const f = new UbusFramer();
      t.throws(
        () => {
          f.push(v.wire.subarray(0, cut));
          f.push(v.wire.subarray(cut));
        },
        { code: 'PROTOCOL' },
        `${v.name}, cut at ${cut}`,
      );
    }
  }
});

t.test('a short frame waits; at the cap exactly is accepted', async (t) => {
  const f = new UbusFramer();
  t.same(f.push(a.subarray(0, 11)), [], 'less than a head: nothing yet');
  t.equal(f.buffered, 11);
  const capped = Buffer.alloc(8 + 1048576);
  capped.writeUInt32BE(1048576, 8);
  const g = new UbusFramer();
  t.equal(g.push(capped).length, 1, 'a 1 MiB message blob is allowed');
});
