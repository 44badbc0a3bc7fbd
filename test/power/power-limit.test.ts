import t from 'tap';
import type { Test } from 'tap';
import { FsSysfsReader } from '../../src/os/sysfs.js';
import type { PowerConfig } from '../../src/model/config.js';
import type { UbusCaller } from '../../src/model/ports.js';
import { computePowerLimit, powerLimitChanged } from '../../src/power/power-limit.js';
import { findBattery, readConfiguredSupply, readSysfsSupply, readUbusSupply } from '../../src/power/supply-reader.js';
import { parseSupplyAttributes } from '../../src/power/supply-reading.js';
import { sysfsTree } from './sysfs-tree.js';

const BAT = '/sys/class/power_supply/BAT0';

function cfg(p: Partial<PowerConfig>): PowerConfig {
  return { source: 'battery', limitW: null, batteryPath: BAT, ubusObject: null, reservePct: 20, autonomyH: 10, baseLoadW: 3, ...p };
}

/** The P_max the config and the fake tree give, read through the real FsSysfsReader. */
async function limitFor(t: Test, files: Record<string, string>, p: Partial<PowerConfig>) {
  const sysfs = new FsSysfsReader(sysfsTree(t, files));
  const config = cfg(p);
  const r = await readConfiguredSupply(config, { sysfs, ubus: null });
  if (!r.ok) throw new Error(r.errors.join('; '));
  return computePowerLimit(config, r.value);
}

t.test('each power source on a fake sysfs tree', async (t) => {
  // 100 Wh pack at 60%: 60 Wh now, 20 Wh reserve -> 40 Wh over 10 h = 4 W, minus 3 W base load = 1 W.
  const discharging = {
    [`${BAT}/type`]: 'Battery',
    [`${BAT}/status`]: 'Discharging',
    [`${BAT}/energy_now`]: '60000000',
    [`${BAT}/energy_full`]: '100000000',
    [`${BAT}/voltage_now`]: '12100000',
    [`${BAT}/capacity`]: '60',
  };
  const cases: Array<{ name: string; files: Record<string, string>; p: Partial<PowerConfig>; limitW: number | null; basis: string }> = [
    { name: 'mains: no limit, nothing read', files: {}, p: { source: 'mains' }, limitW: null, basis: 'mains' },
    { name: 'fixed limit wins over the battery', files: discharging, p: { limitW: 7.5 }, limitW: 7.5, basis: 'fixed' },
    { name: 'battery discharging, energy_now', files: discharging, p: {}, limitW: 1, basis: 'energy' },
    {
      name: 'battery with a charge-only gauge: charge x voltage',
      files: {
        [`${BAT}/type`]: 'Battery',
        [`${BAT}/status`]: 'Discharging',
        [`${BAT}/charge_now`]: '5000000', // 5 Ah
        [`${BAT}/charge_full`]: '10000000', // 10 Ah
        [`${BAT}/voltage_now`]: '12000000', // 12 V -> 60 Wh of 120 Wh; reserve 24 Wh -> 36 Wh / 6 h = 6 W - 3 W
      },
      p: { autonomyH: 6 },
      limitW: 3,
      basis: 'energy',
    },
    {
      name: 'battery with capacity and energy_full only',
      files: { [`${BAT}/status`]: 'Discharging', [`${BAT}/capacity`]: '50', [`${BAT}/energy_full`]: '80000000' },
      p: { reservePct: 0, autonomyH: 8, baseLoadW: 1 }, // 40 Wh / 8 h = 5 W - 1 W
      limitW: 4,
      basis: 'energy',
    },
    { name: 'battery charging: external power, no limit', files: { ...discharging, [`${BAT}/status`]: 'Charging' }, p: {}, limitW: null, basis: 'external-power' },
    { name: 'vehicle (engine running, full)', files: { ...discharging, [`${BAT}/status`]: 'Full' }, p: { source: 'vehicle' }, limitW: null, basis: 'external-power' },
    { name: 'vehicle parked', files: discharging, p: { source: 'vehicle', autonomyH: 4 }, limitW: 7, basis: 'energy' },
    { name: 'solar stays energy-based while charging', files: { ...discharging, [`${BAT}/status`]: 'Charging' }, p: { source: 'solar', autonomyH: 20, baseLoadW: 1 }, limitW: 1, basis: 'energy' },
    { name: 'below the reserve: zero', files: { ...discharging, [`${BAT}/energy_now`]: '15000000' }, p: {}, limitW: 0, basis: 'energy' },
  ];
  for (const c of cases) {
    const l = await limitFor(t, c.files, c.p);
    t.equal(l.limitW, c.limitW, `${c.name}: limit`);
    t.equal(l.basis, c.basis, `${c.name}: basis`);
  }
  const l = await limitFor(t, discharging, {});
  t.same(
    { now: l.inputs.energyNowWh, full: l.inputs.energyFullWh, usable: l.inputs.usableWh, origin: l.inputs.origin, status: l.inputs.status },
    { now: 60, full: 100, usable: 40, origin: `sysfs:${BAT}`, status: 'discharging' },
    'inputs are reported with the result',
  );
  t.match(l.explanation, /40 Wh above the 20% reserve over 10 h = 4 W, minus 3 W base load/);
  const zero = await limitFor(t, { ...discharging, [`${BAT}/energy_now`]: '15000000' }, {});
  t.match(zero.problems.join(), /base load \(3 W\) alone exceeds/);
});

