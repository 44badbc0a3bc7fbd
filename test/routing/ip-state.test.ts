import t from 'tap';
import { readFileSync } from 'node:fs';
import { markLayout } from '../../src/model/mark-layout.js';
import { ipBatch, ipRanges, parseRoutes, parseRules, wantedIpState } from '../../src/routing/ip-state.js';
import { validatePlan } from '../../src/routing/validate-plan.js';
import type { RoutingPlan } from '../../src/routing/plan.js';
import { basePlan, modem, SETTINGS } from './fixtures/plans.js';

const layout = markLayout(SETTINGS.markMask)!;
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function wanted(plan: RoutingPlan, family: 4 | 6) {
  const v = validatePlan(plan);
  if (!v.ok) throw new Error(v.errors.join('; '));
  return wantedIpState(v.value, SETTINGS, layout, family);
}

t.test('per modem: a table with its default route, fwmark and source rules behind main-without-default', async (t) => {
  const plan = basePlan({ modems: [modem(1), modem(3, { gatewayV4: null, device: 'wwan0' })] });
  const v4 = wanted(plan, 4);
  t.same([...v4.routes], ['default via 100.64.1.1 dev wan1 table 101', 'default dev wwan0 table 103']);
  t.same([...v4.rules], [
    'priority 1000 fwmark 0x10000/0xf0000 lookup main suppress_prefixlength 0',
    'priority 1000 from 100.64.1.2 lookup main suppress_prefixlength 0',
    'priority 1001 fwmark 0x10000/0xf0000 lookup 101',
    'priority 1001 from 100.64.1.2 lookup 101',
    'priority 1004 fwmark 0x30000/0xf0000 lookup main suppress_prefixlength 0',
    'priority 1004 from 100.64.3.2 lookup main suppress_prefixlength 0',
    'priority 1005 fwmark 0x30000/0xf0000 lookup 103',
    'priority 1005 from 100.64.3.2 lookup 103',
  ]);
  const v6 = wanted(plan, 6);
  t.same([...v6.routes], ['default via fd64:1::1 dev wan1 table 101', 'default via fd64:3::1 dev wwan0 table 103']);
  t.ok(v6.rules.has('priority 1001 from fd64:1::2 lookup 101'));
});

t.test('down modems get nothing; up but unusable modems keep table and rules (probes use them)', async (t) => {
  const plan = basePlan({ modems: [modem(1, { up: false }), modem(2, { usable: false }), modem(3, { device: null })] });
  const v4 = wanted(plan, 4);
  t.same([...v4.routes], ['default via 100.64.2.1 dev wan2 table 102']);
  t.equal(v4.rules.size, 4);
  const v6only = wanted(basePlan({ modems: [modem(1, { gatewayV4: null, addressesV4: [] })] }), 4);
  t.equal(v6only.routes.size + v6only.rules.size, 0, 'an IPv6-only modem has no IPv4 state');
});

t.test('a different mark mask moves the fwmark bits', async (t) => {
  const v = validatePlan(basePlan({ modems: [modem(2)], defaultTarget: { kind: 'slot', slot: 2 } }));
  t.ok(v.ok);
  if (!v.ok) return;
  const rules = [...wantedIpState(v.value, { ...SETTINGS, rulePriorityBase: 3000 }, markLayout(0x0000fff0)!, 4).rules];
  t.equal(rules[0], 'priority 3002 fwmark 0x20/0xf0 lookup main suppress_prefixlength 0');
});

t.test('parsing ip -j output keeps ours only, canonically', async (t) => {
  const ranges = ipRanges(SETTINGS);
  t.same(ranges, { priorityFrom: 1000, priorityTo: 1029, tableFrom: 101, tableTo: 115 });
  const rules = parseRules(fixture('ip-rule-list.json'), ranges);
  t.same([...(rules as Set<string>)], [
    'priority 1000 fwmark 0x10000/0xf0000 lookup main suppress_prefixlength 0',
    'priority 1000 from 100.64.1.2 lookup main suppress_prefixlength 0',
    'priority 1001 fwmark 0x10000/0xf0000 lookup 101',
    'priority 1001 from 100.64.1.2 lookup 101',
    'priority 1007 from 10.9.9.0/24 lookup 104',
  ], "mwan3's rule at 2001 and the system rules are not ours; the duplicate collapses");
  const routes = parseRoutes(fixture('ip-route-all.json'), ranges);
  t.same([...(routes as Set<string>)], ['default via 100.64.1.1 dev wan1 table 101', 'default dev wan2 table 102', 'unreachable default table 115']);
  t.match(parseRules('not json', ranges), /ip rule: ip -j output is not JSON/);
  t.same([...(parseRules('', ranges) as Set<string>)], [], 'empty output is an empty list');
});

t.test('the batch deletes what is not wanted, then adds routes, then rules in priority order', async (t) => {
  const ranges = ipRanges(SETTINGS);
  const present = { rules: parseRules(fixture('ip-rule-list.json'), ranges) as Set<string>, routes: parseRoutes(fixture('ip-route-all.json'), ranges) as Set<string> };
  const want = wanted(basePlan({ modems: [modem(1), modem(2)] }), 4);
  t.same(ipBatch(present, want), [
    'rule del priority 1007 from 10.9.9.0/24 lookup 104',
    'route del default dev wan2 table 102',
    'route del unreachable default table 115',
    'route replace default via 100.64.2.1 dev wan2 table 102 proto static',
    'rule add priority 1002 fwmark 0x20000/0xf0000 lookup main suppress_prefixlength 0',
    'rule add priority 1002 from 100.64.2.2 lookup main suppress_prefixlength 0',
    'rule add priority 1003 fwmark 0x20000/0xf0000 lookup 102',
    'rule add priority 1003 from 100.64.2.2 lookup 102',
  ]);
  t.same(ipBatch(want, want), [], 'nothing to do when present = wanted');
});
