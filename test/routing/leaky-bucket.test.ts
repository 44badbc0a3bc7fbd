import t from 'tap';
import { leakyBucketPattern } from '../../src/routing/leaky-bucket.js';

const count = (p: number[]): Record<number, number> => p.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

t.test('OMMA Algorithm 1 with weights lambda*/lambda', async (t) => {
  // 20:10:5 -> credits 4/7, 2/7, 1/7 per round. In sevenths: 4,2,1 -> 8,4,2: slot 1 (1,4,2);
  // 5,6,3 -> 9,8,4: slot 1 (2,8,4); slot 2 (2,1,4); 6,3,5 -> 10,5,6: slot 1 (3,5,6); 7,7,7 is a
  // three-way tie that slot 3 wins because 1/7 rounds up in the integer credits; then slots 1, 2.
  const p = leakyBucketPattern([{ slot: 1, weight: 20 }, { slot: 2, weight: 10 }, { slot: 3, weight: 5 }]);
  t.same(p, [1, 1, 2, 1, 3, 1, 2]);
  t.same(count(p), { 1: 4, 2: 2, 3: 1 }, 'exact shares at length 7');
});

t.test('equal shares interleave one by one', async (t) => {
  t.same(leakyBucketPattern([{ slot: 2, weight: 1 }, { slot: 5, weight: 1 }, { slot: 7, weight: 1 }]), [2, 5, 7]);
  t.same(leakyBucketPattern([{ slot: 1, weight: 3 }, { slot: 2, weight: 3 }]), [1, 2]);
});

t.test('weights are rates of any scale; zero and non-finite weights are left out', async (t) => {
  t.same(leakyBucketPattern([{ slot: 1, weight: 2000 }, { slot: 2, weight: 1000 }]), leakyBucketPattern([{ slot: 1, weight: 2 }, { slot: 2, weight: 1 }]));
  t.same(leakyBucketPattern([{ slot: 1, weight: 0 }, { slot: 2, weight: 5 }]), [2]);
  t.same(leakyBucketPattern([{ slot: 1, weight: Number.NaN }, { slot: 2, weight: 5 }]), [2]);
  t.same(leakyBucketPattern([]), []);
  t.same(leakyBucketPattern([{ slot: 4, weight: 0 }]), []);
});

t.test('uneven shares: the shortest pattern within the tolerance, runs kept short', async (t) => {
  const shares = [{ slot: 1, weight: 0.37 }, { slot: 2, weight: 0.41 }, { slot: 3, weight: 0.22 }];
  const p = leakyBucketPattern(shares);
  t.ok(p.length <= 64);
  const c = count(p);
  for (const s of shares) t.ok(Math.abs((c[s.slot] ?? 0) / p.length - s.weight) <= 0.01, `slot ${s.slot} within 1% (${c[s.slot]}/${p.length})`);
  let run = 1;
  let longest = 1;
  for (let i = 1; i < p.length; i++) {
    run = p[i] === p[i - 1] ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  t.ok(longest <= 2, `no slot takes more than 2 in a row (longest ${longest})`);
});

t.test('maxLength bounds the pattern; the best approximation is kept', async (t) => {
  const p = leakyBucketPattern([{ slot: 1, weight: 1 }, { slot: 2, weight: 2 }, { slot: 3, weight: 4 }], { maxLength: 5, tolerance: 0 });
  t.ok(p.length <= 5);
  t.same(count(p), { 1: 1, 2: 1, 3: 3 }, 'length 5 is no better than 1:1:3 for 1:2:4');
});
