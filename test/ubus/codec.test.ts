// Golden byte vectors written by hand from the C definitions (ubusmsg.h,
// blob.h, blobmsg.h and the builders in libubus*.c / ubusd_proto.c), each
// checked in both directions: encode -> bytes and bytes -> decode.
import t from 'tap';
import {
  decodeMessage,
  decodeTableContent,
  encodeMessage,
  encodeTableContent,
  MsgType,
  typed,
  UbusError,
} from '../../src/ubus/index.js';
import type { UbusMessage } from '../../src/ubus/index.js';
import { encodeSignature } from '../../src/ubus/object.js';
import { bytes } from './hex.js';

interface MsgVector {
  name: string;
  msg: UbusMessage;
  wire: Buffer;
}

const addObjectSignature = bytes(
  '82 00 00 1c   # blobmsg, extended|TABLE(2), raw length 28',
  '00 05 68 65 6c 6c 6f 00   # namelen 5, "hello", NUL (2+5+1 = 8, no padding)',
  '85 00 00 10   # extended|INT32(5), raw length 16: argument "name"',
  '00 04 6e 61 6d 65 00 00   # namelen 4, "name", NUL, 1 byte padding (2+4+1 -> 8)',
  '00 00 00 03   # BLOBMSG_TYPE_STRING',
);

