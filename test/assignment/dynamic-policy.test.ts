// The daemon's decision policy (src/assignment/dynamic-policy.ts): pure, so
// every case is a plain instance and a current assignment.
import t from 'tap';
import { bestClassOnOffer, decide, pruneAssignment, relaxToOffer } from '../../src/assignment/dynamic-policy.js';
import type { PolicyInput } from '../../src/assignment/dynamic-policy.js';
import { solveHeuristic } from '../../src/assignment/heuristic.js';
import type { BearerSpec, FlowSpec, InterfaceSpec, TfapInstance } from '../../src/model/tfap.js';

const GB = 8e6; // kbit per GB

function bearer(id: string, pricePerGb: number, over: Partial<BearerSpec> = {}): BearerSpec {
  return { id, qos: 'C', upKbps: 10_000, downKbps: 50_000, costPerKbit: pricePerGb / GB, baseW: 1, txWPerKbps: 0.0001, rxWPerKbps: 0.00005, ...over };
}
function iface(id: string, pricePerGb: number, over: Partial<BearerSpec> = {}): InterfaceSpec {
  return { id, bearers: [bearer(`${id}/b`, pricePerGb, over)] };
}
function flow(id: string, downKbps = 1000, qos: FlowSpec['qos'] = 'I', upKbps = 100): FlowSpec {
  return { id, upKbps, downKbps, qos };
}
function input(inst: TfapInstance, current: PolicyInput['current'], over: Partial<PolicyInput> = {}): PolicyInput {
  return { instance: inst, current, forceFull: null, hysteresis: 0.05, solve: (i) => solveHeuristic(i), ...over };
}

t.test('nothing new, nothing changed: no solve', async (t) => {
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 1), iface('b', 5)], flows: [flow('f1')] };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { f1: 'a' } }));
  t.equal(out.kind, 'none');
  t.same(out.decisions, []);
  t.equal(out.full, null);
  t.equal(out.status, 'ok');
});

t.test('a new flow goes to the cheapest active interface with room, without moving anything', async (t) => {
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 1, { downKbps: 1500 }), iface('b', 5)], flows: [flow('f1'), flow('f2', 1000)] };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { f1: 'a' } }));
  t.equal(out.kind, 'incremental');
  t.equal(out.assignment.assignment['f1'], 'a', 'f1 stays');
  t.equal(out.assignment.assignment['f2'], 'b', 'a is full: f2 goes to b');
  t.same(out.decisions.map((d) => [d.kind, d.flow, d.from, d.to]), [['place', 'f2', null, 'b']]);
  t.match(out.decisions[0]!.reason, /cheapest I-capable with room \(5\/GB\), activating it/);
});

t.test('strictest class first among new flows', async (t) => {
  // Room for one flow on the cheap C-capable interface: the call gets it, the download goes to the B-only one.
  const inst: TfapInstance = {
    powerLimitW: null,
    interfaces: [iface('a', 1, { downKbps: 950 }), iface('b', 2, { qos: 'B' })],
    flows: [flow('dl', 900, 'B'), flow('call', 100, 'C')],
  };
  const out = decide(input(inst, { activation: {}, assignment: {} }));
  t.equal(out.kind, 'incremental');
  t.equal(out.assignment.assignment['call'], 'a');
  t.equal(out.assignment.assignment['dl'], 'b');
});

t.test('a modem that leaves the offer invalidates the assignment: full solve, its groups move', async (t) => {
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('b', 5)], flows: [flow('f1'), flow('f2')] };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { f1: 'a', f2: 'a' } }));
  t.equal(out.kind, 'full');
  t.ok(out.full?.adopted);
  t.match(out.full!.trigger, /lost their modem \(a\)/);
  t.same(out.decisions.map((d) => [d.kind, d.flow, d.from, d.to]).sort(), [['move', 'f1', 'a', 'b'], ['move', 'f2', 'a', 'b']]);
});

t.test('a bearer whose capacity drops below its load: full solve spreads the load', async (t) => {
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 1, { downKbps: 1500 }), iface('b', 5)], flows: [flow('f1'), flow('f2')] };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { f1: 'a', f2: 'a' } }));
  t.equal(out.kind, 'full');
  t.ok(out.full?.adopted);
  t.match(out.full!.trigger, /capacity|downlink|exceed|over/i);
  const where = Object.values(out.assignment.assignment).sort();
  t.same(where, ['a', 'b'], 'one flow each');
  t.equal(out.decisions.filter((d) => d.kind === 'move').length, 1, 'only one flow moved');
});

