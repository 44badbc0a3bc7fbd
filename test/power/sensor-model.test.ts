import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PowerManager } from '../../src/power/power-manager.js';
import { FsSysfsReader } from '../../src/os/sysfs.js';
import { comparePower, readPowerSensors } from '../../src/power/power-sensor.js';
import { modelPower } from '../../src/power/power-model.js';
import { sysfsTree } from './sysfs-tree.js';

const coeff = { baseW: 1.5, txWPerKbps: 0.0002, rxWPerKbps: 0.0001 };

t.test('modelled power: base load plus the linear model of each modem that is up', async (t) => {
  const m = modelPower(4, [
    { modem: 'a', up: true, bearer: coeff, txKbps: 1000, rxKbps: 10_000 }, // 1.5 + 0.2 + 1.0
    { modem: 'b', up: false, bearer: coeff, txKbps: 0, rxKbps: 0 },
    { modem: 'c', up: true, bearer: null, txKbps: 5, rxKbps: 5 },
    { modem: 'd', up: true, bearer: coeff, txKbps: null, rxKbps: null },
  ]);
  t.equal(m.totalW, 4 + 2.7 + 1.5);
  t.same(m.perModem.map((p) => p.modem), ['a', 'd']);
  t.same(m.unknown, ['c', 'd'], 'missing coefficients or rates are reported');
});

t.test('hwmon power sensors are read in microwatts and compared with the model', async (t) => {
  const root = sysfsTree(t, {
    '/sys/class/hwmon/hwmon0/name': 'cpu_thermal',
    '/sys/class/hwmon/hwmon0/temp1_input': '45000',
    '/sys/class/hwmon/hwmon1/name': 'ina226',
    '/sys/class/hwmon/hwmon1/power1_input': '8000000',
    '/sys/class/hwmon/hwmon1/power1_label': 'modem rail',
    '/sys/class/hwmon/hwmon2/name': 'ina219',
    '/sys/class/hwmon/hwmon2/power1_input': 'garbage',
  });
  const scan = await readPowerSensors(new FsSysfsReader(root));
  t.same(scan.sensors, [{ id: 'hwmon1/power1', chip: 'ina226', label: 'modem rail', powerW: 8 }]);
  t.match(scan.problems.join(), /hwmon2\/power1_input: expected microwatts/);
  const c = comparePower(scan, 9);
  t.same(c, { measuredW: 8, modelledW: 9, errorW: 1, errorPct: 12.5, sensors: ['hwmon1/power1'] });
  t.equal(comparePower(scan, 9, ['hwmon7/power1']), null, 'a chosen sensor that is not there');
  const none = await readPowerSensors(new FsSysfsReader(sysfsTree(t, {})));
  t.equal(comparePower(none, 5), null, 'no sensor: nothing to compare');
});

t.test('the power manager: reading, limit, change detection and sensor comparison in one status', async (t) => {
  const BAT = '/sys/class/power_supply/BAT0';
  const root = sysfsTree(t, {
    [`${BAT}/status`]: 'Discharging',
    [`${BAT}/energy_now`]: '60000000',
    [`${BAT}/energy_full`]: '100000000',
    '/sys/class/hwmon/hwmon1/name': 'ina226',
    '/sys/class/hwmon/hwmon1/power1_input': '5000000',
  });
  const config = { source: 'battery' as const, limitW: null, batteryPath: BAT, ubusObject: null, reservePct: 20, autonomyH: 4, baseLoadW: 3 };
  const pm = new PowerManager(config, { sysfs: new FsSysfsReader(root), ubus: null });
  t.equal(pm.current(), null);
  const loads = [{ modem: 'a', up: true, bearer: coeff, txKbps: 0, rxKbps: 0 }];
  const s1 = await pm.refresh(loads);
  t.equal(s1.limit.limitW, 7, '40 Wh / 4 h - 3 W');
  t.equal(s1.changed, true);
  t.same(s1.comparison, { measuredW: 5, modelledW: 4.5, errorW: -0.5, errorPct: -10, sensors: ['hwmon1/power1'] });
  const s2 = await pm.refresh(loads);
  t.equal(s2.changed, false, 'same inputs: no re-solve');
  writeFileSync(join(root, BAT, 'energy_now'), '40000000\n');
  const s3 = await pm.refresh(loads);
  t.equal(s3.limit.limitW, 2, '20 Wh / 4 h - 3 W');
  t.equal(s3.changed, true);
  t.equal(pm.current()?.limitW, 2);
  writeFileSync(join(root, BAT, 'energy_now'), 'broken\n');
  const s4 = await pm.refresh(loads);
  t.equal(s4.limit.basis, 'unknown');
  t.match(s4.readingErrors.join(), /energy_now: expected an integer/);
  t.match(s4.limit.problems.join(), /energy_now: expected an integer/);
});
