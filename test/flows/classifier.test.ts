import t from 'tap';
import type { ClassRule } from '../../src/model/config.js';
import { DEFAULT_CLASS_RULES, FALLBACK_CLASS } from '../../src/model/default-classes.js';
import { DEFAULT_MARK_MASK, encodeMark, markLayout } from '../../src/model/mark-layout.js';
import type { ClassifyContext, ConnectionFacts } from '../../src/flows/classifier.js';
import { classify, classList, compileClasses } from '../../src/flows/classifier.js';

const layout = markLayout(DEFAULT_MARK_MASK)!;

function rule(p: Partial<ClassRule> & Pick<ClassRule, 'name'>): ClassRule {
  return { dscp: [], proto: null, destPorts: [], srcPorts: [], srcIps: [], srcMacs: [], destIps: [], domains: [], qos: 'I', upKbps: 10, downKbps: 10, ...p };
}

function conn(proto: string, dport: number | null, p: Partial<ConnectionFacts> = {}): ConnectionFacts {
  const v6 = p.src?.includes(':') ?? false;
  return { family: v6 ? 6 : 4, proto, src: '192.168.1.20', dst: '203.0.113.7', sport: dport === null ? null : 40000, dport, mark: 0, ...p };
}

const ctx: ClassifyContext = {
  layout,
  neighbours: new Map([['192.168.1.30', 'aa:bb:cc:dd:ee:30'], ['fd00:1::30', 'aa:bb:cc:dd:ee:30']]),
  domainAddresses: new Map([['video.example', new Set(['198.51.100.10', '2001:db8::10'])]]),
};

t.test('the class list is user rules, then the defaults, then the fallback', async (t) => {
  const user = [rule({ name: 'mine' })];
  const list = classList(user);
  t.equal(list.length, 1 + DEFAULT_CLASS_RULES.length + 1);
  t.equal(list[0]!.name, 'mine');
  t.equal(list[1]!.name, DEFAULT_CLASS_RULES[0]!.name);
  t.equal(list[list.length - 1], FALLBACK_CLASS);
});

t.test('every default class, from the rules alone (no mark)', async (t) => {
  const classes = compileClasses([]);
  const cases: Array<[string, ConnectionFacts, string, string]> = [
    ['SIP over UDP', conn('udp', 5060), 'sip', 'C'],
    ['SIP over TLS/TCP', conn('tcp', 5061), 'sip-tcp', 'C'],
    ['STUN/TURN (Teams)', conn('udp', 3479), 'realtime-media', 'C'],
    ['Zoom media', conn('udp', 8805), 'realtime-media', 'C'],
    ['Meet media', conn('udp', 19305), 'realtime-media', 'C'],
    ['RTP range', conn('udp', 16384), 'realtime-media', 'C'],
    ['RTSP', conn('tcp', 554), 'rtsp-rtmp', 'S'],
    ['RTMP', conn('tcp', 1935), 'rtsp-rtmp', 'S'],
    ['WireGuard', conn('udp', 51820), 'vpn-udp', 'I'],
    ['OpenVPN', conn('udp', 1194), 'vpn-udp', 'I'],
    ['IKE', conn('udp', 500), 'vpn-udp', 'I'],
    ['IPsec NAT-T', conn('udp', 4500), 'vpn-udp', 'I'],
    ['IPsec ESP', conn('esp', null), 'vpn-esp', 'I'],
    ['DNS', conn('udp', 53), 'dns', 'I'],
    ['SSH', conn('tcp', 22), 'ssh', 'I'],
    ['HTTP', conn('tcp', 80), 'web', 'I'],
    ['HTTPS', conn('tcp', 443), 'web', 'I'],
    ['QUIC', conn('udp', 443), 'quic', 'I'],
    ['HTTPS over IPv6', conn('tcp', 443, { src: 'fd00:1::20', dst: '2001:db8::443' }), 'web', 'I'],
    ['DNS over TCP is not the udp rule', conn('tcp', 53), 'default', 'B'],
    ['SMTP', conn('tcp', 25), 'default', 'B'],
    ['ping', conn('icmp', null), 'default', 'B'],
    ['GRE', conn('gre', null), 'default', 'B'],
    ['UDP just outside the RTP range', conn('udp', 20001), 'default', 'B'],
  ];
  for (const [what, facts, name, qos] of cases) {
    const c = classify(classes, facts, ctx);
    t.same([c.className, c.qos, c.source], [name, qos, 'rules'], what);
  }
});

t.test('DSCP classes come only from the mark; the mark wins over the rules', async (t) => {
  const classes = compileClasses([]);
  const list = classList([]);
  for (const name of ['voice-dscp', 'streaming-dscp', 'bulk-dscp']) {
    const index = list.findIndex((r) => r.name === name) + 1;
    const unmarked = classify(classes, conn('tcp', 443), ctx);
    t.equal(unmarked.className, 'web', `${name}: without a mark, a DSCP rule cannot match in userspace`);
    const marked = classify(classes, conn('tcp', 443, { mark: encodeMark(layout, 2, index) }), ctx);
    t.same([marked.className, marked.index, marked.source], [name, index, 'mark'], `${name} from the ct mark`);
  }
  const outOfRange = classify(classes, conn('udp', 53, { mark: encodeMark(layout, 1, 200) }), ctx);
  t.same([outOfRange.className, outOfRange.source], ['dns', 'rules'], 'a class index beyond the list (old config) falls back to the rules');
  const slotOnly = classify(classes, conn('udp', 53, { mark: encodeMark(layout, 3, 0) }), ctx);
  t.equal(slotOnly.source, 'rules', 'a mark with a slot but no class');
  const noLayout = classify(classes, conn('tcp', 443, { mark: encodeMark(layout, 1, 1) }), { ...ctx, layout: null });
  t.equal(noLayout.source, 'rules', 'no usable layout: marks ignored');
  const foreignBits = classify(classes, conn('tcp', 443, { mark: 0xf000000f }), ctx);
  t.equal(foreignBits.className, 'web', 'bits outside modemflow\'s mask are not a class');
});

