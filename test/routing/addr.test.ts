import t from 'tap';
import { collapsePrefixes, isDomainName, isInterfaceName, parseAddress, parseMac, parsePrefix } from '../../src/routing/addr.js';

t.test('addresses come back in the canonical form iproute2 prints', async (t) => {
  t.same(parseAddress('192.168.1.20'), { family: 4, text: '192.168.1.20', value: 0xc0a80114n });
  t.equal(parseAddress('2001:DB8:0:0:0:0:0:1')?.text, '2001:db8::1');
  t.equal(parseAddress('fd64:1:0:0:1:0:0:0')?.text, 'fd64:1:0:0:1::', 'the longest zero run is compressed');
  t.equal(parseAddress('fd64:0:0:1:0:0:1:1')?.text, 'fd64::1:0:0:1:1', 'the first of two equal zero runs is compressed');
  t.equal(parseAddress('2001:db8:0:1:1:1:1:1')?.text, '2001:db8:0:1:1:1:1:1', 'a single zero group stays');
  t.equal(parseAddress('::')?.text, '::');
  t.equal(parseAddress('::ffff:c000:201')?.text, '::ffff:192.0.2.1', 'v4-mapped prints as a dotted quad');
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', '1::2::3', '12345::', 'fe80::1%eth0', '1.2.3.4;reboot', ':::', '1:2:3:4:5:6:7:8:9']) {
    t.equal(parseAddress(bad), null, `'${bad}' is rejected`);
  }
});

t.test('prefixes clear host bits; a bare address is a host prefix', async (t) => {
  t.same(parsePrefix('192.168.77.5/24'), { family: 4, text: '192.168.77.0/24', network: '192.168.77.0', length: 24 });
  t.equal(parsePrefix('fd77::5/64')?.text, 'fd77::/64');
  t.equal(parsePrefix('10.0.0.1')?.text, '10.0.0.1/32');
  t.equal(parsePrefix('10.0.0.0/33'), null);
  t.equal(parsePrefix('10.0.0.0/08'), null);
  t.equal(parsePrefix('::/129'), null);
});

t.test('collapsePrefixes drops prefixes inside others (nft interval sets reject overlaps)', async (t) => {
  t.same(collapsePrefixes(['10.1.0.0/16', '10.0.0.0/8', '192.168.1.7', '192.168.1.0/24', '172.16.0.1/32']), ['10.0.0.0/8', '172.16.0.1', '192.168.1.0/24']);
  t.same(collapsePrefixes(['fe80::/10', 'fe80::1/128', '::1/128']), ['::1', 'fe80::/10']);
});

t.test('names that reach commands', async (t) => {
  t.equal(parseMac('02:AB:cd:00:11:22'), '02:ab:cd:00:11:22');
  t.equal(parseMac('02-ab-cd-00-11-22'), '02:ab:cd:00:11:22');
  t.equal(parseMac('02:ab-cd:00:11:22'), null, 'mixed separators');
  t.equal(parseMac('02:ab:cd:00:11'), null);
  t.ok(isInterfaceName('br-lan'));
  t.ok(isInterfaceName('wwan0.100'));
  t.notOk(isInterfaceName('a-very-long-ifname'), 'over 15 bytes');
  t.notOk(isInterfaceName('eth0"; flush'));
  t.notOk(isInterfaceName('..'));
  t.notOk(isInterfaceName(''));
  t.ok(isDomainName('video.example.com'));
  t.notOk(isDomainName('a/b.com'));
  t.notOk(isDomainName('-bad.com'));
  t.notOk(isDomainName('x..com'));
});