t.test('hysteresis: the timer solve is adopted only past the margin', async (t) => {
  const small: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 2), iface('b', 1.94)], flows: [flow('f1')] };
  const kept = decide(input(small, { activation: { a: 'a/b' }, assignment: { f1: 'a' } }, { forceFull: 'timer' }));
  t.equal(kept.kind, 'full');
  t.equal(kept.full?.adopted, false, '3 % is below the 5 % margin');
  t.equal(kept.assignment.assignment['f1'], 'a');
  t.same(kept.decisions, []);
  const big: TfapInstance = { ...small, interfaces: [iface('a', 2), iface('b', 1)] };
  const moved = decide(input(big, { activation: { a: 'a/b' }, assignment: { f1: 'a' } }, { forceFull: 'timer' }));
  t.equal(moved.full?.adopted, true);
  t.equal(moved.assignment.assignment['f1'], 'b');
  t.match(moved.decisions[0]!.reason, /full solve \(timer\): fresh solve saves/);
  // Applying the same step again changes nothing: no flapping.
  const again = decide(input(big, moved.assignment, { forceFull: 'timer' }));
  t.same(again.decisions, []);
});

t.test('a timer solve that keeps the rest still places new flows incrementally', async (t) => {
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 2), iface('b', 1.94)], flows: [flow('f1'), flow('f2')] };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { f1: 'a' } }, { forceFull: 'timer' }));
  t.equal(out.full?.adopted, false, 'the new flow does not bypass the hysteresis');
  t.equal(out.assignment.assignment['f1'], 'a');
  t.equal(out.assignment.assignment['f2'], 'b', 'the new one goes to the cheapest interface with room (thesis line 1445), even an idle one');
});

t.test('a flow no bearer serves at its class goes to the best class on offer; one with no room anywhere stays unplaced', async (t) => {
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 1, { qos: 'B' }), iface('b', 2, { qos: 'I' })], flows: [flow('f1', 100, 'B'), flow('call', 100, 'C')] };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { f1: 'a' } }));
  t.equal(out.kind, 'incremental', 'decided at the best class on offer, the call needs no full solve');
  t.equal(out.status, 'infeasible', 'the call does not get its class');
  t.same(out.degraded, ['call']);
  t.same(out.unplaced, []);
  t.equal(out.assignment.assignment['call'], 'b', 'the interactive-class modem beats the background one and the default route');
  t.match(out.decisions.find((d) => d.flow === 'call')?.reason ?? '', /no modem meets class C now: the best on offer is I/);
  t.equal(out.assignment.assignment['f1'], 'a', 'kept');
  const again = decide(input(inst, out.assignment));
  t.equal(again.assignment.assignment['call'], 'b', 'stays there while nothing better exists');
  t.same(again.decisions, [], 'no churn');
  const full: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 1, { qos: 'B', downKbps: 100 })], flows: [flow('f1', 100, 'B'), flow('big', 5000, 'C')] };
  const none = decide(input(full, { activation: { a: 'a/b' }, assignment: { f1: 'a' } }));
  t.same(none.unplaced, ['big'], 'no room at any class: unplaced');
});

t.test('pinned flows stay; ended flows are forgotten', async (t) => {
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 5), iface('b', 1)], flows: [{ ...flow('nat'), pinned: 'a' }, flow('new')] };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { nat: 'a', gone: 'a' } }));
  t.equal(out.assignment.assignment['nat'], 'a');
  t.notOk('gone' in out.assignment.assignment);
  const p = pruneAssignment(inst, { activation: { a: 'a/b', z: 'z/b' }, assignment: { nat: 'a', gone: 'a', x: 'z' } });
  t.same(p, { activation: { a: 'a/b' }, assignment: { nat: 'a' } });
});

