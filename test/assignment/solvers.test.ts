import t from 'tap';
import { checkAnswer } from '../../src/assignment/checker.js';
import { solveExact } from '../../src/assignment/exact.js';
import { solveHeuristic, type HeuristicVariant } from '../../src/assignment/heuristic.js';
import { costPerSecond, powerW } from '../../src/assignment/objective.js';
import type { TfapInstance } from '../../src/model/tfap.js';
import { bruteForce, fixture, tinyInstance } from './helpers.js';

const VARIANTS: HeuristicVariant[] = ['improved', 'thesis', 'thesis-ls'];

t.test('cost is eq. 3.4 and power eq. 3.5 (rx x down, tx x up)', async (t) => {
  const inst: TfapInstance = {
    powerLimitW: null,
    interfaces: [{ id: 'a', bearers: [{ id: 'x', qos: 'C', upKbps: 100, downKbps: 100, costPerKbit: 2, baseW: 1, txWPerKbps: 0.1, rxWPerKbps: 0.01 }] }],
    flows: [{ id: 'f', upKbps: 10, downKbps: 30, qos: 'B' }],
  };
  t.equal(costPerSecond(inst, { a: 'x' }, { f: 'a' }), 80);
  // 1 + 0.1 x 10 (tx, uplink) + 0.01 x 30 (rx, downlink) = 2.3; eq. 3.15's swap would give 1.4.
  t.equal(powerW(inst, { a: 'x' }, { f: 'a' }), 2.3);
});

t.test('hand-checked instance: unbounded, binding and unreachable P_max', async (t) => {
  const base = fixture('small.json');
  // f1 (C) can only ride wwan0/b1 or wlan0/w2; f2 + f3 fit wlan0/w1 at 0.5 per kbit:
  // 2 x 100 + 0.5 x 400 + 0.5 x 100 = 450, power (1 + 0.5 + 0.5) + (2 + 0.5) = 4.5 W.
  // P_max 3 W forbids two radios: everything on wlan0/w2, 3 x 600 = 1800,
  // 2 + 0.001 x 50 up + 0.001 x 550 down = 2.6 W.
  // P_max 2 W: no assignment (least power 2.6 W) -> over_power_limit with that one.
  const cases = [
    { limit: null, status: 'ok', cost: 450, power: 4.5, activation: { wwan0: 'b1', wlan0: 'w1' } },
    { limit: 3, status: 'ok', cost: 1800, power: 2.6, activation: { wlan0: 'w2' } },
    { limit: 2, status: 'over_power_limit', cost: 1800, power: 2.6, activation: { wlan0: 'w2' } },
  ] as const;
  for (const k of cases) {
    const inst = { ...base, powerLimitW: k.limit };
    for (const ans of [await solveExact(inst), ...VARIANTS.map((variant) => solveHeuristic(inst, { variant }))]) {
      const label = `${ans.method} P_max=${k.limit}`;
      t.same(checkAnswer(inst, ans), [], `${label} passes the checker`);
      t.equal(ans.status, k.status, `${label} status`);
      t.ok(Math.abs(ans.costPerSecond - k.cost) < 1e-9, `${label} cost ${ans.costPerSecond}`);
      t.ok(Math.abs(ans.powerW - k.power) < 1e-9, `${label} power ${ans.powerW}`);
      t.same(ans.activation, k.activation, `${label} activation`);
    }
  }
});

t.test('a flow no bearer can carry makes the answer infeasible, naming it', async (t) => {
  const inst = fixture('small.json');
  inst.flows.push({ id: 'huge', upKbps: 5000, downKbps: 0, qos: 'B' });
  for (const ans of [await solveExact(inst), solveHeuristic(inst)]) {
    t.equal(ans.status, 'infeasible');
    t.match(ans.reason, /huge/);
    t.same(checkAnswer(inst, ans), []);
  }
  const pinned = fixture('small.json');
  pinned.flows[0]!.pinned = 'wlan0';
  pinned.interfaces[1]!.bearers.pop(); // no C bearer left on wlan0
  const ans = solveHeuristic(pinned);
  t.equal(ans.status, 'infeasible');
  t.match(ans.reason, /f1/);
});

t.test('pins are respected', async (t) => {
  const inst = fixture('small.json');
  inst.flows[1]!.pinned = 'wwan0';
  for (const ans of [await solveExact(inst), ...VARIANTS.map((variant) => solveHeuristic(inst, { variant }))]) {
    t.equal(ans.assignment.f2, 'wwan0', `${ans.method}`);
    t.same(checkAnswer(inst, ans), []);
  }
});

