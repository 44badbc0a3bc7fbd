import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConntrackEntry, parseConntrackEvent, parseConntrackListing, tokenize } from '../../src/flows/conntrack-parser.js';
import { connectionKey, isDestinationNatted, isSourceNatted } from '../../src/flows/conntrack-entry.js';
import type { ConntrackEntry } from '../../src/flows/conntrack-entry.js';

// Fixtures are real output of conntrack-tools 1.4.7 and /proc/net/nf_conntrack
// (kernel 6.18), captured in network namespaces (see the report).
const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

function entry(line: string): ConntrackEntry {
  const r = parseConntrackEntry(line);
  if (!r.ok) throw new Error(`unexpected parse failure: ${r.errors.join('; ')}`);
  return r.value;
}

t.test('IPv4 TCP with accounting: tuples, state, counters, flags, mark, id', async (t) => {
  const { entries, skipped } = parseConntrackListing(fixture('list-extended-id-acct.txt'));
  t.equal(entries.length, 6, 'six entries; the "flow entries have been shown" notice is not one');
  t.same(skipped, []);
  const tcp = entries.find((e) => e.proto === 'tcp' && e.family === 4)!;
  t.same(tcp, {
    family: 4,
    proto: 'tcp',
    protoNum: 6,
    timeoutS: 119,
    state: 'TIME_WAIT',
    orig: { src: '10.99.0.1', dst: '10.99.0.2', sport: 55986, dport: 5001, icmpType: null, icmpCode: null, icmpId: null, greKeys: null, zone: null },
    reply: { src: '10.99.0.2', dst: '10.99.0.1', sport: 5001, dport: 55986, icmpType: null, icmpCode: null, icmpId: null, greKeys: null, zone: null },
    origCounters: { packets: 10, bytes: 20528 },
    replyCounters: { packets: 8, bytes: 20424 },
    assured: true,
    unreplied: false,
    offload: null,
    mark: 1179648,
    zone: 0,
    id: 2141377409,
  });
});

t.test('ICMP: the id= inside a tuple is the ICMP id, the last one the conntrack id', async (t) => {
  const { entries } = parseConntrackListing(fixture('list-extended-id-acct.txt'));
  const icmp = entries.find((e) => e.proto === 'icmp')!;
  t.equal(icmp.orig.icmpType, 8);
  t.equal(icmp.orig.icmpCode, 0);
  t.equal(icmp.orig.icmpId, 7105);
  t.equal(icmp.reply.icmpType, 0);
  t.equal(icmp.reply.icmpId, 7105);
  t.equal(icmp.id, 334806488);
  t.equal(icmp.origCounters, null, 'no counters: the entry predates nf_conntrack_acct=1');
  t.equal(icmp.orig.sport, null);
  const v6 = entries.find((e) => e.proto === 'icmpv6')!;
  t.equal(v6.family, 6);
  t.equal(v6.protoNum, 58);
  t.equal(v6.orig.src, 'fd99::1');
  t.equal(v6.orig.icmpType, 128);
  t.equal(v6.id, 4241251085);
});

t.test('IPv6 TCP and UDP with accounting', async (t) => {
  const { entries } = parseConntrackListing(fixture('list-extended-id-acct.txt'));
  const tcp6 = entries.find((e) => e.proto === 'tcp' && e.family === 6)!;
  t.equal(tcp6.orig.src, 'fd99::1');
  t.equal(tcp6.orig.dport, 5001);
  t.same(tcp6.replyCounters, { packets: 8, bytes: 20584 });
  const udp6 = entries.find((e) => e.proto === 'udp' && e.family === 6)!;
  t.equal(udp6.state, null, 'udp has no state word');
  t.equal(udp6.timeoutS, 29);
  t.equal(udp6.assured, false);
  t.equal(udp6.unreplied, false);
  t.same(udp6.origCounters, { packets: 1, bytes: 148 });
});

