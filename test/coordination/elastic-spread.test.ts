import t from 'tap';
import { GROW_DWELL_MS, REVIEW_MS, SHRINK_HOLD_MS, elasticDemand, isElastic, planSpread, spreadGroupIds } from '../../src/coordination/elastic-spread.js';
import { unknownLink } from '../../src/model/modem.js';
import type { ModemView } from '../../src/model/modem.js';
import type { SpreadInput, SpreadState } from '../../src/coordination/elastic-spread.js';
import type { FlowGroup } from '../../src/model/flow-group.js';
import type { QosClass } from '../../src/model/qos.js';
import type { InterfaceSpec, TfapInstance } from '../../src/model/tfap.js';

// Three modems as in the test bed: 20, 10 and 5 Mbit/s at 4, 1 and 0.5 per GB.
function modem(id: string, downKbps: number, perGb: number): InterfaceSpec {
  return { id, bearers: [{ id: `${id}-b`, qos: 'C', upKbps: downKbps, downKbps, costPerKbit: perGb / 8e6, baseW: 1, txWPerKbps: 0.0001, rxWPerKbps: 0.0001 }] };
}
const IFACES = [modem('m1', 20000, 4), modem('m2', 10000, 1), modem('m3', 5000, 0.5)];

function group(id: string, qos: QosClass, downKbps: number, extra: Partial<FlowGroup> = {}): FlowGroup {
  return {
    id,
    key: { kind: 'host-class', host: '192.168.1.2', className: qos === 'B' ? 'bulk' : 'call' },
    qos,
    upKbps: downKbps / 20,
    downKbps,
    measured: true,
    connections: 3,
    currentSlot: null,
    pinnedByNat: false,
    ...extra,
  };
}

function input(nowMs: number, groups: FlowGroup[], assignment: Record<string, string>, previous: SpreadState, more: Partial<SpreadInput> = {}): SpreadInput {
  const instance: TfapInstance = { powerLimitW: null, interfaces: IFACES, flows: [] };
  const activation: Record<string, string> = {};
  for (const m of new Set(Object.values(assignment))) activation[m] = `${m}-b`;
  return { nowMs, instance, activation, assignment, powerW: 3, groups, previous, enabled: true, ...more };
}

t.test('only measured background host groups are elastic', async (t) => {
  t.ok(isElastic(group('b', 'B', 1000)));
  t.notOk(isElastic(group('c', 'C', 1000)));
  t.notOk(isElastic(group('b', 'B', 1000, { measured: false })));
  t.notOk(isElastic(group('b', 'B', 1000, { key: { kind: 'connection', tuple: { family: 4, proto: 'tcp', src: '192.168.1.2', dst: '203.0.113.1', sport: 1, dport: 2 }, className: 'bulk', conntrackId: null } })));
});

t.test('a bulk group that fills the cheapest modem spreads to the next cheapest, then the next', async (t) => {
  const bulk = group('h:bulk', 'B', 4900);
  const one = planSpread(input(0, [bulk], { 'h:bulk': 'm3' }, {}));
  t.same(one.state['h:bulk']?.modems, ['m3', 'm2'], 'cheapest first');
  t.same(one.shares.get('h:bulk'), [{ modem: 'm3', weight: 5000 }, { modem: 'm2', weight: 10000 }], 'weights: what each has free');
  t.equal(one.changes.length, 1);
  t.match(one.changes[0]!.why, /adding m2/);
  t.equal(one.reviewAtMs, REVIEW_MS, 'looks again soon');

  // From now on the group is the shares' business, not the solver's.
  t.same([...spreadGroupIds(one.state, [bulk], true)], ['h:bulk']);
  t.same([...spreadGroupIds(one.state, [bulk], false)], [], 'switched off: back to the solver');

  const filling = { ...bulk, downKbps: 14000 };
  const early = planSpread(input(GROW_DWELL_MS - 1, [filling], {}, one.state));
  t.same(early.state['h:bulk']?.modems, ['m3', 'm2'], 'waits until the added modem shows in the rate');
  t.equal(early.reviewAtMs, GROW_DWELL_MS, 'asks for a look when the dwell ends');
  const later = planSpread(input(GROW_DWELL_MS, [filling], {}, one.state));
  t.same(later.state['h:bulk']?.modems, ['m3', 'm2', 'm1']);
});

t.test('a group with room on its modem does not spread', async (t) => {
  const out = planSpread(input(0, [group('h:bulk', 'B', 2000)], { 'h:bulk': 'm3' }, {}));
  t.same(out.state, {});
  t.equal(out.shares.size, 0);
  t.equal(out.reviewAtMs, null, 'well below its modem: nothing to look at');
});

