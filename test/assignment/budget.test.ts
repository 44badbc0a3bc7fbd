import t from 'tap';
import { checkAnswer } from '../../src/assignment/checker.js';
import { generateLarge } from '../../src/assignment/generate-large.js';
import { generateThesis } from '../../src/assignment/generate-thesis.js';
import { solveHeuristic, type HeuristicVariant } from '../../src/assignment/heuristic.js';
import { fixture } from './helpers.js';

/** A fake clock: every reading is 1 ms later, so a budget is a number of clock readings (no real time in the test). */
function tickingClock(): () => number {
  let ms = 0;
  return () => ms++;
}

t.test('a spent budget returns the best valid answer so far, marked stoppedEarly', async (t) => {
  const inst = { ...generateLarge({ interfaces: 60, bearersPerInterface: 10, flows: 300 }, 3), powerLimitW: null };
  for (const budgetMs of [0, 20, 200]) {
    const ans = solveHeuristic(inst, { now: tickingClock(), budgetMs });
    t.same(checkAnswer(inst, ans), [], `budget ${budgetMs}: valid`);
    t.equal(ans.status, 'ok', `budget ${budgetMs}: every flow served`);
    t.equal(ans.stoppedEarly, true, `budget ${budgetMs}: says it stopped early`);
  }
  const full = solveHeuristic(inst, { now: tickingClock() });
  const cut = solveHeuristic(inst, { now: tickingClock(), budgetMs: 0 });
  t.equal(full.stoppedEarly, undefined, 'no budget: runs to the end');
  t.ok(full.costPerSecond <= cut.costPerSecond, 'more time finds no worse');
});

t.test('a budget the search does not need changes nothing', async (t) => {
  const inst = fixture('small.json');
  const a = solveHeuristic(inst, { now: () => 0, budgetMs: 200 });
  const b = solveHeuristic(inst);
  t.equal(a.stoppedEarly, undefined);
  t.same({ ...a, solveMs: 0 }, b);
  // Without a clock there is nothing to measure a budget with: it is ignored.
  t.same(solveHeuristic(inst, { budgetMs: 0 }), b);
});

t.test('with P_max the budget keeps the least-power start: within P_max when it is reachable', async (t) => {
  const free = generateLarge({ interfaces: 30, bearersPerInterface: 4, flows: 600 }, 5);
  const loose = solveHeuristic(free, { now: tickingClock() });
  // A limit below the cost-driven answer's power, that the power-first greedy start meets.
  const inst = { ...free, powerLimitW: loose.powerW * 0.9 };
  const ans = solveHeuristic(inst, { now: tickingClock(), budgetMs: 0 });
  t.same(checkAnswer(inst, ans), []);
  t.equal(ans.stoppedEarly, true);
  t.equal(ans.status, 'ok', `power ${ans.powerW} within ${inst.powerLimitW}`);
});

t.test('every variant honours the budget', async (t) => {
  const inst = generateThesis('UC3', 'H', 4);
  for (const variant of ['improved', 'thesis', 'thesis-ls'] as HeuristicVariant[]) {
    const ans = solveHeuristic(inst, { variant, now: tickingClock(), budgetMs: 5 });
    t.same(checkAnswer(inst, ans), [], variant);
    t.equal(ans.stoppedEarly, true, `${variant} stopped early`);
  }
});

t.test('huge instances get a valid answer from the construction alone', async (t) => {
  for (const shape of [
    { interfaces: 1000, bearersPerInterface: 10, flows: 5000 },
    { interfaces: 8, bearersPerInterface: 3, flows: 100_000 },
  ]) {
    const inst = generateLarge(shape, 1);
    // The daemon's call.
    const ans = solveHeuristic(inst, { now: tickingClock(), budgetMs: 200 });
    const label = `${shape.interfaces} x ${shape.bearersPerInterface} bearers, ${shape.flows} flows`;
    t.same(checkAnswer(inst, ans), [], `${label}: valid`);
    t.equal(ans.status, 'ok', `${label}: every flow served`);
    t.equal(ans.stoppedEarly, true, label);
  }
});
