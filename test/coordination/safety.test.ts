import t from 'tap';
import { actionsOf, codesFor, config, input, MIN, offeredIds, run } from './builders.js';
import { restoreActions } from '../../src/coordination/restore.js';
import { coordinate } from '../../src/coordination/coordinate.js';
import { INITIAL_COORDINATION_STATE } from '../../src/coordination/types.js';
import type { ModemSpec } from './builders.js';
import type { CarrierOption, CoordinationState } from '../../src/coordination/types.js';

const T0 = 10 * MIN;
const limits = { minRsrpDbm: -115, maxLossPct: 5 };

t.test('all modems bad: keep the least bad and say so', async (t) => {
  const a: ModemSpec = { name: 'a', rsrpDbm: -125, lossPct: 20, thresholds: limits }; // two violations
  const b: ModemSpec = { name: 'b', rsrpDbm: -118, thresholds: limits }; // one, small
  const c: ModemSpec = { name: 'c', rsrpDbm: -130, thresholds: limits }; // one, large
  const [o] = run([{ nowMs: T0, modems: [a, b, c], demand: { downKbps: 1000 } }]);
  t.same(offeredIds(o!), ['b_if']);
  const keep = o!.recommendations.find((r) => r.kind === 'keep-least-bad');
  t.equal(keep?.modem, 'b');
  t.match(keep?.message, /keeping b, the least bad \(RSRP -118 dBm below -115 dBm\)/);
  t.same(codesFor(o!, 'a'), ['loss', 'rsrp']);
  t.same(codesFor(o!, 'b'), [], 'the kept modem is not listed as excluded');
  t.same(actionsOf(o!), [], 'bad modems stay up so their recovery can be measured');
});

t.test('nothing usable at all: no modem offered, and the status says so', async (t) => {
  const [o] = run([{ nowMs: T0, modems: [{ name: 'a', alive: false }, { name: 'b', up: false }] }]);
  t.same(offeredIds(o!), []);
  t.same(codesFor(o!, 'a'), ['dead-path']);
  t.same(codesFor(o!, 'b'), ['down']);
  t.ok(o!.recommendations.some((r) => r.kind === 'no-usable-modem'));
});

t.test('a dead path leaves the set at once, before any hold time', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002 };
  const outs = run([
    { nowMs: T0, modems: [a, b], demand: { downKbps: 45_000 } },
    { nowMs: T0 + 1000, modems: [{ ...a, alive: false }, b], demand: { downKbps: 45_000 } },
  ]);
  t.same(offeredIds(outs[0]!), ['a_if', 'b_if']);
  t.same(offeredIds(outs[1]!), ['b_if']);
  t.same(codesFor(outs[1]!, 'a'), ['dead-path']);
});

t.test('probes lost while the link receives: busy, not dead; a blackout is dead', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002 };
  // A download fills a's queue and the probes drown in it: a stays on offer (its class comes from its path).
  const [busy] = run([{ nowMs: T0, modems: [{ ...a, alive: false, rxNowKbps: 4800 }, b], demand: { downKbps: 45_000 } }]);
  t.same(offeredIds(busy!), ['a_if', 'b_if']);
  t.same(codesFor(busy!, 'a'), []);
  // Nothing arrives either: the path is dead.
  const [dead] = run([{ nowMs: T0, modems: [{ ...a, alive: false, rxNowKbps: 3 }, b], demand: { downKbps: 45_000 } }]);
  t.same(offeredIds(dead!), ['b_if']);
  t.same(codesFor(dead!, 'a'), ['dead-path']);
});

t.test('quota exhausted mid-cycle: the modem leaves, the next one is woken', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.0005 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002 };
  const bDown = { ...b, up: false };
  const outs = run([
    { nowMs: T0, modems: [a, b], demand: { downKbps: 2000 } }, // sleep b
    { nowMs: T0 + 1000, modems: [a, bDown], demand: { downKbps: 2000 } },
    { nowMs: T0 + 5 * MIN, modems: [{ ...a, providerExcluded: ['quota'] }, bDown], demand: { downKbps: 2000 } },
    { nowMs: T0 + 5 * MIN + 20_000, modems: [{ ...a, providerExcluded: ['quota'] }, b], demand: { downKbps: 2000 } },
  ]);
  t.same(actionsOf(outs[0]!), ['sleep:b']);
  t.same(offeredIds(outs[2]!), [], 'a is gone at once');
  t.same(codesFor(outs[2]!, 'a'), ['quota'], 'the provider reason is passed through');
  t.same(actionsOf(outs[2]!), ['wake:b']);
  t.match(outs[2]!.recommendations.find((r) => r.kind === 'no-usable-modem')?.message ?? '', /waiting for the wake of b/);
  t.same(offeredIds(outs[3]!), ['b_if']);
  t.same(actionsOf(outs[3]!), [], 'a quota-stopped modem is not modemflow\'s to sleep or keep');
});