t.test('accounting off: [UNREPLIED], zone=, gre keys, esp printed as unknown 50', async (t) => {
  const { entries, skipped } = parseConntrackListing(fixture('list-extended-id-noacct.txt'));
  t.equal(skipped.length, 0);
  t.equal(entries.length, 7);
  t.ok(entries.every((e) => e.origCounters === null && e.replyCounters === null), 'no packets=/bytes= anywhere');
  const zoned = entries.find((e) => e.orig.dport === 7000)!;
  t.equal(zoned.zone, 5);
  t.equal(zoned.unreplied, true);
  t.match(connectionKey(zoned), /@5$/, 'the zone is part of the key');
  const esp = entries.filter((e) => e.protoNum === 50);
  t.same(esp.map((e) => [e.proto, e.family, e.timeoutS]), [['esp', 4, 599], ['esp', 6, 595]]);
  t.equal(esp[0]!.orig.sport, null);
  const gre = entries.find((e) => e.proto === 'gre')!;
  t.same(gre.orig.greKeys, { src: 0, dst: 0 });
});

t.test('/proc/net/nf_conntrack: expanded IPv6, zone=0, gre protocol details before the tuples', async (t) => {
  const { entries, skipped } = parseConntrackListing(fixture('procfs-nf_conntrack.txt'));
  t.same(skipped, []);
  t.equal(entries.length, 7);
  t.ok(entries.every((e) => e.id === null), '/proc prints no conntrack id');
  const tcp6 = entries.find((e) => e.proto === 'tcp' && e.family === 6)!;
  t.equal(tcp6.orig.src, 'fd99::1', 'fd99:0000:...:0001 becomes fd99::1');
  t.equal(tcp6.reply.dst, 'fd99::1');
  const gre = entries.find((e) => e.proto === 'gre')!;
  t.equal(gre.timeoutS, 29);
  t.equal(gre.orig.src, '10.99.0.1');
  // The same connection from both sources has the same key.
  const fromTool = parseConntrackListing(fixture('list-extended-id-acct.txt')).entries.find((e) => e.proto === 'tcp' && e.family === 6)!;
  t.equal(connectionKey(tcp6), connectionKey(fromTool));
  t.equal(connectionKey(tcp6), 'tcp:[fd99::1]:33706>[fd99::2]:5001');
});

t.test('ktimestamp output: a bracketed start time with blanks is one token', async (t) => {
  const { entries, skipped } = parseConntrackListing(fixture('list-ktimestamp.txt'));
  t.same(skipped, []);
  t.equal(entries.length, 2);
  t.equal(entries[1]!.id, 3811102288);
  t.same(tokenize('a [start=Sat Nov 21 00:23:26 2026] use=1'), ['a', '[start=Sat Nov 21 00:23:26 2026]', 'use=1']);
});

t.test('source NAT is recognised from the reply tuple', async (t) => {
  const { entries } = parseConntrackListing(fixture('list-snat.txt'));
  t.equal(isSourceNatted(entries[0]!), true, 'reply goes to 10.99.0.11, not the initiator 10.99.0.1');
  t.equal(isDestinationNatted(entries[0]!), false);
  t.equal(isSourceNatted(entries[1]!), false);
  t.equal(entries[0]!.state, 'ESTABLISHED');
});

t.test('events: NEW/UPDATE without counters, DESTROY with counters and the timestamp prefix', async (t) => {
  const lines = fixture('events-extended-id.txt').split('\n').filter((l) => l.trim() !== '');
  const events = lines.map((l) => parseConntrackEvent(l));
  t.ok(events.every((e) => e.ok), 'every captured event parses');
  const ok = events.flatMap((e) => (e.ok ? [e.value] : []));
  t.same(ok.map((e) => e.type).slice(0, 4), ['new', 'update', 'update', 'new']);
  t.equal(ok[0]!.entry.unreplied, true);
  t.equal(ok[0]!.entry.state, 'SYN_SENT');
  t.equal(ok[2]!.entry.assured, true);
  t.equal(ok[0]!.timestampS, null);
  t.equal(ok.filter((e) => e.entry.family === 6).length, 4);

  const destroys = fixture('events-timestamp-destroy.txt').split('\n').filter((l) => l !== '').map((l) => parseConntrackEvent(l));
  const d = destroys[0]!;
  t.ok(d.ok);
  if (d.ok) {
    t.equal(d.value.type, 'destroy');
    t.equal(d.value.timestampS, 1795220475.48078);
    t.same(d.value.entry.origCounters, { packets: 10, bytes: 20728 });
    t.equal(d.value.entry.id, 3241120866, '[USERSPACE] portid= after the id does not disturb it');
  }
  t.equal(destroys.filter((x) => x.ok).length, 4);
});

