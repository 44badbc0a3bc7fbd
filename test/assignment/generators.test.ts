import t from 'tap';
import { generateModern } from '../../src/assignment/generate-modern.js';
import { CAPACITIES, generateThesis, powerLimits, USE_CASES } from '../../src/assignment/generate-thesis.js';
import { parseInstance } from '../../src/assignment/parse-instance.js';
import { vehicleRouterInstance } from '../../src/assignment/vehicle-router.js';
import { solveHeuristic } from '../../src/assignment/heuristic.js';
import { checkAnswer } from '../../src/assignment/checker.js';

// Table 3.3's UC3 composition adds up to 30 flows although its count column says 32; the composition is followed.
const FLOWS = { UC0: 7, UC1: 11, UC2: 19, UC3: 30 };
const RADIOS = { UC0: 2, UC1: 3, UC2: 4, UC3: 6 };
const CAPS = { L: [64, 128, 192, 256, 320, 384], M: [256, 320, 384, 448, 512], H: [384, 448, 512, 576, 640, 704, 768, 832] };

t.test('thesis instances follow Tables 3.1-3.4 and repeat per seed', async (t) => {
  for (const uc of USE_CASES) {
    for (const cap of CAPACITIES) {
      const a = generateThesis(uc, cap, 3);
      t.same(a, generateThesis(uc, cap, 3), `${uc} ${cap}: same seed, same instance`);
      t.not(JSON.stringify(a), JSON.stringify(generateThesis(uc, cap, 4)), `${uc} ${cap}: another seed differs`);
      t.ok(parseInstance(a).ok, `${uc} ${cap} is a valid instance`);
      t.equal(a.flows.length, FLOWS[uc], `${uc}: Table 3.3 flow count`);
      t.equal(a.interfaces.length, RADIOS[uc]);
      t.equal(a.powerLimitW, null);
      for (const r of a.interfaces) {
        t.equal(r.bearers.length, 24, `${r.id}: 6 providers x 4 classes`);
        for (const q of ['C', 'S', 'I', 'B']) t.equal(r.bearers.filter((b) => b.qos === q).length, 6);
        for (const b of r.bearers) {
          t.ok(CAPS[cap].includes(b.upKbps) && b.upKbps === b.downKbps, 'capacity from Table 3.4, equal up and down');
          const rat = b.id.split('-')[2];
          t.ok(r.id.startsWith('wwan') ? rat === 'umts' || rat === 'gprs' : rat === '80211a' || rat === '80211b', `${b.id} RAT fits ${r.id}`);
        }
      }
      for (const f of a.flows) t.ok((f.upKbps === 0) !== (f.downKbps === 0), `${f.id} is one-way`);
    }
  }
});

t.test('power limits: 10 equally spaced values from P_p to P_m, or just P_p', async (t) => {
  const l = powerLimits(2, 11);
  t.equal(l.length, 10);
  t.equal(l[0], 2);
  t.equal(l[9], 11);
  t.ok(Math.abs(l[1]! - 3) < 1e-12);
  t.same(powerLimits(5, 5), [5]);
});

t.test('modern instances: 2-8 modems, 1-3 bearers, 1-300 Mbps, published LTE/3G power', async (t) => {
  const modems = new Set<number>();
  for (let seed = 1; seed <= 60; seed++) {
    const inst = generateModern(seed);
    t.same(inst, generateModern(seed));
    t.ok(parseInstance(inst).ok);
    modems.add(inst.interfaces.length);
    t.ok(inst.interfaces.length >= 2 && inst.interfaces.length <= 8);
    for (const r of inst.interfaces) {
      t.ok(r.bearers.length >= 1 && r.bearers.length <= 3);
      for (const b of r.bearers) {
        for (const k of [b.upKbps, b.downKbps]) t.ok(k >= 1000 && k <= 300000, `${b.id} ${k} kbps within 1-300 Mbps`);
        if (b.id.endsWith('-lte')) t.same([b.baseW, b.txWPerKbps, b.rxWPerKbps], [1.288, 0.43839e-3, 0.05197e-3]);
        if (b.id.endsWith('-3g')) t.same([b.baseW, b.txWPerKbps, b.rxWPerKbps], [0.81788, 0.86898e-3, 0.12212e-3]);
      }
    }
  }
  t.ok(modems.size >= 5, `modem counts seen: ${[...modems].sort().join(',')}`);
});

t.test('every heuristic answer on generated instances passes the checker', async (t) => {
  for (let seed = 1; seed <= 6; seed++) {
    for (const inst of [generateThesis('UC1', 'H', seed), generateThesis('UC3', 'L', seed), generateModern(seed)]) {
      for (const limit of [null, 1, 5, 50]) {
        const i2 = { ...inst, powerLimitW: limit };
        for (const variant of ['improved', 'thesis'] as const) {
          const ans = solveHeuristic(i2, { seed, variant });
          t.same(checkAnswer(i2, ans), [], `seed ${seed} ${variant} P_max ${limit}`);
          if (ans.status !== 'ok') t.ok(ans.reason);
        }
      }
    }
  }
});

t.test('the vehicle-router case: 2 UMTS + 2 WLAN interfaces, 5 users, a binding P_max', async (t) => {
  const inst = vehicleRouterInstance();
  t.ok(parseInstance(inst).ok);
  t.same(inst.interfaces.map((r) => r.id), ['umts0', 'umts1', 'wlan0', 'wlan1']);
  t.equal(new Set(inst.flows.map((f) => f.id.split('-')[0])).size, 5);
  for (const b of inst.interfaces[0]!.bearers) t.ok(b.costPerKbit >= 6 && b.costPerKbit <= 9);
  for (const b of inst.interfaces[2]!.bearers) t.ok(b.costPerKbit >= 1 && b.costPerKbit <= 5);
  const ans = solveHeuristic(inst);
  t.equal(ans.status, 'ok');
  t.same(checkAnswer(inst, ans), []);
  t.ok(ans.powerW <= inst.powerLimitW!);
  t.equal(vehicleRouterInstance(null).powerLimitW, null);
});
