// Decoder fuzzing with a seeded PRNG: random, truncated, oversized and
// wrongly-nested frames either decode or fail with a UbusError; never another
// exception, a hang or unbounded memory.
import t from 'tap';
import {
  decodeMessage,
  decodeTableContent,
  encodeMessage,
  encodeTableContent,
  formatBlobmsgJson,
  MsgType,
  UbusError,
  UbusFramer,
} from '../../src/ubus/index.js';
import { parseSignature } from '../../src/ubus/lookup.js';
import { prng } from './hex.js';

const SEED = 0x5eed0003;

function tryAll(frame: Buffer): 'ok' | 'typed' {
  try {
    const m = decodeMessage(frame);
    if (m.attrs.data) {
      decodeTableContent(m.attrs.data, 0, m.attrs.data.length);
      formatBlobmsgJson(m.attrs.data, 0);
    }
    if (m.attrs.signature) parseSignature(m.attrs.signature);
    return 'ok';
  } catch (err) {
    if (err instanceof UbusError) return 'typed';
    throw err;
  }
}

function randomValue(rnd: () => number, depth: number): unknown {
  const k = Math.floor(rnd() * (depth > 3 ? 6 : 8));
  switch (k) {
    case 0:
      return Math.floor(rnd() * 2 ** 31) * (rnd() < 0.5 ? -1 : 1);
    case 1:
      return rnd() * 1e6;
    case 2:
      return 'x'.repeat(Math.floor(rnd() * 9));
    case 3:
      return rnd() < 0.5;
    case 4:
      return null;
    case 5:
      return 2 ** 40 + Math.floor(rnd() * 1000);
    case 6:
      return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 4); i > 0; i--) o[`k${Math.floor(rnd() * 100)}`] = randomValue(rnd, depth + 1);
      return o;
    }
  }
}

function validFrame(rnd: () => number): Buffer {
  return encodeMessage({
    type: Math.floor(rnd() * 11),
    seq: Math.floor(rnd() * 65536),
    peer: Math.floor(rnd() * 2 ** 32),
    attrs: { objid: Math.floor(rnd() * 2 ** 32), method: 'm', data: encodeTableContent(randomValue(rnd, 5) as Record<string, unknown>) },
  });
}

t.test('random valid frames round-trip', async (t) => {
  const rnd = prng(SEED);
  for (let i = 0; i < 500; i++) {
    const v = { root: randomValue(rnd, 0) };
    const enc = encodeTableContent(v);
    const dec = decodeTableContent(enc, 0, enc.length);
    if (!encodeTableContent(dec).equals(enc)) t.fail(`seed ${SEED} case ${i}: re-encoding differs`);
  }
  t.pass('500 random values re-encode to the same bytes');
});

t.test('random bytes, truncations and bit flips: a typed error or a valid message', async (t) => {
  const rnd = prng(SEED + 1);
  const outcome = { ok: 0, typed: 0 };
  for (let i = 0; i < 3000; i++) {
    const base = validFrame(rnd);
    const f = Buffer.from(base);
    const mode = i % 4;
    let frame: Buffer;
    if (mode === 0) {
      frame = Buffer.from(Array.from({ length: 12 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
      frame[0] = 0;
    } else if (mode === 1) {
      frame = f.subarray(0, Math.floor(rnd() * f.length));
    } else {
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) f[12 + Math.floor(rnd() * (f.length - 12))] ^= 1 << Math.floor(rnd() * 8);
      frame = f;
    }
    outcome[tryAll(frame)]++;
  }
  t.ok(outcome.typed > 1000, `typed errors: ${outcome.typed}, decoded: ${outcome.ok} (seed ${SEED + 1})`);
});

t.test('wrongly nested frames: children overrunning their parent, deep nesting', async (t) => {
  // A table whose child claims more bytes than the table holds.
  const over = Buffer.from('820000100001740085000020000178000000000100000000', 'hex');
  t.throws(() => decodeTableContent(over, 0, over.length), { code: 'PROTOCOL' }, 'child longer than parent');
  // 200 nested arrays, hand-built (the encoder refuses to build them).
  let inner = Buffer.alloc(0);
  for (let i = 0; i < 200; i++) {
    const hdr = Buffer.from([0x81, 0, 0, 0, 0, 0, 0, 0]);
    hdr.writeUInt32BE((0x81000000 | (8 + inner.length)) >>> 0, 0);
    inner = Buffer.concat([hdr, inner]);
  }
  t.throws(() => decodeTableContent(inner, 0, inner.length), { code: 'PROTOCOL' }, 'nesting beyond the cap');
  t.throws(() => formatBlobmsgJson(inner, 0), { code: 'PROTOCOL' }, 'the formatter has the same cap');
  const msg = encodeMessage({ type: MsgType.INVOKE, seq: 1, peer: 1, attrs: { objid: 1, method: 'm', data: inner } });
  t.equal(tryAll(msg), 'typed');
  // A string without its NUL, an int32 of 3 bytes, a name longer than the attribute.
  for (const hex of ['8300000800017300', '8500000b00016e00010203', '8300000c00ff7300616200']) {
    const b = Buffer.from(hex, 'hex');
    t.throws(() => decodeTableContent(b, 0, b.length), { code: 'PROTOCOL' }, hex);
  }
});

t.test('oversized frames are refused by the framer before buffering them', async (t) => {
  const f = new UbusFramer();
  const head = Buffer.from('0002000100000000' + 'ffffffff', 'hex');
  t.throws(() => f.push(head), { code: 'PROTOCOL' });
  const g = new UbusFramer();
  const rnd = prng(SEED + 2);
  let typed = 0;
  for (let i = 0; i < 2000; i++) {
    const junk = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)));
    try {
      g.push(junk);
    } catch (err) {
      if (!(err instanceof UbusError)) throw err;
      typed++;
      g.reset();
    }
    if (g.buffered > 8 + 1048576) t.fail('framer holds more than one capped frame');
  }
  t.ok(typed > 0, `${typed} typed errors from random streams`);
});