t.test('offload flags (format of libnetfilter_conntrack snprintf_default.c): OFFLOAD implies assured', async (t) => {
  // Constructed from the printing code: the flag takes [ASSURED]'s place.
  const sw = entry('ipv4     2 tcp      6 src=192.168.1.20 dst=93.184.216.34 sport=50000 dport=443 packets=5 bytes=900 src=93.184.216.34 dst=100.64.0.2 sport=443 dport=50000 packets=4 bytes=5000 [OFFLOAD] mark=0 use=2 id=1');
  t.equal(sw.offload, 'sw');
  t.equal(sw.assured, true);
  t.equal(sw.timeoutS, null, 'offloaded entries may print no timeout');
  t.equal(sw.state, null);
  const hw = entry('ipv4     2 udp      17 30 src=192.168.1.20 dst=1.1.1.1 sport=5 dport=53 src=1.1.1.1 dst=100.64.0.2 sport=53 dport=5 [HW_OFFLOAD] mark=0 zone-orig=3 use=2');
  t.equal(hw.offload, 'hw');
  const dccp = entry('ipv4     2 dccp     33 60 OPEN src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 mark=0 use=1');
  t.equal(dccp.proto, 'dccp');
  t.equal(dccp.state, 'OPEN');
  const noL3 = entry('tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 [ASSURED] mark=0 use=1');
  t.equal(noL3.family, 4, 'without -o extended the family comes from the address');
});

t.test('malformed lines are skipped with a reason, never thrown', async (t) => {
  const good = fixture('list-extended-id-acct.txt').split('\n')[1]!;
  const bad = [
    'garbage',
    'ipv4     2 tcp      6 119 TIME_WAIT src=10.99.0.1 dst=10.99.0.2 sport=55986 dport=5001',
    'ipv4     2 tcp      6 119 TIME_WAIT src=10.99.0.1 dst=10.99.0.2 sport=55986 src=10.99.0.2 dst=10.99.0.1 sport=5001 dport=55986 mark=0',
    'ipv4     2 tcp      6 119 src=10.99.0.999 dst=10.99.0.2 sport=1 dport=2 src=10.99.0.2 dst=10.99.0.1 sport=2 dport=1',
    'ipv4     2 tcp      6 119 src=fd99::1 dst=10.99.0.2 sport=1 dport=2 src=10.99.0.2 dst=10.99.0.1 sport=2 dport=1',
    'ipv6     2 tcp      6 119 src=fd99::1 dst=fd99::2 sport=1 dport=2 src=fd99::2 dst=fd99::1 sport=2 dport=1',
    'ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=70000 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=70000',
    'ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=53 packets=3 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1',
    'ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1 mark=-1',
    'ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1 src=1.2.3.4',
    'ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1 [ASSURED',
    'ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1 stray',
    'ipv4     2 tcp',
  ];
  const text = [good, ...bad, good.slice(0, 60)].join('\n');
  const { entries, skipped } = parseConntrackListing(text);
  t.equal(entries.length, 1);
  t.equal(skipped.length, bad.length + 1, 'every bad line counted, a truncated line too');
  t.same(skipped.map((s) => s.lineNo), Array.from({ length: bad.length + 1 }, (_, i) => i + 2));
  for (const s of skipped) t.ok(s.reason.length > 0, `line ${s.lineNo} has a reason: ${s.reason}`);
  const ev = parseConntrackEvent('[BOGUS] ipv4 2 tcp 6 1 src=1.1.1.1');
  t.notOk(ev.ok);
  if (!ev.ok) t.match(ev.errors[0], /expected \[NEW\]/);
});
