import t from 'tap';
import { actionsOf, codesFor, MIN, offeredIds, run } from './builders.js';
import type { ModemSpec, Step } from './builders.js';

const T0 = 10 * MIN; // links came up at 0, so minimum on-times have passed

t.test('low demand: only the cheapest modem is offered, the dearest is put to sleep first', async (t) => {
  const modems: ModemSpec[] = [
    { name: 'a', costPerKbit: 0.001 },
    { name: 'b', costPerKbit: 0.0005 },
    { name: 'c', costPerKbit: 0.002 },
  ];
  const [o] = run([{ nowMs: T0, modems, demand: { downKbps: 1000, upKbps: 100, strictestQos: 'I' } }]);
  t.same(offeredIds(o!), ['b_if']);
  t.same(actionsOf(o!), ['sleep:c']);
  t.same(codesFor(o!, 'a'), ['standby']);
  t.same(codesFor(o!, 'c'), ['standby']);
});

t.test('the cheapest is price x energy per bit, and it must meet the delay class', async (t) => {
  // Same price: the one with less idle power per bit wins.
  const [o1] = run([{ nowMs: T0, modems: [{ name: 'a', costPerKbit: 0.001, baseW: 3 }, { name: 'b', costPerKbit: 0.001, baseW: 1 }], demand: { downKbps: 1000 } }]);
  t.same(offeredIds(o1!), ['b_if']);
  // Price x energy, not price alone: b is 20% cheaper per kbit but idles at twice the power.
  const [o1b] = run([{ nowMs: T0, modems: [{ name: 'a', costPerKbit: 0.001, baseW: 1 }, { name: 'b', costPerKbit: 0.0008, baseW: 2 }], demand: { downKbps: 1000 } }]);
  t.same(offeredIds(o1b!), ['a_if']);
  // b is cheaper but only meets Interactive; conversational demand needs a.
  const modems: ModemSpec[] = [{ name: 'a', costPerKbit: 0.002, qos: 'C' }, { name: 'b', costPerKbit: 0.001, qos: 'I' }];
  const [o2] = run([{ nowMs: T0, modems, demand: { downKbps: 1000, strictestQos: 'C' } }]);
  t.same(offeredIds(o2!), ['a_if']);
  const [o3] = run([{ nowMs: T0, modems, demand: { downKbps: 1000, strictestQos: 'B' } }]);
  t.same(offeredIds(o3!), ['b_if']);
});

t.test('rising demand wakes the next modem, one at a time, after its minimum off time', async (t) => {
  const low = { downKbps: 1000 };
  const high = { downKbps: 45_000 }; // 90% of one modem's 50 Mbps
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002 };
  const c: ModemSpec = { name: 'c', costPerKbit: 0.003 };
  const down = (m: ModemSpec): ModemSpec => ({ ...m, up: false });
  const outs = run([
    { nowMs: T0, modems: [a, b, c], demand: low }, // 0: sleep c
    { nowMs: T0 + 1000, modems: [a, b, down(c)], demand: low }, // 1: c is down; sleep b
    { nowMs: T0 + 2000, modems: [a, down(b), down(c)], demand: low }, // 2: b is down
    { nowMs: T0 + 3000, modems: [a, down(b), down(c)], demand: high }, // 3: wanted, but b was just taken down
    { nowMs: T0 + 2000 + 2 * MIN, modems: [a, down(b), down(c)], demand: high }, // 4: min off passed: wake b
    { nowMs: T0 + 2001 + 2 * MIN, modems: [a, down(b), down(c)], demand: { downKbps: 95_000 } }, // 5: b not up yet: nothing else
    { nowMs: T0 + 2 * MIN + 10_000, modems: [a, b, down(c)], demand: high }, // 6: b up, offered
  ]);
  t.same(outs.map(actionsOf), [['sleep:c'], ['sleep:b'], [], [], ['wake:b'], [], []]);
  t.same(offeredIds(outs[3]!), ['a_if']);
  t.same(codesFor(outs[4]!, 'b'), ['asleep', 'down']);
  t.match(outs[4]!.actions[0]!.reason, /demand at 90%/);
  t.match(outs[4]!.excluded.find((e) => e.modem === 'b' && e.code === 'asleep')?.reason, /^being woken: demand at 90%/);
  t.ok(outs[5]!.recommendations.some((r) => r.kind === 'transition-pending' && r.modem === 'b'), 'says a change is in flight');
  t.same(offeredIds(outs[6]!), ['a_if', 'b_if']);
  t.equal(outs[6]!.state.transition, null);
});