t.test('modems carrying a call are left out, a stream\'s are not', async (t) => {
  const call = group('h:call', 'C', 80);
  const bulk = group('h:bulk', 'B', 4900);
  const out = planSpread(input(0, [bulk, call], { 'h:bulk': 'm3', 'h:call': 'm2' }, {}));
  t.same(out.state['h:bulk']?.modems, ['m3', 'm1'], 'skips m2, which carries the call');
  const video = group('h:video', 'S', 3000);
  const withVideo = planSpread(input(0, [bulk, video], { 'h:bulk': 'm3', 'h:video': 'm2' }, {}));
  t.same(withVideo.state['h:bulk']?.modems, ['m3', 'm2'], 'a stream shares its modem');
  // A call placed later on a spread modem takes that modem out at once.
  const next = planSpread(input(1000, [{ ...bulk, downKbps: 20000 }, call], { 'h:call': 'm1' }, out.state));
  t.same(next.state, {}, 'one modem left: the spread ends');
  t.same(next.shares.get('h:bulk'), [{ modem: 'm3', weight: 1 }], 'and its new connections stay on the anchor until the solver places it');
  t.match(next.changes[0]!.why, /back on m3 alone/);
});

t.test('a spread shrinks, most expensive first, only after the hold', async (t) => {
  const prev: SpreadState = { 'h:bulk': { modems: ['m3', 'm2', 'm1'], changedMs: 0 } };
  const small = group('h:bulk', 'B', 3000);
  const held = planSpread(input(SHRINK_HOLD_MS - 1, [small], {}, prev));
  t.same(held.state['h:bulk']?.modems, ['m3', 'm2', 'm1'], 'held');
  const shrunk = planSpread(input(SHRINK_HOLD_MS, [small], {}, prev));
  t.same(shrunk.state['h:bulk']?.modems, ['m3', 'm2'], 'the most expensive goes first');
  t.match(shrunk.changes[0]!.why, /leaving m1/);
  const gone = planSpread(input(SHRINK_HOLD_MS, [], {}, prev));
  t.same(gone.state, {}, 'a group that ended takes its spread with it');
});

t.test('the power limit bounds what a spread may add', async (t) => {
  const bulk = group('h:bulk', 'B', 4900);
  const tight = input(0, [bulk], { 'h:bulk': 'm3' }, {});
  tight.instance = { ...tight.instance, powerLimitW: 3.5 };
  // m2 is idle: its base 1 W + 10,000 kbit/s x 0.0001 W/kbps (+ the upload) is about 2 W on top of 3 W.
  t.same(planSpread(tight).state, {}, 'no modem added beyond P_max');
  tight.instance = { ...tight.instance, powerLimitW: 6 };
  t.same(planSpread(tight).state['h:bulk']?.modems, ['m3', 'm2']);
});

t.test('disabled: nothing spreads', async (t) => {
  const out = planSpread({ ...input(0, [group('h:bulk', 'B', 4900)], { 'h:bulk': 'm3' }, {}), enabled: false });
  t.same(out.state, {});
  t.equal(out.reviewAtMs, null);
});

t.test('a squeezed download on a full modem asks the solver for its class\' demand', async (t) => {
  const full: ModemView = { name: 'm3', link: { ...unknownLink('wwan3'), up: true, rxKbps: 4900 }, radio: null, path: null, capacity: { upKbps: 5000, downKbps: 5000, confidence: 1, source: 'config' }, health: 'ok', problem: null, cycleBytes: null };
  const idle: ModemView = { ...full, name: 'm2', link: { ...full.link, rxKbps: 300 } };
  const want = (name: string) => (name === 'bulk' ? { upKbps: 100, downKbps: 8000 } : null);
  const squeezed = group('h:bulk', 'B', 1600);
  const [onFull] = elasticDemand([squeezed], [full, idle], () => 'm3', want);
  t.equal(onFull!.downKbps, 8000, 'at least the class demand');
  t.equal(onFull!.upKbps, 100);
  const [onIdle] = elasticDemand([squeezed], [full, idle], () => 'm2', want);
  t.equal(onIdle!.downKbps, 1600, 'on a modem with room its rate is its demand');
  const call = group('h:call', 'C', 80);
  t.equal(elasticDemand([call], [full], () => 'm3', () => ({ upKbps: 1, downKbps: 9000 }))[0], call, 'only elastic groups');
  const big = group('h:bulk', 'B', 9000);
  t.equal(elasticDemand([big], [full], () => 'm3', want)[0], big, 'more than the class demand: unchanged');
});

t.test('a lowered power limit takes a spread\'s dearest modem out at once; its power is counted', async (t) => {
  const prev: SpreadState = { 'h:bulk': { modems: ['m3', 'm2', 'm1'], changedMs: 0 } };
  const bulk = group('h:bulk', 'B', 30_000);
  const open = planSpread(input(1000, [bulk], {}, prev));
  t.same(open.state['h:bulk']?.modems, ['m3', 'm2', 'm1'], 'no limit: all three');
  // None of the three carries a group of the policy's: their base power (3 x 1 W) and the load count.
  t.ok(open.extraW > 3, `the spread's power is reported (${open.extraW.toFixed(2)} W)`);
  const limited = input(1000, [bulk], {}, prev);
  // Two modems: 2 W base + 30,000 kbit/s x 0.0001 W + upload = 5.15 W on top of 3 W; three: one base watt more.
  limited.instance = { ...limited.instance, powerLimitW: 8.5 };
  const out = planSpread(limited);
  t.same(out.state['h:bulk']?.modems, ['m3', 'm2'], 'the dearest modem leaves before any hold time');
  t.match(out.changes[0]!.why, /over the power limit of 8.5 W: leaving m1/);
  t.ok(3 + out.extraW <= 8.5, 'within the limit');
});
