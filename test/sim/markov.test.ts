// The network capacity chain: a valid 7-state matrix, transitions drawn as
// the matrix says, and the path's states and times.
import t from 'tap';
import { STATES, birthDeathMatrix, chainPath, checkMatrix, nextState } from '../../bench/sim/markov.js';
import { SimRandom } from '../../bench/sim/random.js';

t.test('the birth-death matrix is a 7-state stochastic matrix', async (t) => {
  for (const stay of [0, 0.3]) {
    const m = birthDeathMatrix(stay);
    t.same(checkMatrix(m), [], `stay ${stay}`);
    t.equal(m[0]![1], 1 - stay, 'the lowest state can only rise');
    t.equal(m[STATES - 1]![STATES - 2], 1 - stay, 'the highest can only fall');
    t.equal(m[3]![2], (1 - stay) / 2);
    t.equal(m[3]![5], 0, 'no jumps of two levels');
  }
  t.match(checkMatrix([[1]]), [/expected 7 rows/]);
});

t.test('nextState follows the cumulative row', async (t) => {
  const m = birthDeathMatrix(0);
  t.equal(nextState(m, 3, 0), 2);
  t.equal(nextState(m, 3, 0.49), 2);
  t.equal(nextState(m, 3, 0.5), 4);
  t.equal(nextState(m, 0, 0.99), 1);
  t.equal(nextState(m, 6, 0.2), 5);
});

t.test('empirical transitions match the matrix', async (t) => {
  const m = birthDeathMatrix(0.2);
  const rnd = new SimRandom(3);
  const counts = [0, 0, 0];
  const n = 20000;
  for (let k = 0; k < n; k++) counts[nextState(m, 3, rnd.uniform()) - 2]!++;
  t.ok(Math.abs(counts[0]! / n - 0.4) < 0.02, `down ${counts[0]! / n}`);
  t.ok(Math.abs(counts[1]! / n - 0.2) < 0.02, `stay ${counts[1]! / n}`);
  t.ok(Math.abs(counts[2]! / n - 0.4) < 0.02, `up ${counts[2]! / n}`);
});

t.test('a path starts at 0, moves one level at a time, with exponential sojourns', async (t) => {
  const path = chainPath(birthDeathMatrix(0), 60, 200_000, new SimRandom(5));
  t.equal(path[0]!.timeS, 0);
  const bad = path.slice(1).filter((p, k) => !(p.timeS > path[k]!.timeS) || Math.abs(p.state - path[k]!.state) !== 1);
  t.same(bad, [], 'times rise and every step is one level');
  const meanGap = path[path.length - 1]!.timeS / (path.length - 1);
  t.ok(meanGap > 55 && meanGap < 65, `mean sojourn ${meanGap.toFixed(1)} s for 60 s`);
});
