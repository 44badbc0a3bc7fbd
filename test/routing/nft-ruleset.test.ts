import t from 'tap';
import { readFileSync } from 'node:fs';
import { markLayout } from '../../src/model/mark-layout.js';
import { buildNft, renderDeleteTable, renderFullTable, renderPinUpdate } from '../../src/routing/nft-ruleset.js';
import { classMatches, dnsmasqNftsetLines } from '../../src/routing/nft-classes.js';
import { validatePlan } from '../../src/routing/validate-plan.js';
import type { RoutingPlan } from '../../src/routing/plan.js';
import { basePlan, modem, rule } from './fixtures/plans.js';
import { smallPlan } from './fixtures/small-plan.js';

const layout = markLayout(0x0fff0000)!;
function build(plan: RoutingPlan, table = 'modemflow') {
  const v = validatePlan(plan);
  if (!v.ok) throw new Error(v.errors.join('; '));
  return buildNft(v.value, layout, table);
}

t.test('the whole table for a small plan, exactly (fixtures/small-plan.nft)', async (t) => {
  const golden = readFileSync(new URL('./fixtures/small-plan.nft', import.meta.url), 'utf8');
  const b = build(smallPlan());
  t.equal(renderFullTable(b), golden);
  t.same(b.routedSlots, [1, 2, 3]);
  t.same(b.usableSlots, [1, 2], 'modem 3 is up but not usable');
  t.equal(b.droppedPins, 1, 'the pin to modem 3 is left out');
  t.same(b.domainSets, ['dom_c1_4', 'dom_c1_6']);
  t.ok(renderFullTable(b).startsWith('table inet modemflow {}\ndelete table inet modemflow\ntable inet modemflow {\n'), 'create-if-absent, delete, recreate in one transaction');
});

t.test('class rules compile to nft matches', async (t) => {
  t.same(classMatches(rule({ name: 'x', proto: 'udp', destPorts: [{ from: 5060, to: 5061 }, { from: 53, to: 53 }] }), 1), ['meta l4proto udp th dport { 53, 5060-5061 }']);
  t.same(classMatches(rule({ name: 'x', destPorts: [{ from: 8080, to: 8080 }] }), 1), ['meta l4proto { tcp, udp, sctp } th dport 8080'], 'ports without proto: any port protocol');
  t.same(classMatches(rule({ name: 'x', srcIps: ['192.168.77.0/25', 'fd77::/64'], srcMacs: ['02:00:00:00:00:0A'] }), 2), [
    'ip saddr 192.168.77.0/25 ether saddr 02:00:00:00:00:0a',
    'ip6 saddr fd77::/64 ether saddr 02:00:00:00:00:0a',
  ]);
  t.same(classMatches(rule({ name: 'x', srcIps: ['192.168.77.5'], dscp: [46] }), 3), ['ip saddr 192.168.77.5 ip dscp 46'], 'an IPv4-only address list gives no IPv6 rule');
  t.same(classMatches(rule({ name: 'x', proto: 'icmpv6' }), 4), ['meta l4proto ipv6-icmp'], 'icmpv6 only in IPv6');
  t.same(classMatches(rule({ name: 'x', proto: 'icmp', srcIps: ['fd77::1'] }), 4), [], 'icmp from IPv6 hosts can never match');
  t.same(classMatches(rule({ name: 'x', destIps: ['10.0.0.0/8', '10.1.0.0/16'], srcPorts: [{ from: 1024, to: 65535 }], proto: 'tcp' }), 5), ['meta l4proto tcp th sport 1024-65535 ip daddr 10.0.0.0/8']);
  t.same(classMatches(rule({ name: 'default' }), 9), [''], 'the fallback matches everything');
});

t.test('dnsmasq nftset lines fill the domain sets', async (t) => {
  const classes = [rule({ name: 'a' }), rule({ name: 'video', domains: ['video.example', 'cdn.example'] })];
  t.same(dnsmasqNftsetLines(classes, 'modemflow'), ['nftset=/video.example/cdn.example/4#inet#modemflow#dom_c2_4,6#inet#modemflow#dom_c2_6']);
});