t.test('exact equals brute force on tiny random instances, with and without P_max', async (t) => {
  let compared = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const free = tinyInstance(seed);
    const bf = bruteForce(free);
    const limits: (number | null)[] = [null];
    if (bf.minPowerW !== undefined) limits.push(bf.minPowerW, bf.minPowerW * 1.1, bf.minPowerW * 0.9);
    for (const limit of limits) {
      const inst = { ...free, powerLimitW: limit };
      const ref = bruteForce(inst);
      const e = await solveExact(inst);
      t.same(checkAnswer(inst, e), [], `seed ${seed} P_max ${limit}: exact passes the checker`);
      t.ok(e.optimal, `seed ${seed}: proven optimal`);
      if (ref.minPowerW === undefined) t.equal(e.status, 'infeasible', `seed ${seed}: infeasible`);
      else if (ref.minCost === undefined) {
        t.equal(e.status, 'over_power_limit', `seed ${seed} P_max ${limit}`);
        t.ok(Math.abs(e.powerW - ref.minPowerW) < 1e-6, `seed ${seed}: least power ${e.powerW} = ${ref.minPowerW}`);
      } else {
        t.equal(e.status, 'ok', `seed ${seed} P_max ${limit}`);
        t.ok(Math.abs(e.costPerSecond - ref.minCost) <= 1e-7 * ref.minCost, `seed ${seed} P_max ${limit}: cost ${e.costPerSecond} = ${ref.minCost}`);
        compared++;
      }
      // Every heuristic answer is valid, or its status says why.
      for (const variant of VARIANTS) {
        const h = solveHeuristic(inst, { variant, seed });
        t.same(checkAnswer(inst, h), [], `seed ${seed} ${variant} passes the checker`);
        if (h.status !== 'ok') t.ok(h.reason, `seed ${seed} ${variant}: ${h.status} says why`);
        if (h.status === 'ok' && ref.minCost !== undefined) t.ok(h.costPerSecond >= ref.minCost - 1e-7 * ref.minCost, 'no heuristic beats the optimum');
      }
    }
  }
  t.ok(compared > 40, `compared ${compared} feasible cases`);
});

t.test('the heuristic is deterministic per seed', async (t) => {
  const inst = { ...tinyInstance(7), powerLimitW: null };
  for (const variant of VARIANTS) {
    const a = solveHeuristic(inst, { variant, seed: 5 });
    const b = solveHeuristic(inst, { variant, seed: 5 });
    t.same(a, b, variant);
  }
});

t.test('solveMs comes from the injected clock', async (t) => {
  let tick = 0;
  const ans = solveHeuristic(fixture('small.json'), { now: () => (tick += 10) });
  t.equal(ans.solveMs, 10);
  t.equal(solveHeuristic(fixture('small.json')).solveMs, 0);
});

t.test('exact stopped by its time limit reports the proven bound, or says it found nothing', async (t) => {
  const { generateThesis } = await import('../../src/assignment/generate-thesis.js');
  for (const seed of [1, 2, 3]) {
    const inst = generateThesis('UC3', 'H', seed);
    const e = await solveExact(inst, { timeLimitS: 0.2 });
    t.same(checkAnswer(inst, e), [], `seed ${seed} passes the checker`);
    if (e.optimal) continue;
    if (e.status === 'ok') {
      t.type(e.lowerBound, 'number', `seed ${seed}: bound reported`);
      t.ok(e.lowerBound! <= e.costPerSecond + 1e-6, `seed ${seed}: bound ${e.lowerBound} <= cost ${e.costPerSecond}`);
    } else {
      t.equal(e.status, 'infeasible');
      t.match(e.reason, /HiGHS stopped before finding any assignment/);
    }
  }
});

t.test('at the tightest power limit the power-first fallback finds the assignment within P_max', async (t) => {
  const { generateThesis } = await import('../../src/assignment/generate-thesis.js');
  const { generateModern } = await import('../../src/assignment/generate-modern.js');
  // P_max = the least power of any assignment, from HiGHS (proven optimal). Before the fallback the
  // heuristic answered over_power_limit here (2.52595 W and 20.40207348 W).
  const cases = [
    { label: 'UC3 H seed 5008', seed: 5008, inst: { ...generateThesis('UC3', 'H', 5008), powerLimitW: 2.51187 } },
    { label: 'modern seed 5022', seed: 5022, inst: { ...generateModern(5022), powerLimitW: 20.388339870000003 } },
  ];
  for (const k of cases) {
    const ans = solveHeuristic(k.inst, { seed: k.seed });
    t.same(checkAnswer(k.inst, ans), [], `${k.label}: valid`);
    t.equal(ans.status, 'ok', `${k.label}: ${ans.powerW} W within ${k.inst.powerLimitW} W`);
  }
});
