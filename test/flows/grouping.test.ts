import t from 'tap';
import { DEFAULT_MARK_MASK, encodeMark, markLayout } from '../../src/model/mark-layout.js';
import { classify, compileClasses } from '../../src/flows/classifier.js';
import { connectionKey } from '../../src/flows/conntrack-entry.js';
import type { ConntrackEntry } from '../../src/flows/conntrack-entry.js';
import type { GroupingOptions, GroupRate, TrackedConnection } from '../../src/flows/grouping.js';
import { DEFAULT_OWN_GROUP_THRESHOLDS, assignMembership, buildFlowGroups, exclusionReason, groupId } from '../../src/flows/grouping.js';
import { parsePrefix } from '../../src/model/ip-address.js';
import type { Rate } from '../../src/flows/rates.js';
import { toSolverFlows } from '../../src/flows/solver-flows.js';
import { ct } from './helpers.js';

const layout = markLayout(DEFAULT_MARK_MASK)!;
const classes = compileClasses([]);
const ctx = { layout, neighbours: new Map<string, string>(), domainAddresses: new Map<string, Set<string>>() };
const lan = [parsePrefix('192.168.1.0/24')!, parsePrefix('fd00:1::/64')!];
const options: GroupingOptions = { lanPrefixes: lan, measureMinAgeS: 10, own: { ...DEFAULT_OWN_GROUP_THRESHOLDS } };
const NOW = 100_000;

function tracked(e: ConntrackEntry, ageS: number, rate: Partial<Rate> | null = null): TrackedConnection {
  const f = { family: e.family, proto: e.proto, src: e.orig.src, dst: e.orig.dst, sport: e.orig.sport, dport: e.orig.dport, mark: e.mark };
  return {
    key: connectionKey(e),
    entry: e,
    firstSeenMs: NOW - ageS * 1000,
    classification: classify(classes, f, ctx),
    rate: rate === null ? null : { upKbps: 0, downKbps: 0, spanMs: 10_000, ...rate },
  };
}

t.test('only LAN hosts talking to the outside are grouped', async (t) => {
  const cases: Array<[string, ConntrackEntry, string | null]> = [
    ['LAN host to the internet', ct({ src: '192.168.1.20', dst: '203.0.113.1' }), null],
    ['LAN host over IPv6', ct({ src: 'fd00:1::20', dst: '2001:db8::1' }), null],
    ['the router itself (modem address)', ct({ src: '100.64.0.2', dst: '203.0.113.1' }), 'not-from-lan'],
    ['inbound port forward', ct({ src: '198.51.100.9', dst: '100.64.0.2', natTo: '198.51.100.9' }), 'not-from-lan'],
    ['LAN to LAN (or the router\'s LAN address)', ct({ src: '192.168.1.20', dst: '192.168.1.1', dport: 53, proto: 'udp' }), 'lan-internal'],
    ['multicast', ct({ proto: 'udp', src: '192.168.1.20', dst: '239.255.255.250', dport: 1900 }), 'local-scope'],
    ['link-local IPv6', ct({ proto: 'udp', src: 'fe80::1', dst: 'fe80::2' }), 'local-scope'],
    ['closing TCP', ct({ src: '192.168.1.20', dst: '203.0.113.1', state: 'TIME_WAIT' }), 'closing'],
  ];
  for (const [what, e, want] of cases) t.equal(exclusionReason(e, lan), want, what);
  const { members, excluded } = assignMembership(cases.map(([, e]) => tracked(e, 1)), NOW, options, new Set());
  t.equal(members.size, 2);
  t.same(excluded, { 'not-from-lan': 2, 'lan-internal': 1, 'local-scope': 2, closing: 1 });
});