const messages: MsgVector[] = [
  {
    name: 'HELLO (ubusd_send_hello: empty blob, peer = the client id)',
    msg: { type: MsgType.HELLO, seq: 0, peer: 0x5f4f4606, attrs: {} },
    wire: bytes('00   # version 0', '00   # UBUS_MSG_HELLO', '00 00   # seq 0', '5f 4f 46 06   # peer (client id), big endian', '00 00 00 04   # message blob: id 0, raw length 4 (no attributes)'),
  },
  {
    name: 'STATUS (ubusd retmsg)',
    msg: { type: MsgType.STATUS, seq: 7, peer: 0, attrs: { status: 4 } },
    wire: bytes('00 01 00 07 00 00 00 00   # v0, STATUS, seq 7, peer 0', '00 00 00 0c   # blob id 0, length 12', '01 00 00 08   # UBUS_ATTR_STATUS (1), length 8', '00 00 00 04   # UBUS_STATUS_NOT_FOUND'),
  },
  {
    name: 'DATA (ubus_send_reply: OBJID then DATA)',
    msg: { type: MsgType.DATA, seq: 0x1234, peer: 0x0a0b0c0d, attrs: { objid: 0x11223344, data: encodeTableContent({ a: 1 }) } },
    wire: bytes(
      '00 02 12 34 0a 0b 0c 0d   # v0, DATA, seq 0x1234, peer',
      '00 00 00 1c   # blob length 28',
      '03 00 00 08 11 22 33 44   # UBUS_ATTR_OBJID (3)',
      '07 00 00 10   # UBUS_ATTR_DATA (7), length 16',
      '85 00 00 0c 00 01 61 00 00 00 00 01   # blobmsg INT32 "a" = 1',
    ),
  },
  {
    name: 'PING',
    msg: { type: MsgType.PING, seq: 1, peer: 0, attrs: {} },
    wire: bytes('00 03 00 01 00 00 00 00   # v0, PING, seq 1, peer 0', '00 00 00 04   # empty'),
  },
  {
    name: 'LOOKUP "network" (ubus_lookup)',
    msg: { type: MsgType.LOOKUP, seq: 2, peer: 0, attrs: { objpath: 'network' } },
    wire: bytes('00 04 00 02 00 00 00 00   # v0, LOOKUP, seq 2', '00 00 00 10   # length 16', '02 00 00 0c 6e 65 74 77 6f 72 6b 00   # UBUS_ATTR_OBJPATH (2) "network\\0"'),
  },
  {
    name: 'INVOKE (ubus_invoke_async: OBJID, METHOD, DATA; peer = object id)',
    msg: { type: MsgType.INVOKE, seq: 3, peer: 0x01020304, attrs: { objid: 0x01020304, method: 'status', data: Buffer.alloc(0) } },
    wire: bytes(
      '00 05 00 03 01 02 03 04   # v0, INVOKE, seq 3, peer = object',
      '00 00 00 1c   # length 28',
      '03 00 00 08 01 02 03 04   # OBJID',
      '04 00 00 0b 73 74 61 74 75 73 00 00   # UBUS_ATTR_METHOD (4) "status\\0", raw 11, padded to 12',
      '07 00 00 04   # DATA: empty table',
    ),
  },
  {
    name: 'ADD_OBJECT (ubus_add_object: OBJPATH, SIGNATURE)',
    msg: { type: MsgType.ADD_OBJECT, seq: 1, peer: 0, attrs: { objpath: 'test', signature: addObjectSignature } },
    wire: bytes(
      '00 06 00 01 00 00 00 00   # v0, ADD_OBJECT, seq 1',
      '00 00 00 30   # length 48',
      '02 00 00 09 74 65 73 74 00 00 00 00   # OBJPATH "test\\0", raw 9, padded 12',
      '06 00 00 20   # UBUS_ATTR_SIGNATURE (6), length 32',
      addObjectSignature.toString('hex'),
    ),
  },
  {
    name: 'REMOVE_OBJECT',
    msg: { type: MsgType.REMOVE_OBJECT, seq: 5, peer: 0, attrs: { objid: 0x01020304 } },
    wire: bytes('00 07 00 05 00 00 00 00', '00 00 00 0c', '03 00 00 08 01 02 03 04   # OBJID'),
  },
  {
    name: 'SUBSCRIBE (OBJID = subscriber, TARGET)',
    msg: { type: MsgType.SUBSCRIBE, seq: 6, peer: 0, attrs: { objid: 0xaaaa, target: 0xbbbb } },
    wire: bytes('00 08 00 06 00 00 00 00', '00 00 00 14   # length 20', '03 00 00 08 00 00 aa aa   # OBJID', '08 00 00 08 00 00 bb bb   # UBUS_ATTR_TARGET (8)'),
  },
  {
    name: 'UNSUBSCRIBE (ubus_notify_unsubscribe from ubusd)',
    msg: { type: MsgType.UNSUBSCRIBE, seq: 1, peer: 0, attrs: { objid: 0xaaaa, target: 0xbbbb } },
    wire: bytes('00 09 00 01 00 00 00 00', '00 00 00 14', '03 00 00 08 00 00 aa aa', '08 00 00 08 00 00 bb bb'),
  },
  {
    name: 'NOTIFY (__ubus_notify_async without reply: OBJID, METHOD, NO_REPLY, DATA)',
    msg: { type: MsgType.NOTIFY, seq: 9, peer: 0x01020304, attrs: { objid: 0x01020304, method: 'update', noReply: true, data: Buffer.alloc(0) } },
    wire: bytes(
      '00 0a 00 09 01 02 03 04   # v0, NOTIFY, seq 9, peer = object',
      '00 00 00 24   # length 36',
      '03 00 00 08 01 02 03 04   # OBJID',
      '04 00 00 0b 75 70 64 61 74 65 00 00   # METHOD "update"',
      '0a 00 00 05 01 00 00 00   # UBUS_ATTR_NO_REPLY (10) = 1, raw 5, padded 8',
      '07 00 00 04   # DATA: empty',
    ),
  },
  {
    name: 'NOTIFY from ubusd (subscription status: OBJID, ACTIVE)',
    msg: { type: MsgType.NOTIFY, seq: 1, peer: 0, attrs: { objid: 0x01020304, active: true } },
    wire: bytes('00 0a 00 01 00 00 00 00', '00 00 00 14', '03 00 00 08 01 02 03 04', '09 00 00 05 01 00 00 00   # UBUS_ATTR_ACTIVE (9) = 1'),
  },
  {
    name: 'STATUS for a NOTIFY (OBJID, SUBSCRIBERS, STATUS)',
    msg: { type: MsgType.STATUS, seq: 9, peer: 0x01020304, attrs: { objid: 0x01020304, subscribers: [0xaaaa, 0xcccc], status: 0 } },
    wire: bytes(
      '00 01 00 09 01 02 03 04',
      '00 00 00 28   # length 40',
      '03 00 00 08 01 02 03 04   # OBJID',
      '0b 00 00 14   # UBUS_ATTR_SUBSCRIBERS (11), nested, length 20',
      '00 00 00 08 00 00 aa aa   # blob id 0, int32 subscriber id',
      '00 00 00 08 00 00 cc cc',
      '01 00 00 08 00 00 00 00   # STATUS OK',
    ),
  },
  {
    name: 'INVOKE forwarded by ubusd with USER and GROUP',
    msg: { type: MsgType.INVOKE, seq: 4, peer: 0x0000beef, attrs: { objid: 0x0a, method: 'x', user: 'root', group: 'adm', data: Buffer.alloc(0) } },
    wire: bytes(
      '00 05 00 04 00 00 be ef   # peer = the caller',
      '00 00 00 2c   # length 44',
      '03 00 00 08 00 00 00 0a',
      '04 00 00 06 78 00 00 00   # METHOD "x\\0", raw 6, padded 8',
      '0c 00 00 09 72 6f 6f 74 00 00 00 00   # UBUS_ATTR_USER (12) "root\\0"',
      '0d 00 00 08 61 64 6d 00   # UBUS_ATTR_GROUP (13) "adm\\0"',
      '07 00 00 04',
    ),
  },
  {
    name: 'MONITOR (ubusd_monitor_message: CLIENT, PEER, SEQ, TYPE, SEND, DATA)',
    msg: {
      type: MsgType.MONITOR,
      seq: 1,
      peer: 0,
      attrs: {},
      monitor: { client: 0x1111, peer: 0x2222, seq: 3, type: MsgType.PING, send: true, data: Buffer.alloc(0) },
    },
    wire: bytes(
      '00 0b 00 01 00 00 00 00   # v0, MONITOR',
      '00 00 00 30   # length 48',
      '00 00 00 08 00 00 11 11   # UBUS_MONITOR_CLIENT (0)',
      '01 00 00 08 00 00 22 22   # UBUS_MONITOR_PEER (1)',
      '03 00 00 08 00 00 00 03   # UBUS_MONITOR_SEQ (3)',
      '04 00 00 08 00 00 00 03   # UBUS_MONITOR_TYPE (4) = PING',
      '02 00 00 05 01 00 00 00   # UBUS_MONITOR_SEND (2), int8',
      '05 00 00 04   # UBUS_MONITOR_DATA (5): the message attributes (none)',
    ),
  },
];