t.test('power: a new flow that would break P_max triggers a full solve within it', async (t) => {
  const inst: TfapInstance = {
    powerLimitW: 2.5,
    interfaces: [iface('a', 1, { baseW: 2, downKbps: 1000 }), iface('b', 3, { baseW: 1 })],
    flows: [flow('f1', 900), flow('f2', 900)],
  };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { f1: 'a' } }));
  t.equal(out.kind, 'full');
  t.ok(out.powerW <= 2.5 + 1e-9, `within P_max (${out.powerW} W)`);
  t.equal(out.unplaced.length, 0);
});

t.test('a pinned flow over its interface capacity is a fact: it stays, the rest goes elsewhere, no endless full solves', async (t) => {
  const inst: TfapInstance = {
    powerLimitW: null,
    interfaces: [iface('a', 1, { downKbps: 8000 }), iface('b', 5)],
    flows: [{ ...flow('nat', 12_000), pinned: 'a' }, flow('web', 500)],
  };
  const first = decide(input(inst, { activation: {}, assignment: {} }));
  t.equal(first.assignment.assignment['nat'], 'a', 'the NATed download stays on a');
  t.equal(first.assignment.assignment['web'], 'b', 'a has no room left: the new group goes to b');
  t.same(first.unplaced, []);
  t.equal(first.status, 'ok');
  t.ok(first.decisions.some((d) => d.flow === 'nat' && /established NATed connection/.test(d.reason)));
  const again = decide(input(inst, first.assignment));
  t.equal(again.kind, 'none', 'the next step finds nothing to do');
});

t.test('pinned load counts against P_max', async (t) => {
  const inst: TfapInstance = {
    powerLimitW: 2.2,
    interfaces: [iface('a', 1, { baseW: 2 }), iface('b', 0.5, { baseW: 1 })],
    flows: [{ ...flow('nat', 1000), pinned: 'a' }, flow('web', 500)],
  };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { nat: 'a' } }));
  t.equal(out.assignment.assignment['web'], 'a', 'waking b would break P_max: the cheaper b stays idle');
  t.ok(out.powerW <= 2.2 + 1e-9, `${out.powerW} W`);
});

t.test('a flow pinned to a modem that is not on offer stays out of the decision: not moved, not unplaced', async (t) => {
  // 'a' is up but left out for new traffic (a threshold): its NATed connection keeps going there.
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('b', 5)], flows: [{ ...flow('nat', 500), pinned: 'a' }, flow('web', 100)] };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { nat: 'a', web: 'a' } }));
  t.notOk('nat' in out.assignment.assignment, 'not assigned anywhere by the policy');
  t.same(out.unplaced, []);
  t.notOk(out.decisions.some((d) => d.flow === 'nat'), 'no decision about it');
  t.equal(out.assignment.assignment['web'], 'b', 'the movable group goes to the offered modem');
});

t.test('the best class on offer: the flow\'s own when some bearer carries it alone, else the best below, else null', async (t) => {
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 1, { qos: 'S', downKbps: 500 }), iface('b', 2, { qos: 'B', downKbps: 5000 })], flows: [] };
  t.equal(bestClassOnOffer(inst, flow('web', 400, 'I')), 'I');
  t.equal(bestClassOnOffer(inst, flow('call', 400, 'C')), 'S', 'no C bearer: S on a');
  t.equal(bestClassOnOffer(inst, flow('bigcall', 900, 'C')), 'B', 'too big for a: only b, at B');
  t.equal(bestClassOnOffer(inst, flow('huge', 9000, 'C')), null);
  t.equal(bestClassOnOffer(inst, { ...flow('pinned', 400, 'C'), pinned: 'b' }), 'B', 'a pinned flow counts only its own interface');
  const { relaxed, lowered, hopeless } = relaxToOffer({ ...inst, flows: [flow('web', 400, 'I'), flow('call', 400, 'C'), flow('huge', 9000, 'B')] });
  t.same(relaxed.flows.map((f) => [f.id, f.qos]), [['web', 'I'], ['call', 'S']]);
  t.same([...lowered], [['call', { from: 'C', to: 'S' }]]);
  t.same(hopeless.map((f) => f.id), ['huge']);
  const clean = { ...inst, flows: [flow('web', 400, 'I')] };
  t.equal(relaxToOffer(clean).relaxed, clean, 'nothing to relax: the same instance');
});