t.test('host + class groups; heavy, long-lived and tunnel connections alone; stickiness', async (t) => {
  const web1 = tracked(ct({ src: '192.168.1.20', dst: '203.0.113.1', sport: 40001 }), 30, { downKbps: 300 });
  const web2 = tracked(ct({ src: '192.168.1.20', dst: '203.0.113.2', sport: 40002 }), 5, { downKbps: 100 });
  const dns = tracked(ct({ proto: 'udp', src: '192.168.1.20', dst: '1.1.1.1', dport: 53 }), 1);
  const otherHost = tracked(ct({ src: '192.168.1.21', dst: '203.0.113.1' }), 30, { downKbps: 50 });
  const download = tracked(ct({ src: '192.168.1.21', dst: '203.0.113.3', sport: 40003 }), 15, { downKbps: 8000, upKbps: 100 });
  const youngDownload = tracked(ct({ src: '192.168.1.21', dst: '203.0.113.3', sport: 40004 }), 3, { downKbps: 8000 });
  const call = tracked(ct({ proto: 'udp', src: '192.168.1.22', dst: '203.0.113.5', dport: 3478 }), 25, { upKbps: 40, downKbps: 40 });
  const freshCall = tracked(ct({ proto: 'udp', src: '192.168.1.22', dst: '203.0.113.5', sport: 40011, dport: 3478 }), 6, { upKbps: 40, downKbps: 40 });
  const newCall = tracked(ct({ proto: 'udp', src: '192.168.1.24', dst: '203.0.113.5', sport: 40012, dport: 3478 }), 3, { upKbps: 40, downKbps: 40 });
  const idleCall = tracked(ct({ proto: 'udp', src: '192.168.1.22', dst: '203.0.113.5', sport: 40010, dport: 3478 }), 25, { upKbps: 1, downKbps: 1 });
  const wg = tracked(ct({ proto: 'udp', src: '192.168.1.23', dst: '203.0.113.6', dport: 51820 }), 11);
  const youngWg = tracked(ct({ proto: 'udp', src: '192.168.1.23', dst: '203.0.113.7', dport: 51820 }), 2);
  const all = [web1, web2, dns, otherHost, download, youngDownload, call, freshCall, newCall, idleCall, wg, youngWg];
  const { members } = assignMembership(all, NOW, options, new Set());
  const gid = (c: TrackedConnection): string => members.get(c.key)!.groupId;
  t.equal(gid(web1), 'h:192.168.1.20:web');
  t.equal(gid(web2), gid(web1), 'same host, same class: one group');
  t.equal(gid(dns), 'h:192.168.1.20:dns', 'same host, other class: other group');
  t.equal(gid(otherHost), 'h:192.168.1.21:web');
  t.equal(gid(download), 'c:tcp:192.168.1.21:40003>203.0.113.3:443', 'heavy and old enough: alone');
  t.equal(gid(youngDownload), 'h:192.168.1.21:web', 'heavy but only 3 s old');
  t.match(gid(call), /^c:udp:/, 'a call (class C) carrying 80 kbit/s for 25 s');
  t.match(gid(freshCall), /^c:udp:/, 'a call is on its own after 5 s: it can leave the modem its first packet took');
  t.equal(gid(newCall), 'h:192.168.1.24:realtime-media', 'not in its first 5 s');
  t.equal(gid(idleCall), 'h:192.168.1.22:realtime-media', 'a C-class connection carrying 2 kbit/s is not a call');
  t.match(gid(wg), /^c:udp:192\.168\.1\.23:40000>203\.0\.113\.6:51820$/, 'a tunnel is alone once 10 s old, without counters');
  t.equal(gid(youngWg), 'h:192.168.1.23:vpn-udp');
  // The download slows down: it keeps its own group while it lives.
  const slowed = { ...download, rate: { upKbps: 0, downKbps: 10, spanMs: 10_000 } };
  const again = assignMembership([slowed], NOW, options, new Set([download.key]));
  t.equal(again.members.get(download.key)!.own, true, 'sticky');
  const notSticky = assignMembership([slowed], NOW, options, new Set());
  t.equal(notSticky.members.get(download.key)!.own, false);
});

