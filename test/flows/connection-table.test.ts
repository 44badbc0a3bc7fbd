import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MARK_MASK, encodeMark, markLayout } from '../../src/model/mark-layout.js';
import type { ClassRule } from '../../src/model/config.js';
import type { ClassifyContext } from '../../src/flows/classifier.js';
import { compileClasses } from '../../src/flows/classifier.js';
import { ConnectionTable } from '../../src/flows/connection-table.js';
import type { TableSettings } from '../../src/flows/connection-table.js';
import { parseConntrackEvent, parseConntrackListing } from '../../src/flows/conntrack-parser.js';
import type { ConntrackEvent } from '../../src/flows/conntrack-entry.js';
import { DEFAULT_OWN_GROUP_THRESHOLDS } from '../../src/flows/grouping.js';
import { parsePrefix } from '../../src/model/ip-address.js';
import { ct, ctLine } from './helpers.js';

const layout = markLayout(DEFAULT_MARK_MASK)!;
const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

function table(userRules: ClassRule[] = [], lan = ['192.168.1.0/24', '10.99.0.0/24', 'fd99::/64']): ConnectionTable {
  const lanPrefixes = lan.map((p) => parsePrefix(p)!);
  const settings: TableSettings = {
    classes: compileClasses(userRules),
    layout,
    grouping: { lanPrefixes, measureMinAgeS: 10, own: { ...DEFAULT_OWN_GROUP_THRESHOLDS } },
    rateWindowMs: 10_000,
    minRateSpanMs: 4000,
  };
  const ctx: ClassifyContext = { layout, neighbours: new Map(), domainAddresses: new Map() };
  return new ConnectionTable(settings, ctx);
}

function event(line: string): ConntrackEvent {
  const r = parseConntrackEvent(line);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.value;
}

t.test('polls give per-connection and per-group rates; a host group becomes measured at 10 s', async (t) => {
  const tab = table();
  const base = { src: '192.168.1.20', dst: '203.0.113.1', dport: 443 };
  let groups = tab.regroup(0);
  for (let i = 0; i <= 6; i++) {
    // Two web connections of one host: 25 000 bytes/s down each (200 kbit/s), 2500 up (20 kbit/s).
    const entries = [40001, 40002].map((sport) => ct({ ...base, sport, upBytes: 1_000_000 + i * 5000, downBytes: 9_000_000 + i * 50_000 }));
    tab.ingestListing(entries, i * 2000);
    groups = tab.regroup(i * 2000);
  }
  t.equal(groups.length, 1);
  const g = groups[0]!;
  t.equal(g.id, 'h:192.168.1.20:web');
  t.equal(g.connections, 2);
  t.equal(g.measured, true, 'the group exists since 0 ms; at 12 s it is measured');
  t.equal(Math.round(g.downKbps), 400);
  t.equal(Math.round(g.upKbps), 40);
  const view = tab.view(12_000);
  t.equal(view.length, 2);
  t.equal(Math.round(view[0]!.downKbps!), 200, 'a connection first seen mid-life: its earlier bytes are not a burst');
  t.equal(view[0]!.groupId, 'h:192.168.1.20:web');
  t.equal(view[0]!.className, 'web');
  // The connections disappear from the listing: gone.
  tab.ingestListing([], 14_000);
  t.same(tab.regroup(14_000), []);
  t.equal(tab.size, 0);
});

t.test('young groups and accounting off use the class demand', async (t) => {
  const tab = table();
  for (let i = 0; i <= 10; i++) {
    tab.ingestListing([ct({ proto: 'udp', src: '192.168.1.20', dst: '203.0.113.1', dport: 443 })], i * 2000);
    const [g] = tab.regroup(i * 2000);
    t.same([g!.upKbps, g!.downKbps, g!.measured], [200, 2000, false], `no counters at ${i * 2} s: QUIC class demand`);
  }
});

