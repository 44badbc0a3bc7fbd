import t from 'tap';
import { changes, invalidations, placeNewFlow, shouldAdopt } from '../../src/assignment/policy.js';
import type { TfapAnswer } from '../../src/model/tfap.js';
import { fixture } from './helpers.js';

// small.json optimum: wwan0/b1 carries f1 (50/50 of 100/100), wlan0/w1 carries f2 + f3 (0/500 of 500/500).
const current = { activation: { wwan0: 'b1', wlan0: 'w1' }, assignment: { f1: 'wwan0', f2: 'wlan0', f3: 'wlan0' } };

t.test('a new flow goes to the cheapest active interface with room', async (t) => {
  const inst = fixture('small.json');
  const small = { id: 'n1', upKbps: 40, downKbps: 0, qos: 'B' as const };
  inst.flows.push(small);
  // wlan0/w1 (0.5 per kbit) has 500 up free; wwan0/b1 (2 per kbit) has 50.
  t.same(placeNewFlow(inst, current, small), { ok: true, interfaceId: 'wlan0', bearerId: 'w1', activates: false });
  const conv = { id: 'n2', upKbps: 10, downKbps: 10, qos: 'C' as const };
  inst.flows.push(conv);
  t.same(placeNewFlow(inst, current, conv), { ok: true, interfaceId: 'wwan0', bearerId: 'b1', activates: false }, 'class C only fits b1');
  const big = { id: 'n3', upKbps: 0, downKbps: 60, qos: 'C' as const };
  t.same(placeNewFlow(inst, current, big), { ok: false, reason: 'flow "n3" fits no active interface and no idle one within P_max' });
});

t.test('an idle interface is woken only when no active one fits, and P_max is kept', async (t) => {
  const inst = fixture('small.json');
  const cur = { activation: { wlan0: 'w1' }, assignment: { f2: 'wlan0', f3: 'wlan0' } };
  const conv = { id: 'n', upKbps: 10, downKbps: 10, qos: 'C' as const };
  t.same(placeNewFlow(inst, cur, conv), { ok: true, interfaceId: 'wwan0', bearerId: 'b1', activates: true });
  // wlan0 draws 2.5 W; waking wwan0 adds 1.2 W.
  t.same(placeNewFlow({ ...inst, powerLimitW: 3.6 }, cur, conv).ok, false);
  t.same(placeNewFlow({ ...inst, powerLimitW: 3.8 }, cur, conv).ok, true);
  t.same(placeNewFlow(inst, cur, { ...conv, pinned: 'wlan0' }).ok, false, 'pins are kept');
});

t.test('invalidations: capacity or class drops, modems vanish, P_max falls; ended flows are fine', async (t) => {
  const inst = fixture('small.json');
  t.same(invalidations(inst, current), []);
  const ended = { ...inst, flows: inst.flows.filter((f) => f.id !== 'f3') };
  t.same(invalidations(ended, current), [], 'a flow that ended is no problem');
  const slower = fixture('small.json');
  slower.interfaces[1]!.bearers[0]!.downKbps = 450;
  t.match(invalidations(slower, current).join(), /downlink of "wlan0\/w1" over capacity: 500 > 450/);
  const worse = fixture('small.json');
  worse.interfaces[0]!.bearers[0]!.qos = 'S';
  t.match(invalidations(worse, current).join(), /needs QoS C/);
  const gone = fixture('small.json');
  gone.interfaces.pop();
  t.match(invalidations(gone, current).join(), /unknown interface "wlan0"/);
  t.match(invalidations({ ...inst, powerLimitW: 4 }, current).join(), /exceeds P_max/);
  const more = fixture('small.json');
  more.flows.push({ id: 'new', upKbps: 1, downKbps: 1, qos: 'B' });
  t.match(invalidations(more, current).join(), /flows not served: new/);
});

t.test('a fresh solve is adopted when the current one is invalid or the gain passes the margin', async (t) => {
  const inst = fixture('small.json');
  const fresh = (cost: number): TfapAnswer => ({ status: 'ok', activation: {}, assignment: {}, costPerSecond: cost, powerW: 0, solveMs: 0, method: 'heuristic' });
  // current costs 450 per second.
  t.equal(shouldAdopt(inst, current, fresh(440)).adopt, false, '2.2 % is inside the 5 % margin');
  t.equal(shouldAdopt(inst, current, fresh(400)).adopt, true);
  t.equal(shouldAdopt(inst, current, fresh(440), { minRelativeGain: 0.01 }).adopt, true);
  t.equal(shouldAdopt(inst, current, fresh(400), { minAbsoluteGain: 100 }).adopt, false);
  t.equal(shouldAdopt({ ...inst, powerLimitW: 4 }, current, fresh(2000)).adopt, true, 'invalid current: adopt even if dearer');
  t.equal(shouldAdopt(inst, current, { ...fresh(1), status: 'infeasible' }).adopt, false);
  t.same(changes(current, { activation: { wwan0: 'b1', wlan0: 'w2' }, assignment: { f1: 'wlan0', f2: 'wlan0', f3: 'wlan0' } }), {
    movedFlows: ['f1'],
    rebeared: ['wlan0'],
  });
});