t.test('demand: class defaults while young, measured when old enough; slots; NAT pins', async (t) => {
  const slot2 = encodeMark(layout, 2, 0);
  const slot3 = encodeMark(layout, 3, 0);
  const webA = tracked(ct({ src: '192.168.1.20', dst: '203.0.113.1', sport: 40001, mark: slot2, natTo: '100.64.0.2' }), 30, { downKbps: 300 });
  const webB = tracked(ct({ src: '192.168.1.20', dst: '203.0.113.2', sport: 40002, mark: 0 }), 2);
  const quic = tracked(ct({ proto: 'udp', src: '192.168.1.20', dst: '203.0.113.2', sport: 40003, mark: slot2 }), 2);
  const quic2 = tracked(ct({ proto: 'udp', src: '192.168.1.20', dst: '203.0.113.3', sport: 40004, mark: slot3 }), 2);
  const big = tracked(ct({ src: '192.168.1.21', dst: '203.0.113.9', mark: slot3, natTo: '100.64.0.3' }), 60, { upKbps: 200, downKbps: 9000 });
  const big6 = tracked(ct({ src: 'fd00:1::21', dst: '2001:db8::9', mark: slot2 }), 60, { upKbps: 100, downKbps: 5000 });
  const bigUdp = tracked(ct({ proto: 'udp', src: '192.168.1.21', dst: '203.0.113.9', dport: 9999, mark: slot3, natTo: '100.64.0.3' }), 60, { downKbps: 4000 });
  const conns = [webA, webB, quic, quic2, big, big6, bigUdp];
  const { members } = assignMembership(conns, NOW, options, new Set());
  const rates = new Map<string, GroupRate>([
    ['h:192.168.1.20:web', { rate: { upKbps: 20, downKbps: 350, spanMs: 10_000 }, sinceMs: NOW - 30_000 }],
    ['h:192.168.1.20:quic', { rate: { upKbps: 5, downKbps: 5, spanMs: 2000 }, sinceMs: NOW - 2000 }],
  ]);
  const groups = buildFlowGroups(conns, members, rates, NOW, layout, options);
  const by = new Map(groups.map((g) => [g.id, g]));
  t.same(groups.map((g) => g.id), [...groups.map((g) => g.id)].sort(), 'sorted by id');
  const web = by.get('h:192.168.1.20:web')!;
  t.same([web.upKbps, web.downKbps, web.measured, web.connections], [20, 350, true, 2], 'the group is 30 s old: measured');
  t.equal(web.currentSlot, 2, 'unplaced connections do not disturb the slot');
  t.equal(web.pinnedByNat, false, 'a host group is never pinned: its new connections may move');
  t.equal(web.qos, 'I');
  const q = by.get('h:192.168.1.20:quic')!;
  t.same([q.upKbps, q.downKbps, q.measured], [200, 2000, false], 'too young: the class\' configured demand');
  t.equal(q.currentSlot, null, 'connections on two modems');
  const bigG = by.get(groupId({ kind: 'connection', tuple: { family: 4, proto: 'tcp', src: '192.168.1.21', dst: '203.0.113.9', sport: 40000, dport: 443 }, className: 'web', conntrackId: null }))!;
  t.ok(bigG, 'the big download has its own group');
  t.same([bigG.upKbps, bigG.downKbps, bigG.measured, bigG.currentSlot, bigG.pinnedByNat], [200, 9000, true, 3, true], 'established NATed TCP: pinned');
  t.equal(bigG.key.kind, 'connection');
  const big6G = groups.find((g) => g.id.startsWith('c:tcp:[fd00:1::21]'))!;
  t.equal(big6G.pinnedByNat, false, 'IPv6 without NAT is not pinned by NAT');
  const udpG = groups.find((g) => g.id.startsWith('c:udp:'))!;
  t.equal(udpG.pinnedByNat, false, 'UDP may move');

  const flows = toSolverFlows(groups, new Map([[2, 'wwan0'], [3, 'wwan1']]));
  const bigF = flows.find((f) => f.id === bigG.id)!;
  t.same(bigF, { id: bigG.id, upKbps: 200, downKbps: 9000, qos: 'I', pinned: 'wwan1' });
  t.notOk('pinned' in flows.find((f) => f.id === web.id)!);
  t.equal(flows.length, groups.length);
  const gone = toSolverFlows(groups, new Map([[2, 'wwan0']]));
  t.notOk('pinned' in gone.find((f) => f.id === bigG.id)!, 'its modem is gone: the pin is dropped so it can move');
});

t.test('group ids are stable and readable', async (t) => {
  t.equal(groupId({ kind: 'host-class', host: 'fd00:1::20', className: 'web' }), 'h:fd00:1::20:web');
  t.equal(
    groupId({ kind: 'connection', tuple: { family: 6, proto: 'udp', src: 'fd00:1::20', dst: '2001:db8::1', sport: 5000, dport: 3478 }, className: 'realtime-media', conntrackId: 9 }),
    'c:udp:[fd00:1::20]:5000>[2001:db8::1]:3478',
  );
  t.equal(
    groupId({ kind: 'connection', tuple: { family: 4, proto: 'esp', src: '192.168.1.2', dst: '203.0.113.1', sport: null, dport: null }, className: 'vpn-esp', conntrackId: 77 }),
    'c:esp:192.168.1.2>203.0.113.1#77',
  );
});