t.test('missing inputs give no limit and say why', async (t) => {
  const noAutonomy = computePowerLimit(cfg({ autonomyH: null }), {
    origin: 'x', type: 'Battery', status: 'discharging', online: null, energyNowWh: 50, energyFullWh: 100,
    chargeNowAh: null, chargeFullAh: null, voltageV: null, capacityPct: null, powerNowW: null,
  });
  t.equal(noAutonomy.limitW, null);
  t.equal(noAutonomy.basis, 'unknown');
  t.match(noAutonomy.problems.join(), /autonomy not set/);
  const noReading = computePowerLimit(cfg({}), null);
  t.equal(noReading.basis, 'unknown');
  t.match(noReading.problems.join(), /no battery reading/);
});

t.test('the battery is found by type when option battery is not set', async (t) => {
  const root = sysfsTree(t, {
    '/sys/class/power_supply/AC/type': 'Mains',
    '/sys/class/power_supply/AC/online': '0',
    '/sys/class/power_supply/axp20x-battery/type': 'Battery',
    '/sys/class/power_supply/axp20x-battery/status': 'Discharging',
    '/sys/class/power_supply/axp20x-battery/energy_now': '1000000',
  });
  const sysfs = new FsSysfsReader(root);
  t.equal(await findBattery(sysfs), '/sys/class/power_supply/axp20x-battery');
  const r = await readConfiguredSupply(cfg({ batteryPath: null }), { sysfs, ubus: null });
  t.ok(r.ok && r.value?.energyNowWh === 1);
  const none = await readConfiguredSupply(cfg({ batteryPath: null }), { sysfs: new FsSysfsReader(sysfsTree(t, {})), ubus: null });
  t.notOk(none.ok);
});

t.test('malformed sysfs values are errors that name the attribute', async (t) => {
  const root = sysfsTree(t, { [`${BAT}/energy_now`]: '12.5', [`${BAT}/status`]: 'Sleeping', [`${BAT}/capacity`]: '140' });
  const r = await readSysfsSupply(new FsSysfsReader(root), BAT);
  t.notOk(r.ok);
  if (!r.ok) {
    t.match(r.errors.join('\n'), /BAT0\/energy_now: expected an integer in µWh, got '12\.5'/);
    t.match(r.errors.join('\n'), /status: expected Charging, Discharging, Not charging, Full or Unknown, got 'Sleeping'/);
    t.match(r.errors.join('\n'), /capacity: expected 0-100/);
  }
  const empty = await readSysfsSupply(new FsSysfsReader(root), '/sys/class/power_supply/NONE');
  t.notOk(empty.ok);
  const escape = await readSysfsSupply(new FsSysfsReader(root), '/sys/../etc');
  t.notOk(escape.ok);
  t.same(parseSupplyAttributes({ online: '1', type: 'Mains' }, 'x'), {
    ok: true,
    value: {
      origin: 'x', type: 'Mains', status: 'unknown', online: true, energyNowWh: null, energyFullWh: null,
      chargeNowAh: null, chargeFullAh: null, voltageV: null, capacityPct: null, powerNowW: null,
    },
  });
});

t.test('a ubus battery object with the kernel attribute names', async (t) => {
  const calls: string[] = [];
  const ubus: UbusCaller = {
    async call(path, method) {
      calls.push(`${path} ${method}`);
      if (path === 'battery') return { status: 'Discharging', energy_now: 30_000_000, energy_full: 50_000_000, voltage_now: '7400000', capacity: 60 };
      throw new Error('Not found');
    },
  };
  const config = cfg({ ubusObject: 'battery', batteryPath: null, reservePct: 10, autonomyH: 5, baseLoadW: 2 });
  const r = await readConfiguredSupply(config, { sysfs: new FsSysfsReader(sysfsTree(t, {})), ubus });
  t.ok(r.ok);
  if (r.ok) {
    const l = computePowerLimit(config, r.value);
    t.equal(l.limitW, 3, '(30 - 5) Wh / 5 h - 2 W');
    t.equal(l.inputs.origin, 'ubus:battery');
  }
  t.same(calls, ['battery info']);
  const missing = await readUbusSupply(ubus, 'nosuch');
  t.notOk(missing.ok);
  const bad = await readUbusSupply(ubus, 'bad object');
  t.notOk(bad.ok);
  const weird = await readUbusSupply({ call: async () => ({ energy_now: [1] }) }, 'battery');
  t.notOk(weird.ok);
});

t.test('recomputed P_max triggers a re-solve only on a real change', async (t) => {
  const base = computePowerLimit(cfg({ limitW: 10 }), null);
  t.equal(powerLimitChanged(null, base), true, 'first value');
  t.equal(powerLimitChanged(base, computePowerLimit(cfg({ limitW: 10.3 }), null)), false, '3%: gauge drift');
  t.equal(powerLimitChanged(base, computePowerLimit(cfg({ limitW: 11 }), null)), true, '10%');
  t.equal(powerLimitChanged(base, computePowerLimit(cfg({ source: 'mains', limitW: null }), null)), true, 'basis changed');
});