t.test('every message type encodes to and decodes from its golden bytes', async (t) => {
  const seen = new Set<number>();
  for (const v of messages) {
    seen.add(v.msg.type);
    t.same(encodeMessage(v.msg).toString('hex'), v.wire.toString('hex'), `encode ${v.name}`);
    const d = decodeMessage(v.wire);
    t.equal(d.type, v.msg.type, `decode type ${v.name}`);
    t.equal(d.seq, v.msg.seq, `decode seq ${v.name}`);
    t.equal(d.peer, v.msg.peer, `decode peer ${v.name}`);
    const got: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(d.attrs)) got[k] = Buffer.isBuffer(val) ? val.toString('hex') : val;
    const want: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v.msg.attrs)) want[k] = Buffer.isBuffer(val) ? val.toString('hex') : val;
    t.same(got, want, `decode attrs ${v.name}`);
    if (v.msg.monitor) t.same({ ...d.monitor, data: d.monitor?.data.toString('hex') }, { ...v.msg.monitor, data: '' }, `decode monitor ${v.name}`);
  }
  t.equal(seen.size, 12, 'HELLO..MONITOR all covered');
});

t.test('the signature of a method table matches ubus_push_object_type', async (t) => {
  t.equal(encodeSignature({ hello: { args: { name: 'string' }, handler: () => {} } }).toString('hex'), addObjectSignature.toString('hex'));
});

interface ValueVector {
  name: string;
  value: Record<string, unknown>;
  wire: Buffer;
  decoded?: Record<string, unknown>;
}

