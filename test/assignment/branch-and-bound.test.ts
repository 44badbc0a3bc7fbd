import t from 'tap';
import { branchAndBound } from '../../src/assignment/branch-and-bound.js';
import { checkAnswer } from '../../src/assignment/checker.js';
import { compile } from '../../src/assignment/compiled.js';
import { atLeastAsGood, nonDominated } from '../../src/assignment/dominance.js';
import { solveExact } from '../../src/assignment/exact.js';
import { solveHeuristic } from '../../src/assignment/heuristic.js';
import { toAnswer } from '../../src/assignment/state.js';
import type { TfapInstance } from '../../src/model/tfap.js';
import { bruteForce, feasibleTinyInstances, fixture, tinyInstance } from './helpers.js';

/** The instance with only the bearers dominance pruning keeps. */
function pruned(inst: TfapInstance, k: { cost: boolean; power: boolean }): TfapInstance {
  const keep = nonDominated(compile(inst), k);
  return { ...inst, interfaces: inst.interfaces.map((r, i) => ({ ...r, bearers: Array.from(keep[i]!, (j) => r.bearers[j]!) })) };
}

t.test('dominance: a bearer at least as good on capacity, class, cost and power removes the other', async (t) => {
  const base = { qos: 'S' as const, upKbps: 100, downKbps: 100, costPerKbit: 2, baseW: 1, txWPerKbps: 0.01, rxWPerKbps: 0.01 };
  const inst: TfapInstance = {
    powerLimitW: null,
    interfaces: [
      {
        id: 'a',
        bearers: [
          { id: 'worse', ...base },
          { id: 'better', ...base, qos: 'C', upKbps: 200, costPerKbit: 1 },
          // Cheaper but hungrier: survives when power counts, not when only cost does.
          { id: 'cheap-hungry', ...base, costPerKbit: 0.5, baseW: 3, upKbps: 200, qos: 'C' },
          { id: 'twin', ...base, qos: 'C', upKbps: 200, costPerKbit: 1 },
          // Carries no flow at all.
          { id: 'tiny', ...base, upKbps: 1, downKbps: 1 },
        ],
      },
    ],
    flows: [{ id: 'f', upKbps: 10, downKbps: 10, qos: 'B' }],
  };
  const ids = (k: { cost: boolean; power: boolean }) => Array.from(nonDominated(compile(inst), k)[0]!, (j) => inst.interfaces[0]!.bearers[j]!.id);
  t.same(ids({ cost: true, power: true }), ['better', 'cheap-hungry'], 'both criteria: the dominated and the twin go');
  t.same(ids({ cost: true, power: false }), ['cheap-hungry'], 'cost only');
  t.same(ids({ cost: false, power: true }), ['better'], 'power only: of equal-power bearers the cheaper is kept');
  const c = compile(inst);
  t.ok(atLeastAsGood(c.bearers[0]![1]!, c.bearers[0]![0]!, { cost: true, power: true }));
  t.notOk(atLeastAsGood(c.bearers[0]![0]!, c.bearers[0]![1]!, { cost: true, power: true }));
});

t.test('dominance pruning keeps the optimum (brute force on tiny random instances)', async (t) => {
  let compared = 0;
  for (const { seed, inst: free, bf: all } of feasibleTinyInstances()) {
    t.equal(bruteForce(pruned(free, { cost: false, power: true })).minPowerW, all.minPowerW, `seed ${seed}: least power kept`);
    t.equal(bruteForce(pruned(free, { cost: true, power: false })).minCost, all.minCost, `seed ${seed}: least cost kept`);
    const limited = { ...free, powerLimitW: all.minPowerW * 1.05 };
    t.equal(bruteForce(pruned(limited, { cost: true, power: true })).minCost, bruteForce(limited).minCost, `seed ${seed}: least cost within P_max kept`);
    compared++;
  }
  t.ok(compared >= 30, `compared ${compared} instances`);
});

t.test('complete branch and bound equals brute force (least cost within P_max, least power)', async (t) => {
  let compared = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const free = tinyInstance(seed);
    const bf = bruteForce(free);
    if (bf.minPowerW === undefined) {
      t.notOk(branchAndBound(compile(free), { objective: 'power', maxNodes: 1e6 }).state, `seed ${seed}: nothing found where nothing exists`);
      continue;
    }
    const p = branchAndBound(compile(free), { objective: 'power', maxNodes: 1e6 });
    t.ok(p.complete && p.state, `seed ${seed}: power search completes`);
    t.ok(Math.abs(p.state!.power() - bf.minPowerW) <= 1e-9 * bf.minPowerW, `seed ${seed}: least power ${p.state!.power()} = ${bf.minPowerW}`);
    for (const limit of [null, bf.minPowerW, bf.minPowerW * 1.1, bf.minPowerW * 0.9]) {
      const inst = { ...free, powerLimitW: limit };
      const ref = bruteForce(inst);
      for (const order of ['class', 'size'] as const) {
        const r = branchAndBound(compile(inst), { objective: 'cost', maxNodes: 1e6, order });
        t.ok(r.complete, `seed ${seed} P_max ${limit}: completes`);
        if (ref.minCost === undefined) {
          t.notOk(r.state, `seed ${seed} P_max ${limit}: no assignment within P_max`);
          continue;
        }
        const ans = toAnswer(r.state!, { method: 'heuristic', solveMs: 0 });
        t.same(checkAnswer(inst, ans), [], `seed ${seed} P_max ${limit}: passes the checker`);
        t.equal(ans.status, 'ok');
        t.ok(Math.abs(ans.costPerSecond - ref.minCost) <= 1e-9 * ref.minCost, `seed ${seed} P_max ${limit} ${order}: cost ${ans.costPerSecond} = ${ref.minCost}`);
        compared++;
      }
    }
  }
  t.ok(compared > 60, `compared ${compared} cases`);
});