t.test('flapping demand: the hysteresis holds the active set and starts no action', async (t) => {
  const modems: ModemSpec[] = [{ name: 'a', costPerKbit: 0.001 }, { name: 'b', costPerKbit: 0.002 }];
  const steps: Step[] = [];
  // 45 Mbps (a alone at 90%) then 20..30 Mbps alternating every 10 s for 4 minutes.
  steps.push({ nowMs: T0, modems, demand: { downKbps: 45_000 } });
  for (let i = 1; i <= 24; i++) steps.push({ nowMs: T0 + i * 10_000, modems, demand: { downKbps: i % 2 ? 20_000 : 45_000 } });
  const outs = run(steps);
  t.same(outs.flatMap(actionsOf), [], 'no wake/sleep while flapping');
  t.same(new Set(outs.map((o) => offeredIds(o).join(','))), new Set(['a_if,b_if']), 'both stay offered for the minimum on time');
  // Once the minimum on time is over and demand stays low, b leaves the set, then goes to sleep.
  const later = run([{ nowMs: T0 + 6 * MIN, modems, demand: { downKbps: 20_000 } }], outs.at(-1)!.state);
  t.same(offeredIds(later[0]!), ['a_if']);
  t.same(actionsOf(later[0]!), [], 'just left the set: not yet taken down');
  const laterStill = run([{ nowMs: T0 + 12 * MIN, modems, demand: { downKbps: 20_000 } }], later[0]!.state);
  t.same(actionsOf(laterStill[0]!), ['sleep:b']);
});

t.test('tiers: overflow only when primaries are full, backup only when no primary works, never never', async (t) => {
  const p: ModemSpec = { name: 'p', costPerKbit: 0.002 };
  const o: ModemSpec = { name: 'o', tier: 'overflow', costPerKbit: 0.0001 };
  const b: ModemSpec = { name: 'b', tier: 'backup', costPerKbit: 0 };
  const n: ModemSpec = { name: 'n', tier: 'never', costPerKbit: 0 };
  const [low] = run([{ nowMs: T0, modems: [p, o, b, n], demand: { downKbps: 1000 } }]);
  t.same(offeredIds(low!), ['p_if'], 'the cheaper overflow and free backup wait');
  t.same(codesFor(low!, 'b'), ['tier']);
  t.same(codesFor(low!, 'n'), ['tier']);
  t.same(codesFor(low!, 'o'), ['standby']);
  const [full] = run([{ nowMs: T0, modems: [p, o, b, n], demand: { downKbps: 45_000 } }]);
  t.same(offeredIds(full!), ['o_if', 'p_if'], 'primary full: overflow joins, backup still not');
  const [dead] = run([{ nowMs: T0, modems: [{ ...p, alive: false }, o, b, n], demand: { downKbps: 1000 } }]);
  t.same(codesFor(dead!, 'p'), ['dead-path']);
  t.same(offeredIds(dead!), ['o_if'], 'no primary works: overflow first, then backup in order');
  const [deadFull] = run([{ nowMs: T0, modems: [{ ...p, alive: false }, o, b, n], demand: { downKbps: 45_000 } }]);
  t.same(offeredIds(deadFull!), ['b_if', 'o_if']);
  // The primary comes back: the backup leaves the set and, later, goes to sleep.
  const back = run(
    [
      { nowMs: T0, modems: [{ ...p, alive: false }, b], demand: { downKbps: 1000 } },
      { nowMs: T0 + 1000, modems: [p, b], demand: { downKbps: 1000 } },
      { nowMs: T0 + 1000 + 6 * MIN, modems: [p, b], demand: { downKbps: 1000 } },
    ],
  );
  t.same(back.map(offeredIds), [['b_if'], ['p_if'], ['p_if']]);
  t.same(codesFor(back[1]!, 'b'), ['tier']);
  t.same(back.map(actionsOf), [[], [], ['sleep:b']]);
});