t.test('NEW events start connections at zero bytes; DESTROY counts the final bytes in the group', async (t) => {
  const tab = table();
  const lines = fixture('events-extended-id.txt').split('\n').filter((l) => l.trim() !== '');
  for (const l of lines) tab.ingestEvent(event(l), 0);
  t.equal(tab.size, 4, 'two TCP and two UDP connections, IPv4 and IPv6');
  tab.regroup(0);
  // The first poll 2 s later: the IPv4 TCP connection carried 20 528 bytes up since its NEW event.
  tab.ingestListing(parseConntrackListing(fixture('list-extended-id-acct.txt')).entries.filter((e) => e.proto !== 'icmp' && e.proto !== 'icmpv6'), 2000);
  const v = tab.view(2000).find((c) => c.key === 'tcp:10.99.0.1:55986>10.99.0.2:5001')!;
  t.equal(v.upKbps, (20528 * 8) / 2000);
  tab.regroup(2000);
  // A connection seen only through NEW, then DESTROY with counters: its bytes count in its host group.
  const newLine = `    [NEW] ${ctLine({ proto: 'udp', src: '10.99.0.7', dst: '203.0.113.9', dport: 9999, id: 5 })}`;
  tab.ingestEvent(event(newLine), 2100);
  tab.regroup(2200);
  const destroy = `[DESTROY] ${ctLine({ proto: 'udp', src: '10.99.0.7', dst: '203.0.113.9', dport: 9999, id: 5, upBytes: 0, downBytes: 500_000 })}`;
  tab.ingestEvent(event(destroy), 3000);
  t.equal(tab.view(3000).some((c) => c.key.includes('10.99.0.7')), false, 'destroyed');
  const later = tab.regroup(4000);
  t.equal(later.some((g) => g.id === 'h:10.99.0.7:default'), false, 'no live connection, no group');
  // The host's group history survives one window: a new connection joins a group that has 4 s of history.
  tab.ingestListing([ct({ proto: 'udp', src: '10.99.0.7', dst: '203.0.113.9', dport: 9999, id: 6, upBytes: 0, downBytes: 0 })], 6000);
  const back = tab.regroup(6000).find((g) => g.id === 'h:10.99.0.7:default')!;
  t.equal(back.measured, false, 'the group is 3.8 s old: not measured yet');
  tab.ingestListing([ct({ proto: 'udp', src: '10.99.0.7', dst: '203.0.113.9', dport: 9999, id: 6, upBytes: 0, downBytes: 0 })], 12_200);
  const measured = tab.regroup(12_200).find((g) => g.id === 'h:10.99.0.7:default')!;
  t.equal(measured.measured, true);
  t.equal(measured.downKbps, (500_000 * 8) / 10_000, 'the destroyed connection\'s 500 kB lie in the 10 s window');
});

t.test('a reused tuple with a new conntrack id is a new connection; counters going back are resets', async (t) => {
  const tab = table();
  const spec = { src: '192.168.1.20', dst: '203.0.113.1', sport: 40001 };
  tab.ingestListing([ct({ ...spec, id: 1, upBytes: 100, downBytes: 100 })], 0);
  tab.ingestListing([ct({ ...spec, id: 1, upBytes: 200, downBytes: 200 })], 2000);
  t.equal(tab.view(2000)[0]!.ageMs, 2000);
  tab.ingestListing([ct({ ...spec, id: 2, upBytes: 10, downBytes: 10 })], 4000);
  t.equal(tab.view(4000)[0]!.ageMs, 0, 'new id: new connection');
  t.equal(tab.counterResets, 0);
  // Without ids (/proc), a counter that goes back is a reset of the same connection.
  const noId = table();
  noId.ingestListing([ct({ ...spec, upBytes: 5000, downBytes: 5000 })], 0);
  noId.ingestListing([ct({ ...spec, upBytes: 100, downBytes: 100 })], 2000);
  t.equal(noId.counterResets, 1);
  t.equal(noId.view(2000)[0]!.upKbps, 0.4, '100 bytes in 2 s');
});

t.test('classes: from the mark when the kernel set one, again when classification inputs change', async (t) => {
  const user: ClassRule[] = [
    { name: 'tv', dscp: [], proto: null, destPorts: [], srcPorts: [], srcIps: [], srcMacs: [], destIps: [], domains: ['tv.example'], qos: 'S', upKbps: 100, downKbps: 8000 },
  ];
  const tab = table(user);
  const tv = { src: '192.168.1.20', dst: '198.51.100.10', sport: 40001 };
  tab.ingestListing([ct(tv)], 0);
  t.equal(tab.view(0)[0]!.className, 'web');
  tab.setContext({ layout, neighbours: new Map(), domainAddresses: new Map([['tv.example', new Set(['198.51.100.10'])]]) });
  t.equal(tab.view(0)[0]!.className, 'tv', 'the domain set now holds the address');
  // The kernel marks it as class 1 (tv) on slot 2; a mark with another class index wins over the rules.
  const sshIndex = 1 + 1 + 9; // user rule, then defaults: ssh is the 10th default
  tab.ingestListing([ct({ ...tv, mark: encodeMark(layout, 2, sshIndex) })], 2000);
  const v = tab.view(2000)[0]!;
  t.same([v.className, v.classSource], ['ssh', 'mark']);
  tab.setContext({ layout, neighbours: new Map(), domainAddresses: new Map() });
  t.equal(tab.view(2000)[0]!.className, 'ssh', 'classes from marks are not re-derived from rules');
});