const values: ValueVector[] = [
  {
    name: 'STRING',
    value: { s: 'hi' },
    wire: bytes('83 00 00 0b   # extended|STRING(3), raw 11', '00 01 73 00   # namelen 1, "s", NUL (4, no padding)', '68 69 00   # "hi\\0"', '00   # padding to 12'),
  },
  { name: 'INT32 max', value: { n: 2147483647 }, wire: bytes('85 00 00 0c   # extended|INT32(5)', '00 01 6e 00', '7f ff ff ff') },
  { name: 'INT32 negative', value: { n: -1 }, wire: bytes('85 00 00 0c', '00 01 6e 00', 'ff ff ff ff') },
  {
    name: 'INT64 (integer beyond int32)',
    value: { big: 2 ** 40 },
    wire: bytes('84 00 00 14   # extended|INT64(4), raw 20', '00 03 62 69 67 00 00 00   # namelen 3, "big", NUL, 2 bytes padding (6 -> 8)', '00 00 01 00 00 00 00 00   # 2^40'),
  },
  {
    name: 'INT64 negative beyond 2^53 (bigint)',
    value: { big: -(2n ** 62n) },
    wire: bytes('84 00 00 14', '00 03 62 69 67 00 00 00', 'c0 00 00 00 00 00 00 00'),
  },
  {
    name: 'INT16 (typed)',
    value: { t: typed('int16', -2) },
    wire: bytes('86 00 00 0a   # extended|INT16(6), raw 10', '00 01 74 00', 'ff fe', '00 00   # padding'),
    decoded: { t: -2 },
  },
  {
    name: 'INT8 / BOOL',
    value: { b: true },
    wire: bytes('87 00 00 09   # extended|INT8(7) = BOOL, raw 9', '00 01 62 00', '01', '00 00 00'),
  },
  {
    name: 'DOUBLE',
    value: { d: 1.5 },
    wire: bytes('88 00 00 10   # extended|DOUBLE(8), raw 16', '00 01 64 00', '3f f8 00 00 00 00 00 00   # IEEE 754 big endian'),
  },
  {
    name: 'DOUBLE with an integral value (typed)',
    value: { d: typed('double', 2) },
    wire: bytes('88 00 00 10', '00 01 64 00', '40 00 00 00 00 00 00 00'),
    decoded: { d: 2 },
  },
  { name: 'UNSPEC (null)', value: { z: null }, wire: bytes('80 00 00 08   # extended|UNSPEC(0), no data', '00 01 7a 00') },
  {
    name: 'TABLE',
    value: { t: { x: 1 } },
    wire: bytes('82 00 00 14   # extended|TABLE(2), raw 20', '00 01 74 00', '85 00 00 0c 00 01 78 00 00 00 00 01   # INT32 "x" = 1'),
  },
  {
    name: 'ARRAY (children have empty names)',
    value: { a: ['x', 2] },
    wire: bytes(
      '81 00 00 20   # extended|ARRAY(1), raw 32',
      '00 01 61 00',
      '83 00 00 0a 00 00 00 00 78 00 00 00   # STRING, namelen 0 + NUL + 1 pad, "x\\0", 2 pad',
      '85 00 00 0c 00 00 00 00 00 00 00 02   # INT32 2',
    ),
  },
];

t.test('every blobmsg type encodes to and decodes from its golden bytes', async (t) => {
  for (const v of values) {
    t.equal(encodeTableContent(v.value).toString('hex'), v.wire.toString('hex'), `encode ${v.name}`);
    t.same(decodeTableContent(v.wire, 0, v.wire.length), v.decoded ?? v.value, `decode ${v.name}`);
  }
});

t.test('decoded values keep their JS types', async (t) => {
  const d = decodeTableContent(values[4]!.wire, 0, values[4]!.wire.length);
  t.equal(typeof d.big, 'bigint', 'int64 beyond 2^53 stays exact');
  const big = decodeTableContent(values[3]!.wire, 0, values[3]!.wire.length);
  t.equal(typeof big.big, 'number', 'int64 within 2^53 is a number');
  const hostile = encodeTableContent(JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>);
  const proto = decodeTableContent(hostile, 0, hostile.length);
  t.equal(Object.getPrototypeOf(proto), Object.prototype, '__proto__ as a name does not change the prototype');
  t.same(Object.keys(proto), ['__proto__'], 'it is an own member');
});

t.test('encoding refuses what blobmsg cannot carry', async (t) => {
  t.throws(() => encodeTableContent({ s: 'a\0b' }), UbusError);
  t.throws(() => encodeTableContent({ f: () => 1 }), UbusError);
  t.throws(() => encodeTableContent({ b: 2n ** 64n }), UbusError);
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 100; i++) {
    const next = {};
    deep.n = next;
    deep = next;
  }
  t.throws(() => encodeTableContent(root), { code: 'INVALID_ARGUMENT' });
  t.throws(() => encodeMessage({ type: MsgType.INVOKE, seq: 1, peer: 1, attrs: { data: Buffer.alloc(1048576) } }), { code: 'INVALID_ARGUMENT' }, 'the 1 MiB cap');
});