t.test('a woken modem counts as up when its link is, even before the metrics offer it', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002 };
  const outs = run([
    { nowMs: T0, modems: [a, b], demand: { downKbps: 1000 } },
    { nowMs: T0 + 1000, modems: [a, { ...b, up: false }], demand: { downKbps: 1000 } },
    { nowMs: T0 + 10 * MIN, modems: [a, { ...b, up: false }], demand: { downKbps: 45_000 } },
    { nowMs: T0 + 10 * MIN + 5000, modems: [a, { ...b, providerExcluded: ['no-capacity'] }], demand: { downKbps: 45_000 } },
    { nowMs: T0 + 10 * MIN + 30_000, modems: [a, b], demand: { downKbps: 45_000 } },
  ]);
  t.same(outs.map(actionsOf), [['sleep:b'], [], ['wake:b'], [], []]);
  t.equal(outs[3]!.state.transition, null, 'link up ends the wake');
  t.same(codesFor(outs[3]!, 'b'), ['no-capacity']);
  t.same(offeredIds(outs[4]!), ['a_if', 'b_if']);
});

t.test('shared cell: modems on one operator and cell are derated by N/(N+k-1)', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001, cellId: 'X' };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002, cellId: 'X' };
  const [o] = run([{ nowMs: T0, modems: [a, b], demand: { downKbps: 45_000 } }]);
  t.same(offeredIds(o!), ['a_if', 'b_if']);
  t.same(o!.interfaces.map((i) => i.bearers[0]!.downKbps), [25_000, 25_000], 'empty cell (N=1): half each');
  t.same(o!.deratings.map((d) => [d.modem, d.sharedWith, d.factor]), [['a', ['b'], 0.5], ['b', ['a'], 0.5]]);
  const [loaded] = run([{ nowMs: T0, modems: [a, b], demand: { downKbps: 45_000 }, settings: { assumedCellUsers: 9 } }]);
  t.same(loaded!.interfaces.map((i) => i.bearers[0]!.downKbps), [45_000, 45_000], 'N=9: 9/10 each');
  const three3 = run([{ nowMs: T0, modems: [a, b, { name: 'c', costPerKbit: 0.003, cellId: 'X' }], demand: { downKbps: 140_000 } }]);
  t.same(three3[0]!.deratings.map((d) => d.factor), [1 / 3, 1 / 3, 1 / 3], 'three on an empty cell: a third each');
  const [other] = run([{ nowMs: T0, modems: [a, { ...b, mnc: '02' }], demand: { downKbps: 45_000 } }]);
  t.same(other!.deratings, [], 'another operator on the same cell id shares nothing');
  // Derating counts when deciding to wake: 45 Mbps on a shared 50 Mbps cell still exceeds 80%, c joins.
  const c: ModemSpec = { name: 'c', costPerKbit: 0.003, mnc: '03' };
  const [three] = run([{ nowMs: T0, modems: [a, b, c], demand: { downKbps: 45_000 } }]);
  t.same(offeredIds(three!), ['a_if', 'b_if', 'c_if']);
});

t.test('the power limit stops a wake that the idle power alone would break', async (t) => {
  const a: ModemSpec = { name: 'a', costPerKbit: 0.001, baseW: 2 };
  const b: ModemSpec = { name: 'b', costPerKbit: 0.002, baseW: 2 };
  const s0 = run([
    { nowMs: T0, modems: [a, b], demand: { downKbps: 1000 } },
    { nowMs: T0 + 1000, modems: [a, { ...b, up: false }], demand: { downKbps: 1000 } },
  ]);
  const [o] = run([{ nowMs: T0 + 10 * MIN, modems: [a, { ...b, up: false }], demand: { downKbps: 45_000 }, powerLimitW: 3 }], s0[1]!.state);
  t.same(actionsOf(o!), []);
  t.match(o!.recommendations.find((r) => r.kind === 'power-limit')?.message ?? '', /4\.00 W, above the 3\.00 W limit/);
  const [o2] = run([{ nowMs: T0 + 10 * MIN, modems: [a, { ...b, up: false }], demand: { downKbps: 45_000 }, powerLimitW: 5 }], s0[1]!.state);
  t.same(actionsOf(o2!), ['wake:b']);
});

