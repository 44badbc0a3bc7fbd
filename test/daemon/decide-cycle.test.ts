// Pure helpers of one decision cycle (src/daemon/decide-cycle.ts).
import t from 'tap';
import { cheapestMeeting, idleUpW, pathBadness } from '../../src/daemon/decide-cycle.js';
import { RAT_POWER } from '../../src/metrics/power-model.js';
import { config, spec, view } from '../coordination/builders.js';

t.test('path badness: RTT x sqrt(loss), loss floored at 0.01 %, dead or unanswered paths last', async (t) => {
  t.equal(pathBadness(view({ name: 'a', rttMs: 30, lossPct: 0 })), 30 * 0.01, 'no loss: the floor');
  t.equal(pathBadness(view({ name: 'b', rttMs: 10, lossPct: 2 })), 10 * Math.sqrt(0.02));
  t.ok(pathBadness(view({ name: 'a', rttMs: 30, lossPct: 0 })) < pathBadness(view({ name: 'b', rttMs: 10, lossPct: 2 })), 'a clean 30 ms path beats a 10 ms one losing 2 %');
  t.equal(pathBadness(view({ name: 'c', alive: false })), Infinity);
  t.equal(pathBadness({ ...view({ name: 'd' }), path: null }), Infinity);
});

t.test('cheapest bearer meeting a class with room for its assumed rate', async (t) => {
  const a = spec({ name: 'a', costPerKbit: 0.001, qos: 'I' });
  const b = spec({ name: 'b', costPerKbit: 0.004, qos: 'C', downKbps: 2000 });
  const c = spec({ name: 'c', costPerKbit: 0.002, qos: 'C' });
  t.equal(cheapestMeeting([a, b, c], { qos: 'C', upKbps: 100, downKbps: 1500 }), 'c_if');
  t.equal(cheapestMeeting([a, b, c], { qos: 'C', upKbps: 100, downKbps: 5000 }), 'c_if', 'b has no room');
  t.equal(cheapestMeeting([a, b], { qos: 'C', upKbps: 100, downKbps: 5000 }), null);
  t.equal(cheapestMeeting([a, b, c], { qos: 'B', upKbps: 0, downKbps: 0 }), 'a_if', 'any class: the cheapest');
});

t.test('idle power of the modems that are up and not counted yet', async (t) => {
  const configs = [config({ name: 'a' }), config({ name: 'b' }), { ...config({ name: 'c' }), enabled: false }];
  const views = [view({ name: 'a' }), view({ name: 'b', up: false }), view({ name: 'c' })];
  t.equal(idleUpW(configs, views, new Set()), RAT_POWER.lte.baseW, 'a only: b is down, c disabled');
  t.equal(idleUpW(configs, views, new Set(['a'])), 0, 'a is counted already');
});
