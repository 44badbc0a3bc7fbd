// The simulator's event order: by time, ties in insertion order, and a
// scenario's sequence sorted with departures before arrivals at one instant.
import t from 'tap';
import { EventQueue } from '../../bench/sim/event-queue.js';
import { DEFAULT_SCENARIO, makeScenario } from '../../bench/sim/events.js';

t.test('pops by time, equal times in insertion order', async (t) => {
  const q = new EventQueue<{ timeS: number; name: string }>();
  for (const [timeS, name] of [[5, 'a'], [1, 'b'], [5, 'c'], [0, 'd'], [1, 'e'], [5, 'f']] as const) q.push({ timeS, name });
  t.equal(q.size, 6);
  t.same(q.drain().map((e) => e.name), ['d', 'b', 'e', 'a', 'c', 'f']);
  t.equal(q.pop(), undefined, 'empty after draining');
});

t.test('rejects a time that is not finite', async (t) => {
  const q = new EventQueue<{ timeS: number }>();
  t.throws(() => q.push({ timeS: NaN }), RangeError);
});

t.test('a scenario is a pure function of its seed, in time order, ends before starts', async (t) => {
  const short = { ...DEFAULT_SCENARIO, traffic: { ...DEFAULT_SCENARIO.traffic, horizonS: 1800 } };
  const a = makeScenario(7, short);
  const b = makeScenario(7, short);
  t.same(a.events, b.events, 'same seed, same events');
  t.notSame(makeScenario(8, short).events, a.events, 'another seed, other events');
  const rank = { end: 0, net: 1, start: 2, timer: 3 };
  for (let k = 1; k < a.events.length; k++) {
    const p = a.events[k - 1]!;
    const e = a.events[k]!;
    if (e.timeS < p.timeS || (e.timeS === p.timeS && rank[e.kind] < rank[p.kind])) {
      t.fail(`event ${k} (${e.kind} at ${e.timeS}) after ${p.kind} at ${p.timeS}`);
      return;
    }
  }
  const starts = new Map<string, number>();
  for (const e of a.events) {
    if (e.kind === 'start') starts.set(e.flow.id, e.timeS);
    if (e.kind === 'end') t.ok((starts.get(e.flow.id) ?? Infinity) <= e.timeS, `${e.flow.id} ends after it starts`);
  }
  t.ok(a.events.some((e) => e.kind === 'timer'), 'the slow timer is in the sequence');
  t.equal(a.networks.length, 14, '4 UMTS + 5 802.11a + 5 802.11b');
});
