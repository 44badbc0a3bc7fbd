import t from 'tap';
import { evaluateThresholds } from '../../src/coordination/thresholds.js';
import { DEFAULT_COORDINATION_SETTINGS } from '../../src/coordination/types.js';
import { validateCoordinationSettings } from '../../src/coordination/settings.js';
import { config, spec, view, MIN } from './builders.js';
import type { ModemSpec } from './builders.js';

const fresh = { thresholdSinceMs: {}, cleanSinceMs: null };

t.test('each limit excludes with the figures in the reason', async (t) => {
  const cases: Array<{ name: string; m: ModemSpec; code: string; reason: string }> = [
    { name: 'rsrp', m: { name: 'a', rsrpDbm: -121, thresholds: { minRsrpDbm: -115 } }, code: 'rsrp', reason: 'RSRP -121 dBm below -115 dBm' },
    { name: 'sinr', m: { name: 'a', sinrDb: -4, thresholds: { minSinrDb: 0 } }, code: 'sinr', reason: 'SINR -4 dB below 0 dB' },
    { name: 'loss', m: { name: 'a', lossPct: 12, thresholds: { maxLossPct: 5 } }, code: 'loss', reason: 'loss 12% above 5%' },
    { name: 'rtt', m: { name: 'a', rttMs: 900, thresholds: { maxRttMs: 300 } }, code: 'rtt', reason: 'RTT 900 ms above 300 ms' },
    { name: 'capacity', m: { name: 'a', downKbps: 400, thresholds: { minDownKbps: 1000 } }, code: 'capacity', reason: 'capacity 400 kbps below 1000 kbps' },
  ];
  for (const c of cases) {
    const v = evaluateThresholds(view(c.m), config(c.m).thresholds, spec(c.m), fresh, 1000, DEFAULT_COORDINATION_SETTINGS);
    t.same(v.violations.map((x) => [x.code, x.reason]), [[c.code, c.reason]], c.name);
    t.same(Object.keys(v.thresholdSinceMs), [c.code], `${c.name}: remembered`);
  }
});

t.test('price limit comes from the settings', async (t) => {
  const m: ModemSpec = { name: 'a', costPerKbit: 0.002 };
  const v = evaluateThresholds(view(m), config(m).thresholds, spec(m), fresh, 0, { ...DEFAULT_COORDINATION_SETTINGS, maxCostPerKbit: 0.001 });
  t.same(v.violations.map((x) => x.code), ['price']);
  t.match(v.violations[0]!.reason, /price 0\.0020 per kbit above 0\.0010/);
});

t.test('values inside the limits, or unknown, exclude nothing', async (t) => {
  const ok: ModemSpec = { name: 'a', rsrpDbm: -100, lossPct: 1, thresholds: { minRsrpDbm: -115, maxLossPct: 5 } };
  t.same(evaluateThresholds(view(ok), config(ok).thresholds, spec(ok), fresh, 0, DEFAULT_COORDINATION_SETTINGS).violations, []);
  const v = view({ name: 'a' });
  v.radio = null;
  v.path = null;
  t.same(evaluateThresholds(v, config({ name: 'a', thresholds: { minRsrpDbm: -115, maxLossPct: 1 } }).thresholds, null, fresh, 0, DEFAULT_COORDINATION_SETTINGS).violations, []);
});

t.test('the worse window counts: a short-window spike excludes at once', async (t) => {
  const m: ModemSpec = { name: 'a', thresholds: { maxLossPct: 5 } };
  const v = view(m);
  v.path!.short = { rttMs: 40, jitterMs: 5, lossPct: 30, samples: 5 };
  v.path!.long = { rttMs: 40, jitterMs: 5, lossPct: 2, samples: 100 };
  t.same(evaluateThresholds(v, config(m).thresholds, spec(m), fresh, 0, DEFAULT_COORDINATION_SETTINGS).violations.map((x) => x.code), ['loss']);
});

t.test('hysteresis: return needs the margin, held for reenterHoldMs', async (t) => {
  const limits = { minRsrpDbm: -115 };
  const s = DEFAULT_COORDINATION_SETTINGS; // margin 3 dB, hold 60 s
  let mem: { thresholdSinceMs: Record<string, number>; cleanSinceMs: number | null } = fresh;
  const step = (rsrpDbm: number, nowMs: number) => {
    const m: ModemSpec = { name: 'a', rsrpDbm, thresholds: limits };
    const v = evaluateThresholds(view(m), config(m).thresholds, spec(m), mem, nowMs, s);
    mem = { thresholdSinceMs: v.thresholdSinceMs, cleanSinceMs: v.cleanSinceMs };
    return v.violations.length > 0;
  };
  // Flapping around the limit: out the whole time.
  const flapping = [-116, -114, -116, -113.5, -116, -114];
  t.same(flapping.map((r, i) => step(r, i * 1000)), [true, true, true, true, true, true], 'flapping keeps it out');
  t.equal(mem.cleanSinceMs, null, 'the hold timer never started');
  // Clear of the margin (-112 > -115+3), but not long enough.
  t.equal(step(-110, 10_000), true, 'clean but within the hold time');
  t.equal(step(-110, 10_000 + 30_000), true, 'still held');
  t.equal(step(-113, 10_000 + 40_000), true, 'dipping into the margin band resets the hold');
  t.equal(mem.cleanSinceMs, null);
  t.equal(step(-110, 60_000), true);
  t.equal(step(-110, 60_000 + MIN), false, 'back after a full minute clean');
  t.same(mem.thresholdSinceMs, {});
  // The status says why it is still out.
  const m: ModemSpec = { name: 'a', rsrpDbm: -114, thresholds: limits };
  const held = evaluateThresholds(view(m), config(m).thresholds, spec(m), { thresholdSinceMs: { rsrp: 0 }, cleanSinceMs: null }, 0, s);
  t.same(held.violations.map((v) => v.reason), ['RSRP -114 dBm not yet past -112 dBm (limit -115 dBm, hysteresis)']);
  // A value near the limit that never crossed blocks nothing.
  t.equal(step(-113, 200_000), false);
});

t.test('settings are validated with what was expected', async (t) => {
  t.ok(validateCoordinationSettings(DEFAULT_COORDINATION_SETTINGS).ok, 'the defaults are valid');
  const r = validateCoordinationSettings({
    ...DEFAULT_COORDINATION_SETTINGS,
    wakeUtilization: 0.5,
    sleepUtilization: 0.6,
    minOnMs: -1,
    assumedCellUsers: 0,
    reenterMargin: { ...DEFAULT_COORDINATION_SETTINGS.reenterMargin, capacityFraction: 0.9 },
  });
  t.notOk(r.ok);
  if (!r.ok) {
    t.match(r.errors.join('\n'), /sleepUtilization \(0\.6\) must be below wakeUtilization \(0\.5\)/);
    t.match(r.errors.join('\n'), /minOnMs: expected a duration >= 0 ms, got -1/);
    t.match(r.errors.join('\n'), /assumedCellUsers: expected an integer >= 1, got 0/);
    t.match(r.errors.join('\n'), /capacityFraction: expected >= 1, got 0\.9/);
  }
});