t.test('targets on modems that are gone fall back: default, then the first usable modem, then the main table', async (t) => {
  const web = { host: null, classIndex: 2, target: { kind: 'slot' as const, slot: 2 } };
  let b = build(basePlan({ placements: [web], modems: [modem(1), modem(2, { up: false }), modem(3)], defaultTarget: { kind: 'slot', slot: 3 } }));
  t.match(b.skeleton, /chain place_c2 \{\n\t\tgoto set_3\n/, 'dead placement -> default');
  t.notMatch(b.skeleton, /set_2/, 'no chain or verdict for the down modem');
  b = build(basePlan({ placements: [web], modems: [modem(1, { usable: false }), modem(2, { up: false }), modem(3)], defaultTarget: { kind: 'slot', slot: 1 } }));
  t.match(b.skeleton, /chain place_c2 \{\n\t\tgoto set_3\n/, 'dead default -> first usable modem');
  b = build(basePlan({ placements: [web], modems: [modem(1, { usable: false }), modem(2, { usable: false }), modem(3, { usable: false })] }));
  t.match(b.skeleton, /chain place_c2 \{\n\t\treturn\n/, 'nothing usable -> main table');
  t.notMatch(b.skeleton, /lan_out \{[^}]*restore_/, 'no connection is kept on an unusable modem');
  b = build(basePlan({ defaultTarget: null }));
  t.match(b.skeleton, /\t\tct mark set ct mark and 0xf00fffff or 0x00300000 goto place_c3\n\t\treturn\n/, 'no default: unmatched traffic stays on the main table');
  b = build(basePlan({ modems: [modem(1, { up: false })], defaultTarget: null }));
  t.notMatch(b.skeleton, /vmap \{ \}/, 'no empty verdict maps when no modem is up');
});

t.test('identical share patterns share one chain', async (t) => {
  const share = { kind: 'share' as const, shares: [{ slot: 1, weight: 2 }, { slot: 2, weight: 1 }] };
  const b = build(basePlan({ placements: [{ host: null, classIndex: 1, target: share }, { host: null, classIndex: 2, target: share }], defaultTarget: share }));
  t.equal(b.skeleton.match(/chain share_\d+/g)?.length, 1);
  t.match(b.skeleton, /numgen inc mod 3 vmap \{ 0 : goto set_1, 1 : goto set_1, 2 : goto set_2 \}/);
});

t.test('pin updates are element deletes and adds, in one small transaction', async (t) => {
  const pin = (sport: number, slot: number) => ({ tuple: { family: 4 as const, proto: 'tcp', src: '192.168.77.2', dst: '203.0.113.10', sport, dport: 80 }, slot });
  const a = build(basePlan({ pins: [pin(1000, 1), pin(1001, 2), pin(1002, 3)] }));
  const b = build(basePlan({ pins: [pin(1000, 1), pin(1001, 3), pin(1003, 2)] }));
  t.equal(a.skeleton, b.skeleton, 'pins do not change the skeleton');
  t.equal(
    renderPinUpdate('modemflow', a, b),
    'delete element inet modemflow pins4 { 192.168.77.2 . tcp . 203.0.113.10 . 1001 . 80, 192.168.77.2 . tcp . 203.0.113.10 . 1002 . 80 }\n' +
      'add element inet modemflow pins4 { 192.168.77.2 . tcp . 203.0.113.10 . 1001 . 80 : goto set_3, 192.168.77.2 . tcp . 203.0.113.10 . 1003 . 80 : goto set_2 }\n',
  );
  t.equal(renderPinUpdate('modemflow', b, b), null, 'no change, no transaction');
});

t.test('carried domain-set elements go back in with the rebuild; other names are ignored', async (t) => {
  const b = build(smallPlan());
  const text = renderFullTable(b, new Map([['dom_c1_4', ['192.0.2.1', '192.0.2.2']], ['not_ours', ['1.1.1.1']]]));
  t.match(text, /\nadd element inet modemflow dom_c1_4 \{ 192\.0\.2\.1, 192\.0\.2\.2 \}\n/);
  t.notMatch(text, /not_ours/);
});

t.test('table name and delete text', async (t) => {
  t.equal(renderDeleteTable('mf_test'), 'table inet mf_test {}\ndelete table inet mf_test\n');
  t.match(renderFullTable(build(basePlan(), 'mf_test')), /^table inet mf_test \{\}\ndelete table inet mf_test\ntable inet mf_test \{\n/);
});