t.test('an up modem further down the order carries while a cheaper one may not wake yet', async (t) => {
  const p1: ModemSpec = { name: 'p1', costPerKbit: 0.001 };
  const p2: ModemSpec = { name: 'p2', costPerKbit: 0.002 };
  const o: ModemSpec = { name: 'o', tier: 'overflow', costPerKbit: 0.003, sinceMs: T0 }; // just came up
  const p2down = { ...p2, up: false };
  const high = { downKbps: 45_000 };
  const outs = run([
    { nowMs: T0, modems: [p1, p2, o], demand: { downKbps: 1000 } }, // o is within its minimum on time: p2 sleeps
    { nowMs: T0 + 1000, modems: [p1, p2down, o], demand: { downKbps: 1000 } },
    { nowMs: T0 + 30_000, modems: [p1, p2down, o], demand: high }, // p2 within min off: o joins at once
    { nowMs: T0 + 1000 + 2 * MIN, modems: [p1, p2down, o], demand: high }, // min off over: p2 is cheaper than o
    { nowMs: T0 + 1000 + 2 * MIN + 10_000, modems: [p1, p2, o], demand: high }, // p2 up; o stays for its min on time
    { nowMs: T0 + 30_000 + 6 * MIN, modems: [p1, p2, o], demand: high }, // o leaves the set
  ]);
  t.same(outs.map(actionsOf), [['sleep:p2'], [], [], ['wake:p2'], [], []]);
  t.same(offeredIds(outs[2]!), ['o_if', 'p1_if']);
  t.match(outs[3]!.actions[0]!.reason, /cheaper than o, which carries now/);
  t.same(offeredIds(outs[4]!), ['o_if', 'p1_if', 'p2_if']);
  t.same(offeredIds(outs[5]!), ['p1_if', 'p2_if']);
});

t.test('over the power budget on idle power alone, an idle modem sleeps after powerSleepAfterMs, not minOnMs', async (t) => {
  const modems: ModemSpec[] = [{ name: 'a', costPerKbit: 0.001, baseW: 1.2 }, { name: 'b', costPerKbit: 0.002, baseW: 1.2 }];
  // High demand: both active; then demand drops and the budget falls below what both draw idle.
  const busy = run([{ nowMs: T0, modems, demand: { downKbps: 45_000 } }]);
  t.same(offeredIds(busy[0]!), ['a_if', 'b_if']);
  const low = { downKbps: 1000 };
  const left = run([{ nowMs: T0 + 6 * MIN, modems, demand: low }], busy[0]!.state);
  t.same(offeredIds(left[0]!), ['a_if'], 'b leaves the active set');
  // Within minOnMs of leaving: on mains nothing happens, under a 2 W budget it goes after 30 s.
  const mains = run([{ nowMs: T0 + 6 * MIN + 40_000, modems, demand: low }], left[0]!.state);
  t.same(actionsOf(mains[0]!), [], 'no budget: b waits out its minimum on time');
  const budget = run([{ nowMs: T0 + 6 * MIN + 40_000, modems, demand: low, powerLimitW: 2 }], left[0]!.state);
  t.same(actionsOf(budget[0]!), ['sleep:b']);
  t.match(budget[0]!.actions[0]!.reason, /over the power budget: awake modems draw 2\.40 W idle against P_max 2 W/);
  const early = run([{ nowMs: T0 + 6 * MIN + 10_000, modems, demand: low, powerLimitW: 2 }], left[0]!.state);
  t.same(actionsOf(early[0]!), [], 'not before powerSleepAfterMs');
});