const second: CarrierOption = { modem: 'b', mcc: '262', mnc: '02', operatorName: 'Other', simSlot: 2, profile: null };

t.test('carrier diversity: recommend; switch only when allowed and safe', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002 };
  const demand = { downKbps: 45_000 };
  const [notAllowed] = run([{ nowMs: T0, modems: [a, b], demand, carrierOptions: [second] }]);
  const rec = notAllowed!.recommendations.find((r) => r.kind === 'carrier-diversity');
  t.match(rec?.message, /b and a are all on 26201; b could use Other \(26202\) via SIM slot 2 \(not switching: allow_sim_switch is off\)/);
  t.equal(rec?.acted, false);
  t.same(actionsOf(notAllowed!), []);

  const [allowed] = run([{ nowMs: T0, modems: [a, { ...b, allowSimSwitch: true }], demand, carrierOptions: [second] }]);
  t.same(actionsOf(allowed!), ['switch:b']);
  t.same(allowed!.actions[0]!.target, second);
  t.same(offeredIds(allowed!), ['a_if'], 'the switching modem leaves the set');
  t.same(codesFor(allowed!, 'b'), ['transition']);
  t.equal(allowed!.state.transition?.targetPlmn, '26202');

  // Only b is usable (a is out on a threshold): b must not go away.
  const [only] = run([{
    nowMs: T0,
    modems: [{ ...a, rsrpDbm: -130, thresholds: limits }, { ...b, allowSimSwitch: true }],
    demand,
    carrierOptions: [second],
  }]);
  t.same(actionsOf(only!), []);
  t.match(only!.recommendations.find((r) => r.kind === 'carrier-diversity')?.message, /not switching: it is the only usable modem/);
  // Different operators already: nothing to recommend.
  const [diverse] = run([{ nowMs: T0, modems: [a, { ...b, mnc: '03', allowSimSwitch: true }], demand, carrierOptions: [second] }]);
  t.same(diverse!.recommendations.filter((r) => r.kind === 'carrier-diversity'), []);
});

t.test('a modem dies during a switch: nothing else starts, and the switch completes or fails on its own', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002, allowSimSwitch: true };
  const demand = { downKbps: 45_000 };
  const start = run([{ nowMs: T0, modems: [a, b], demand, carrierOptions: [second] }]);
  t.same(actionsOf(start[0]!), ['switch:b']);

  // a dies while b is switching (b down meanwhile).
  const during = run(
    [
      { nowMs: T0 + 5000, modems: [{ ...a, alive: false }, { ...b, up: false }], demand, carrierOptions: [second] },
      { nowMs: T0 + 10_000, modems: [{ ...a, alive: false }, { ...b, up: false }], demand, carrierOptions: [second] },
    ],
    start[0]!.state,
  );
  for (const o of during) {
    t.same(offeredIds(o), []);
    t.same(actionsOf(o), [], 'no second change while one is in flight');
    t.same(codesFor(o, 'a'), ['dead-path']);
    t.match(o.recommendations.find((r) => r.kind === 'no-usable-modem')?.message, /waiting for the switch of b/);
  }

  // b comes up on the new operator: done, offered.
  const [done] = run([{ nowMs: T0 + 30_000, modems: [{ ...a, alive: false }, { ...b, mnc: '02' }], demand, carrierOptions: [second] }], during[1]!.state);
  t.equal(done!.state.transition, null);
  t.same(offeredIds(done!), ['b_if']);
  t.same(done!.recommendations.filter((r) => r.kind === 'carrier-diversity'), [], 'diverse now');

  // Or b never comes back: the switch fails at the timeout and b is backed off.
  const [failed] = run([{ nowMs: T0 + 3 * MIN, modems: [a, { ...b, up: false }], demand, carrierOptions: [second] }], during[1]!.state);
  t.equal(failed!.state.transition, null);
  t.match(failed!.recommendations.find((r) => r.kind === 'transition-failed')?.message, /switch to 26202 of b \(b_if\) did not complete in 180 s/);
  t.same(offeredIds(failed!), ['a_if'], 'a recovered and carries');
  t.equal(failed!.state.modems.b!.backoffUntilMs, T0 + 3 * MIN + 10 * MIN);
});

