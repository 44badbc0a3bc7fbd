import t from 'tap';
import { canonicalIp, inAnyPrefix, isLocalScope, parseIp, parsePrefix, prefixContains } from '../../src/model/ip-address.js';

t.test('canonical forms (RFC 5952 for IPv6)', async (t) => {
  const cases: Array<[string, string | null]> = [
    ['10.99.0.1', '10.99.0.1'],
    ['fd99:0000:0000:0000:0000:0000:0000:0001', 'fd99::1'],
    ['FD99::0001', 'fd99::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::1%br-lan', null], // zone ids never reach a rule
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // IPv4-mapped: dotted tail, as inet_ntop (conntrack, iproute2) prints it
    ['::ffff:c000:201', '::ffff:192.0.2.1'],
    ['010.0.0.1', null], // leading zeros read as octal by some tools
    ['1::', '1::'],
    ['256.1.1.1', null],
    ['1.2.3', null],
    ['01.2.3.4x', null],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1::2::3', null],
    ['g::1', null],
    ['', null],
  ];
  for (const [input, want] of cases) t.equal(canonicalIp(input), want, input);
});

t.test('prefixes: parse, clear host bits, contain', async (t) => {
  const p4 = parsePrefix('192.168.1.77/24')!;
  t.same([...p4.bytes], [192, 168, 1, 0]);
  t.ok(prefixContains(p4, parseIp('192.168.1.200')!));
  t.notOk(prefixContains(p4, parseIp('192.168.2.1')!));
  t.notOk(prefixContains(p4, parseIp('fd00::1')!), 'families never mix');
  const odd = parsePrefix('10.0.0.0/13')!;
  t.ok(prefixContains(odd, parseIp('10.7.255.255')!));
  t.notOk(prefixContains(odd, parseIp('10.8.0.0')!));
  const p6 = parsePrefix('fd00:1:2::/48')!;
  t.ok(prefixContains(p6, parseIp('fd00:1:2:ffff::9')!));
  t.notOk(prefixContains(p6, parseIp('fd00:1:3::1')!));
  t.ok(prefixContains(parsePrefix('0.0.0.0/0')!, parseIp('8.8.8.8')!));
  t.equal(parsePrefix('10.0.0.1')!.bits, 32, 'a bare address is a host prefix');
  t.equal(parsePrefix('10.0.0.0/33'), null);
  t.equal(parsePrefix('fd00::/129'), null);
  t.equal(parsePrefix('10.0.0.0/x'), null);
  t.equal(parsePrefix('nonsense/8'), null);
  t.ok(inAnyPrefix([p4, p6], 'fd00:1:2::5'));
  t.notOk(inAnyPrefix([p4, p6], 'not-an-ip'));
});

t.test('local scope: loopback, link-local, multicast, broadcast', async (t) => {
  const local = ['127.0.0.1', '169.254.1.1', '224.0.0.251', '239.255.255.250', '255.255.255.255', '0.0.0.0', '::1', '::', 'fe80::1', 'ff02::fb'];
  const global = ['8.8.8.8', '100.64.0.1', '192.168.1.1', '2001:db8::1', 'fd00::1', 'fec0::1'];
  for (const a of local) t.equal(isLocalScope(parseIp(a)!), true, a);
  for (const a of global) t.equal(isLocalScope(parseIp(a)!), false, a);
});