t.test('every user-rule matcher; user rules come first; first match wins', async (t) => {
  const user = [
    rule({ name: 'cam-mac', srcMacs: ['AA-BB-CC-DD-EE-30'], qos: 'S' }),
    rule({ name: 'office-v4', srcIps: ['192.168.1.64/26'], qos: 'C' }),
    rule({ name: 'office-v6', srcIps: ['fd00:1::/64'], proto: 'udp', qos: 'C' }),
    rule({ name: 'game-sport', proto: 'udp', srcPorts: [{ from: 27000, to: 27100 }], qos: 'C' }),
    rule({ name: 'backup-dest', destIps: ['198.18.0.0/15', '2001:db8:bac::/48'], qos: 'B' }),
    rule({ name: 'video-domain', domains: ['Video.Example.'], qos: 'S' }),
    rule({ name: 'marked-voice', dscp: [46], proto: 'udp', destPorts: [{ from: 9000, to: 9000 }], qos: 'C' }),
    rule({ name: 'web-override', proto: 'tcp', destPorts: [{ from: 443, to: 443 }], srcIps: ['192.168.1.99'], qos: 'B' }),
  ];
  const classes = compileClasses(user);
  t.same(classes.problems, []);
  const cases: Array<[string, ConnectionFacts, string]> = [
    ['src MAC through the neighbour table', conn('tcp', 443, { src: '192.168.1.30' }), 'cam-mac'],
    ['src MAC over IPv6', conn('tcp', 443, { src: 'fd00:1::30', dst: '2001:db8::1' }), 'cam-mac'],
    ['no neighbour entry: the MAC rule cannot match', conn('tcp', 443, { src: '192.168.1.31' }), 'web'],
    ['src IPv4 CIDR', conn('tcp', 25, { src: '192.168.1.70' }), 'office-v4'],
    ['src IPv4 CIDR, outside', conn('tcp', 25, { src: '192.168.1.20' }), 'default'],
    ['src IPv6 CIDR with proto', conn('udp', 53, { src: 'fd00:1::20', dst: '2001:db8::53' }), 'office-v6'],
    ['src IPv6 CIDR, other proto', conn('tcp', 22, { src: 'fd00:1::20', dst: '2001:db8::22' }), 'ssh'],
    ['src port range', conn('udp', 3000, { sport: 27050 }), 'game-sport'],
    ['dest CIDR v4', conn('tcp', 443, { dst: '198.19.1.1' }), 'backup-dest'],
    ['dest CIDR v6', conn('tcp', 443, { src: 'fd00:2::1', dst: '2001:db8:bac::9' }), 'backup-dest'],
    ['domain via resolved addresses', conn('tcp', 443, { dst: '198.51.100.10' }), 'video-domain'],
    ['domain, IPv6 address written long', conn('udp', 443, { src: 'fd00:2::1', dst: '2001:0db8:0000:0000:0000:0000:0000:0010' }), 'video-domain'],
    ['DSCP + port: unconfirmable in userspace', conn('udp', 9000), 'default'],
    ['single-host src with port (earlier rules do not match)', conn('tcp', 443, { src: '192.168.1.99' }), 'office-v4'],
  ];
  for (const [what, facts, name] of cases) t.equal(classify(classes, facts, ctx).className, name, what);
  const idx = classify(classes, conn('tcp', 25, { src: '192.168.1.70' }), ctx).index;
  t.equal(idx, 2, 'index = position + 1');
  const byMark = classify(classes, conn('udp', 9000, { mark: encodeMark(layout, 1, 7) }), ctx);
  t.equal(byMark.className, 'marked-voice', 'the kernel saw the DSCP and marked it');
});

t.test('ports without a protocol match only port-carrying protocols', async (t) => {
  const classes = compileClasses([rule({ name: 'port-7', destPorts: [{ from: 7, to: 7 }], qos: 'C' })]);
  t.equal(classify(classes, conn('udp', 7), ctx).className, 'port-7');
  t.equal(classify(classes, conn('sctp', 7), ctx).className, 'port-7');
  t.equal(classify(classes, conn('udplite', 7), ctx).className, 'default', 'as the kernel rule: tcp, udp, sctp only');
  t.equal(classify(classes, conn('icmp', null), ctx).className, 'default');
});

t.test('bad rule values are reported and the rule never matches', async (t) => {
  const classes = compileClasses([
    rule({ name: 'bad-ip', srcIps: ['192.168.1.0/33'] }),
    rule({ name: 'bad-mac', srcMacs: ['aa:bb:cc'] }),
    rule({ name: 'bad-port', destPorts: [{ from: 10, to: 5 }] }),
  ]);
  t.equal(classes.problems.length, 3);
  t.match(classes.problems[0], /class 'bad-ip': src_ip '192\.168\.1\.0\/33'/);
  t.match(classes.problems[1], /bad-mac.*not a MAC/);
  t.match(classes.problems[2], /bad-port.*10-5/);
  t.equal(classify(classes, conn('tcp', 443), ctx).className, 'web');
});
