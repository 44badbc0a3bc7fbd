import t from 'tap';
import { powerCommand } from '../../src/cli/power-command.js';
import type { CliIo } from '../../src/cli/io.js';
import { sysfsTree } from './sysfs-tree.js';

function io(): CliIo & { out: string; err: string } {
  const o = { out: '', err: '', env: {}, readStdin: async () => '' } as CliIo & { out: string; err: string };
  o.stdout = (s) => void (o.out += s);
  o.stderr = (s) => void (o.err += s);
  return o;
}

t.test('modemflow power on a fake tree', async (t) => {
  const root = sysfsTree(t, {
    '/sys/class/power_supply/BAT0/type': 'Battery',
    '/sys/class/power_supply/BAT0/status': 'Discharging',
    '/sys/class/power_supply/BAT0/energy_now': '50000000',
    '/sys/class/power_supply/BAT0/energy_full': '100000000',
    '/sys/class/power_supply/BAT0/capacity': '50',
    '/sys/class/hwmon/hwmon0/name': 'ina226',
    '/sys/class/hwmon/hwmon0/power1_input': '4000000',
  });
  const x = io();
  t.equal(await powerCommand(['--root', root, '--autonomy', '5', '--reserve', '10', '--base-load', '2'], x), 0);
  t.equal(
    x.out,
    [
      'P_max: 6 W (energy: 40 Wh above the 10% reserve over 5 h = 8 W, minus 2 W base load)',
      'supply: sysfs:/sys/class/power_supply/BAT0: status discharging, 50%, 50 Wh now, 100 Wh full',
      'sensor hwmon0/power1 (ina226): 4 W',
      'measured 4 W vs modelled 2 W (base load only): error -2.000 W (-50.0%)',
      '',
    ].join('\n'),
  );
  const j = io();
  t.equal(await powerCommand(['--root', root, '--source', 'mains', '--json'], j), 0);
  t.equal(JSON.parse(j.out).limit.basis, 'mains');
});

t.test('bad arguments say what was expected', async (t) => {
  const x = io();
  t.equal(await powerCommand(['--source', 'nuclear', '--reserve', '120', '--autonomy', 'x'], x), 2);
  t.match(x.err, /--source: expected mains\|battery\|solar\|vehicle, got 'nuclear'/);
  t.match(x.err, /--autonomy: expected a number >= 0, got 'x'/);
  t.match(x.err, /--reserve: expected 0-100/);
  const y = io();
  t.equal(await powerCommand(['--bogus'], y), 2);
  t.match(y.err, /Unknown option '--bogus'/);
});