t.test('a truncated search still returns a valid assignment or says it found none', async (t) => {
  const { generateThesis } = await import('../../src/assignment/generate-thesis.js');
  for (const seed of [1, 2, 3]) {
    const inst = generateThesis('UC2', 'H', seed);
    const r = branchAndBound(compile(inst), { objective: 'cost', maxNodes: 200 });
    t.notOk(r.complete, `seed ${seed}: stopped by the node budget`);
    t.ok(r.nodes <= 201);
    if (r.state) t.same(checkAnswer(inst, toAnswer(r.state, { method: 'heuristic', solveMs: 0 })), [], `seed ${seed}: valid`);
  }
});

t.test('the improved heuristic meets P_max whenever exact does, at the tightest limit too', async (t) => {
  // Hand-checked: the least power is 2.6 W (all on wlan0/w2); at exactly that limit it must be met.
  const small = { ...fixture('small.json'), powerLimitW: 2.6 };
  const h = solveHeuristic(small);
  t.equal(h.status, 'ok');
  t.equal(h.costPerSecond, 1800);
  let tight = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const free = tinyInstance(seed);
    const bf = bruteForce(free);
    if (bf.minPowerW === undefined) continue;
    for (const limit of [bf.minPowerW, bf.minPowerW * 1.02]) {
      const inst = { ...free, powerLimitW: limit };
      const e = await solveExact(inst);
      const ans = solveHeuristic(inst, { seed });
      t.same(checkAnswer(inst, ans), [], `seed ${seed}: valid`);
      if (e.status === 'ok') {
        t.equal(ans.status, 'ok', `seed ${seed} P_max ${limit}: met as exact meets it`);
        tight++;
      }
    }
  }
  t.ok(tight >= 40, `checked ${tight} tight cases`);
});

t.test('the relaxation bounds the least cost and the least power from below', async (t) => {
  const { SegmentBins, tables } = await import('../../src/assignment/relaxation.js');
  let compared = 0;
  for (const { seed, inst: free, bf } of feasibleTinyInstances()) {
    const c = compile(free);
    const tb = tables(c, nonDominated(c, { cost: true, power: true }));
    const segs = new SegmentBins(c.m, tb, c.m);
    for (let i = 0; i < c.m; i++) segs.build(i, i, 0, 0, -1);
    // Every flow still to place: row 0 of the remaining volume by class and direction.
    const restVol = new Float64Array(8);
    for (let z = 0; z < c.v; z++) {
      restVol[c.qos[z]! * 2] += c.up[z]!;
      restVol[c.qos[z]! * 2 + 1] += c.down[z]!;
    }
    const costLb = segs.pour(restVol, 0, -1, -1, false);
    const powerLb = segs.pour(restVol, 0, -1, -1, true);
    t.ok(costLb <= bf.minCost! * (1 + 1e-9), `seed ${seed}: cost bound ${costLb} <= ${bf.minCost}`);
    t.ok(powerLb <= bf.minPowerW * (1 + 1e-9), `seed ${seed}: power bound ${powerLb} <= ${bf.minPowerW}`);
    compared++;
  }
  t.ok(compared >= 30, `compared ${compared} instances`);
});

t.test('large neighbourhood search: never worse, valid, and optimal when it frees every interface', async (t) => {
  const { lnsImprove } = await import('../../src/assignment/lns.js');
  const { generateThesis } = await import('../../src/assignment/generate-thesis.js');
  const { State } = await import('../../src/assignment/state.js');
  const { construct } = await import('../../src/assignment/thesis-moves.js');
  const { bearerTables } = await import('../../src/assignment/bearer-order.js');
  for (const seed of [1, 2, 3, 4]) {
    const inst = generateThesis('UC2', 'H', seed);
    const c = compile(inst);
    const start = new State(c);
    construct(start, bearerTables(c), false);
    if (start.unplaced() > 0) continue;
    const before = start.cost();
    const after = lnsImprove(c, start, { objective: 'cost', maxNodes: 300, rounds: 2, size: 2 });
    t.ok(after.cost() <= before, `seed ${seed}: cost ${after.cost()} <= ${before}`);
    t.same(checkAnswer(inst, toAnswer(after, { method: 'heuristic', solveMs: 0 })), [], `seed ${seed}: valid`);
    const lower = lnsImprove(c, start, { objective: 'power', maxNodes: 300, rounds: 2, size: 3 });
    t.ok(lower.power() <= start.power() + 1e-12, `seed ${seed}: power ${lower.power()} <= ${start.power()}`);
  }
  let compared = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const free = tinyInstance(seed);
    const bf = bruteForce(free);
    if (bf.minPowerW === undefined) continue;
    const inst = { ...free, powerLimitW: bf.minPowerW * 1.05 };
    const ref = bruteForce(inst);
    const c = compile(inst);
    const start = branchAndBound(c, { objective: 'power', maxNodes: 1e6 }).state!;
    // Freeing all interfaces at once with an ample budget is the exact search below the incumbent.
    const best = lnsImprove(c, start, { objective: 'cost', maxNodes: 1e6, rounds: 1, size: c.m });
    t.ok(Math.abs(best.cost() - ref.minCost!) <= 1e-9 * ref.minCost!, `seed ${seed}: ${best.cost()} = ${ref.minCost}`);
    compared++;
  }
  t.ok(compared >= 20, `compared ${compared} instances`);
});