t.test('a flow no modem carries at its class does not freeze the rest: a lost modem\'s groups still move', async (t) => {
  // 'x' went away with f1 on it; the call has no C bearer anywhere. Before, every full solve failed on the call.
  const inst: TfapInstance = {
    powerLimitW: null,
    interfaces: [iface('a', 1, { qos: 'S' }), iface('b', 5, { qos: 'S' })],
    flows: [flow('f1', 1000, 'I'), flow('call', 100, 'C')],
  };
  const out = decide(input(inst, { activation: { x: 'x/b', a: 'a/b' }, assignment: { f1: 'x', call: 'a' } }));
  t.equal(out.kind, 'full');
  t.equal(out.full?.adopted, true);
  t.equal(out.assignment.assignment['f1'], 'a', 'the cheapest modem with room');
  t.equal(out.assignment.assignment['call'], 'a', 'the call stays where it is carried at the best class on offer');
  t.same(out.degraded, ['call']);
  t.same(out.unplaced, []);
  t.equal(out.status, 'infeasible', 'not every flow gets its class');
});

t.test('when a bearer of the call\'s class returns, the call goes back to its class', async (t) => {
  const cur = { activation: { a: 'a/b' }, assignment: { call: 'a' } };
  const degradedOffer: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 1, { qos: 'S' }), iface('b', 5, { qos: 'S' })], flows: [flow('call', 100, 'C')] };
  const held = decide(input(degradedOffer, cur));
  t.equal(held.kind, 'none', 'at the best class on offer, nothing to do');
  t.same(held.degraded, ['call']);
  const recovered: TfapInstance = { ...degradedOffer, interfaces: [iface('a', 1, { qos: 'S' }), iface('b', 5, { qos: 'C' })] };
  const back = decide(input(recovered, cur));
  t.equal(back.kind, 'full', 'the call\'s place no longer suits its class on offer');
  t.equal(back.assignment.assignment['call'], 'b');
  t.same(back.degraded, []);
  t.equal(back.status, 'ok');
});

t.test('a group bigger than any bearer stays where it runs (the estimate may be low), and takes that modem\'s room', async (t) => {
  const inst: TfapInstance = {
    powerLimitW: null,
    interfaces: [iface('a', 1, { downKbps: 3000 }), iface('b', 5, { downKbps: 3000 })],
    flows: [flow('bulk', 8000, 'B'), flow('web', 500, 'I')],
  };
  const out = decide(input(inst, { activation: { a: 'a/b' }, assignment: { bulk: 'a' } }));
  t.equal(out.assignment.assignment['bulk'], 'a', 'not moved, not unplaced');
  t.equal(out.assignment.assignment['web'], 'b', 'a is full');
  t.same(out.unplaced, []);
  const fresh = decide(input(inst, { activation: {}, assignment: {} }));
  t.same(fresh.unplaced, ['bulk'], 'with no place yet, it has none');
  t.equal(fresh.assignment.assignment['web'], 'a');
});

t.test('below its class, a flow takes the interface the caller ranks first (modemflowd: least delay), else the cheapest', async (t) => {
  // No bearer meets C; both offer B. Without a rank the stream goes to the cheaper a, with one to b.
  const inst: TfapInstance = { powerLimitW: null, interfaces: [iface('a', 1, { qos: 'B' }), iface('b', 4, { qos: 'B' })], flows: [flow('video', 3000, 'S')] };
  const none: PolicyInput['current'] = { activation: { a: 'a/b', b: 'b/b' }, assignment: {} };
  t.equal(decide(input(inst, none)).assignment.assignment['video'], 'a', 'the cheapest');
  const rtt: Record<string, number> = { a: 120, b: 30 };
  const ranked = decide(input(inst, none, { degradedRank: (id) => rtt[id] ?? Infinity }));
  t.equal(ranked.assignment.assignment['video'], 'b', 'the shorter round trip');
  t.same(ranked.degraded, ['video'], 'carried below its class');
  t.match(ranked.decisions.find((d) => d.flow === 'video')?.reason ?? '', /no modem meets class S now: the best on offer is B \(4\/GB\)/);
  // A flow at its own class keeps the thesis' rule: the rank is not asked.
  const fine: TfapInstance = { ...inst, interfaces: [iface('a', 1), iface('b', 4)], flows: [flow('web', 500, 'I')] };
  t.equal(decide(input(fine, none, { degradedRank: (id) => rtt[id] ?? Infinity })).assignment.assignment['web'], 'a');
});