t.test('one change at a time: two modems wanted, one wake per completed transition', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002 };
  const c: ModemSpec = { name: 'c', costPerKbit: 0.003 };
  const d = (m: ModemSpec): ModemSpec => ({ ...m, up: false });
  const outs = run([
    { nowMs: T0, modems: [a, b, c], demand: { downKbps: 1000 } },
    { nowMs: T0 + 1000, modems: [a, b, d(c)], demand: { downKbps: 1000 } },
    { nowMs: T0 + 2000, modems: [a, d(b), d(c)], demand: { downKbps: 1000 } },
    { nowMs: T0 + 10 * MIN, modems: [a, d(b), d(c)], demand: { downKbps: 140_000 } },
    { nowMs: T0 + 10 * MIN + 5000, modems: [a, d(b), d(c)], demand: { downKbps: 140_000 } },
    { nowMs: T0 + 10 * MIN + 10_000, modems: [a, b, d(c)], demand: { downKbps: 140_000 } },
  ]);
  t.same(outs.map(actionsOf), [['sleep:c'], ['sleep:b'], [], ['wake:b'], [], ['wake:c']]);
});

t.test('disabled modems and modems without a view are out, with a reason', async (t) => {
  const [o] = run([{ nowMs: T0, modems: [{ name: 'a' }, { name: 'x', enabled: false }] }]);
  t.same(codesFor(o!, 'x'), ['disabled']);
  t.same(offeredIds(o!), ['a_if']);
  const noView = input({ nowMs: T0, modems: [{ name: 'a' }, { name: 'y' }] });
  noView.views = noView.views.filter((v) => v.name !== 'y');
  noView.candidates.interfaces = noView.candidates.interfaces.filter((i) => i.id !== 'y_if');
  const o2 = coordinate(noView, INITIAL_COORDINATION_STATE);
  t.same(codesFor(o2, 'y'), ['down']);
  t.same(offeredIds(o2), ['a_if']);
});

t.test('the state survives a JSON round trip, and a stop brings back what modemflow took down', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002 };
  const c: ModemSpec = { name: 'c', costPerKbit: 0.003 };
  const outs = run([
    { nowMs: T0, modems: [a, b, c], demand: { downKbps: 1000 } },
    { nowMs: T0 + 1000, modems: [a, b, { ...c, up: false }], demand: { downKbps: 1000 } },
  ]);
  t.same(actionsOf(outs[1]!), ['sleep:b']);
  const saved = JSON.parse(JSON.stringify(outs[1]!.state)) as CoordinationState;
  t.same(saved, outs[1]!.state);
  const next = { nowMs: T0 + 2000, modems: [a, { ...b, up: false }, { ...c, up: false }], demand: { downKbps: 1000 } };
  t.same(run([next], saved)[0], run([next], outs[1]!.state)[0], 'same decisions from the saved state');
  // b's sleep is still in flight, c is down by our hand: both come back.
  t.same(restoreActions(outs[1]!.state, [a, b, c].map(config)).map((x) => `${x.kind}:${x.modem}:${x.interface}`), ['wake:b:b_if', 'wake:c:c_if']);
});

t.test('candidates keyed by the modem name are matched too', async (t) => {
  const inp = input({ nowMs: T0, modems: [{ name: 'a' }] });
  inp.candidates.interfaces = inp.candidates.interfaces.map((i) => ({ ...i, id: 'a' }));
  const o = coordinate(inp, INITIAL_COORDINATION_STATE);
  t.same(offeredIds(o), ['a']);
});

t.test('the last active modem dies just after another was put to sleep: it is woken at once', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002 };
  const outs = run([
    { nowMs: T0, modems: [a, b], demand: { downKbps: 1000 } },
    { nowMs: T0 + 1000, modems: [a, { ...b, up: false }], demand: { downKbps: 1000 } },
    { nowMs: T0 + 2000, modems: [{ ...a, alive: false }, { ...b, up: false }], demand: { downKbps: 1000 } },
  ]);
  t.same(outs.map(actionsOf), [['sleep:b'], [], ['wake:b']], 'no minimum off time when nothing is up');
});