t.test('P_max lowered under high demand: the dearest leaves the set at once, drains, then sleeps', async (t) => {
  // 50 Mbit/s each at 0.05 W per Mbit/s down: a carries 50 of the 120 Mbit/s for 0.8 + 2.5 W, a + b 7.1 W, all three 10.7 W.
  const modems: ModemSpec[] = [
    { name: 'a', costPerKbit: 0.001, baseW: 0.8 },
    { name: 'b', costPerKbit: 0.002, baseW: 1.3 },
    { name: 'c', costPerKbit: 0.004, baseW: 2.6 },
  ];
  const high = { downKbps: 120_000 }; // more than all three carry: every one is wanted
  const busy = run([{ nowMs: T0, modems, demand: high }]);
  t.same(offeredIds(busy[0]!), ['a_if', 'b_if', 'c_if']);
  const cut = run([{ nowMs: T0 + 1000, modems, demand: high, powerLimitW: 8 }], busy[0]!.state);
  t.same(offeredIds(cut[0]!), ['a_if', 'b_if'], 'c goes, though the demand still wants it');
  t.same(actionsOf(cut[0]!), [], 'no sleep yet: its pinned connections drain first');
  t.same(codesFor(cut[0]!, 'c'), ['standby']);
  t.match(cut[0]!.excluded.find((e) => e.modem === 'c')?.reason, /over the power budget: the active modems would draw 10\.70 W carrying the demand against P_max 8 W/);
  t.ok(cut[0]!.recommendations.some((r) => r.kind === 'power-limit' && r.modem === 'c' && r.acted), 'said why');
  // Still over the budget with c: it does not rejoin, and sleeps once powerSleepAfterMs has passed.
  const mid = run([{ nowMs: T0 + 11_000, modems, demand: high, powerLimitW: 8 }], cut[0]!.state);
  t.same(offeredIds(mid[0]!), ['a_if', 'b_if'], 'an up modem does not join past P_max');
  t.same(actionsOf(mid[0]!), []);
  t.match(mid[0]!.excluded.find((e) => e.modem === 'c')?.reason, /with it the active modems would draw 10\.70 W carrying the demand against P_max 8 W/, 'still says why');
  const later = run([{ nowMs: T0 + 1000 + 30_000, modems, demand: high, powerLimitW: 8 }], mid[0]!.state);
  t.same(actionsOf(later[0]!), ['sleep:c']);
  t.match(later[0]!.actions[0]!.reason, /awake modems would draw 10\.70 W carrying the demand against P_max 8 W; out of the active set for 30 s/);
  // One whose link moves nothing has nothing to drain: it sleeps in the next step.
  const quiet = modems.map((m) => (m.name === 'c' ? { ...m, rxNowKbps: 0 } : m));
  const now = run([{ nowMs: T0 + 2000, modems: quiet, demand: high, powerLimitW: 8 }], cut[0]!.state);
  t.same(actionsOf(now[0]!), ['sleep:c']);
  const busyC = modems.map((m) => (m.name === 'c' ? { ...m, rxNowKbps: 500 } : m));
  const draining = run([{ nowMs: T0 + 2000, modems: busyC, demand: high, powerLimitW: 8 }], cut[0]!.state);
  t.same(actionsOf(draining[0]!), [], 'one that still carries drains first');
  // Kept in use order while they fit: a alone under 4 W; the first always stays.
  const tight = run([{ nowMs: T0 + 1000, modems, demand: high, powerLimitW: 4 }], busy[0]!.state);
  t.same(offeredIds(tight[0]!), ['a_if']);
  const none = run([{ nowMs: T0 + 1000, modems, demand: high, powerLimitW: 1 }], busy[0]!.state);
  t.same(offeredIds(none[0]!), ['a_if'], 'one modem carries even when it alone breaks the limit');
  // A limit the three fit under leaves them all.
  const roomy = run([{ nowMs: T0 + 1000, modems, demand: high, powerLimitW: 11 }], busy[0]!.state);
  t.same(offeredIds(roomy[0]!), ['a_if', 'b_if', 'c_if']);
});

t.test('P_max: the set kept under the limit goes by price x energy, not by the class a modem meets now', async (t) => {
  // c is the only one meeting the calls' class (it leads the use order), but the limit ranks a, b, c:
  // a + b carry 100 of the 120 Mbit/s for 7.1 W, all three 10.7 W: under 9 W c is shed and stays out.
  const modems: ModemSpec[] = [
    { name: 'a', costPerKbit: 0.001, baseW: 0.8, qos: 'I' },
    { name: 'b', costPerKbit: 0.002, baseW: 1.3, qos: 'I' },
    { name: 'c', costPerKbit: 0.004, baseW: 2.6, qos: 'C' },
  ];
  const calls = { downKbps: 120_000, strictestQos: 'C' as const };
  const busy = run([{ nowMs: T0, modems, demand: calls }]);
  t.same(offeredIds(busy[0]!), ['a_if', 'b_if', 'c_if']);
  const steps = run(
    [
      { nowMs: T0 + 1000, modems, demand: calls, powerLimitW: 9 },
      { nowMs: T0 + 2000, modems, demand: calls, powerLimitW: 9 },
      { nowMs: T0 + 3000, modems, demand: calls, powerLimitW: 9 },
    ],
    busy[0]!.state,
  );
  t.same(steps.map(offeredIds), [['a_if', 'b_if'], ['a_if', 'b_if'], ['a_if', 'b_if']], 'the same set every step, though the class would want c');
  const free = run([{ nowMs: T0 + 4000, modems, demand: calls, powerLimitW: null }], steps[2]!.state);
  t.same(offeredIds(free[0]!), ['a_if', 'b_if', 'c_if'], 'the limit lifted: c rejoins');
});
