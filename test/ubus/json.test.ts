import t from 'tap';
import { decodeTableContent, encodeTableContent, formatBlobmsgJson, formatDouble, parseUbusJson } from '../../src/ubus/index.js';

t.test('JSON -> blobmsg as the ubus tool maps it', async (t) => {
  const wire = encodeTableContent(parseUbusJson('{"i": -5, "big": 3000000000, "f": 1.0, "e": 1e3, "x": 0.25, "b": false, "n": null, "s": "a\\"b", "huge": 12345678901234567890, "exact": 9007199254740993}'));
  t.equal(
    formatBlobmsgJson(wire),
    '{"i":-5,"big":3000000000,"f":1.000000,"e":1000.000000,"x":0.250000,"b":false,"n":null,"s":"a\\"b","huge":9223372036854775807,"exact":9007199254740993}',
    'int32, int64, doubles kept as doubles even when integral, bool, null; beyond int64 saturated; beyond 2^53 exact',
  );
  const d = decodeTableContent(wire, 0, wire.length);
  t.equal(d.exact, 9007199254740993n);
  t.throws(() => parseUbusJson('[1]'), { code: 'PARSE_ERROR' }, 'the top level must be an object');
  t.throws(() => parseUbusJson('{"a":}'), { code: 'PARSE_ERROR' });
  t.throws(() => parseUbusJson('{"a":1} x'), { code: 'PARSE_ERROR' });
  t.throws(() => parseUbusJson('{"a":' + '['.repeat(100) + ']'.repeat(100) + '}'), { code: 'PARSE_ERROR' }, 'nesting cap');
  t.same(parseUbusJson('{"u":"\\u00e9\\n"}'), { u: 'é\n' });
});

t.test('pretty output is blobmsg_format_json_indent(msg, true, 0) byte for byte', async (t) => {
  const wire = encodeTableContent({ a: 1, s: 'x/y', t: {}, arr: [1, 'b'], d: 1.5, b: true, ctl: '\u0001\t' });
  t.equal(
    formatBlobmsgJson(wire, 0),
    '{\n\t"a": 1,\n\t"s": "x\\/y",\n\t"t": {\n\t\t\n\t},\n\t"arr": [\n\t\t1,\n\t\t"b"\n\t],\n\t"d": 1.500000,\n\t"b": true,\n\t"ctl": "\\u0001\\t"\n}',
  );
  t.equal(formatBlobmsgJson(Buffer.alloc(0), 0), '{\n\t\n}', 'an empty table');
});

t.test('%lf', async (t) => {
  t.equal(formatDouble(0.1), '0.100000');
  t.equal(formatDouble(-2.5e-7), '-0.000000');
  t.equal(formatDouble(1e22), '10000000000000000000000.000000');
  t.equal(formatDouble(Number.NaN), 'nan');
  t.equal(formatDouble(-Infinity), '-inf');
});
