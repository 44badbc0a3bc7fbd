// The settings form against the daemon's schema, read at test time from
// src/config/schema.ts: every option has a field with the schema's widget,
// datatype and limits, and the form's checks accept exactly what the daemon
// accepts (convertScalar / checkFormat) on boundary and malformed values.
import t from 'tap';
import { SCHEMA, type OptionSchema } from '../../src/config/schema.js';
import { convertScalar } from '../../src/config/section-reader.js';
import { browserSkipReason, openBrowser, probe } from './browser.js';

/** The LuCI datatype each schema type must carry (validation.js names). */
function expectedDatatype(o: OptionSchema): string | null {
  const ty = o.type;
  switch (ty.kind) {
    case 'int':
      return ty.hex ? null : `and(integer,range(${ty.min},${ty.max}))`;
    case 'number':
      if (ty.min !== undefined && ty.max !== undefined) return `range(${ty.min},${ty.max})`;
      if (ty.min !== undefined) return `min(${ty.min})`;
      if (ty.max !== undefined) return `max(${ty.max})`;
      return 'float';
    case 'string':
      return ({ ifname: 'and(uciname,maxlength(15))', ip: 'ipaddr(1)', cidr: 'ipaddr', mac: 'macaddr', 'port-range': 'portrange', domain: 'hostname' } as Record<string, string>)[ty.format] ?? null;
    default:
      return null;
  }
}

function expectedWidget(o: OptionSchema): string {
  if (o.type.kind === 'bool') return 'Flag';
  if (o.list) return 'DynamicList';
  return o.type.kind === 'enum' ? 'ListValue' : 'Value';
}

/** Values around each option's limits, plus malformed ones. */
function samples(o: OptionSchema): string[] {
  const ty = o.type;
  const common = ['', ' ', 'abc', '1 2', '-', '\u00e9', 'x'.repeat(300)];
  switch (ty.kind) {
    case 'bool':
      return [...common, '1', '0', 'yes', 'no', 'on', 'off', 'true', 'false', 'enabled', 'disabled', 'TRUE', '2'];
    case 'enum':
      return [...common, ...ty.values, ...ty.values.map((v) => v.toUpperCase()), `${ty.values[0]} `];
    case 'int': {
      const s = [ty.min, ty.max, ty.min - 1, ty.max + 1, Math.floor((ty.min + ty.max) / 2)].map(String);
      return [...common, ...s, `+${ty.min}`, `${ty.min}.0`, '1e3', '0x10', '0x0fff0000', '0xFFFFFFFF', '0x100000000', '0x', '0777', '-0'];
    }
    case 'number': {
      const b = [ty.min, ty.max, ty.greaterThan].filter((x): x is number => x !== undefined);
      const s = b.flatMap((x) => [x, x - 1, x + 1, x - 0.001, x + 0.001]).map(String);
      return [...common, ...s, '0', '1', '.5', '5.', '+3', '1e2', '1E-3', '-1e400', '1e400', 'NaN', 'Infinity', '0x10', '1,5'];
    }
    case 'string':
      return [
        ...common,
        'wwan0', 'lan', 'br-lan', 'a.b', '0abcdefghijklmn', '0abcdefghijklmno', '_x',
        '1.1.1.1', '192.168.001.1', '256.1.1.1', '1.2.3', '::1', 'fd00::1b', '2001:db8::1:2:3:4:5:6', '2001:db8::/32', '::ffff:1.2.3.4', 'fe80::1%br-lan',
        '192.168.1.0/24', '10.0.0.0/33', '10.0.0.0/08', '1.2.3.4/255.255.255.0', 'fd00::/129',
        'aa:bb:cc:dd:ee:ff', 'AA:BB:CC:DD:EE:FF', 'aa-bb-cc-dd-ee-ff', 'aa:bb:cc:dd:ee',
        '443', '0', '65535', '65536', '10000-20000', '20-10', '1-65535',
        'EF', 'ef', 'AF41', 'AF44', 'CS7', 'CS8', '46', '63', '64', 'BE', 'LE', 'VA',
        'example.com', 'a-b.example.org', '-a.com', 'localhost', 'x'.repeat(64) + '.com',
        'mqtt://broker:1883', 'mqtts://broker.example.com:8883', 'ws://h/p', 'http://h', 'mqtt://', 'mqtt://h x',
        '/etc/ssl/ca.pem', 'etc/x', '/a/../b', '/a/./b', '/sys/class/power_supply/BAT0', '/sysx/a',
        'router-1', 'a b', 'modemflow/site/1', 'a/+/b', 'a//b', 'battery.info', 'battery..info',
        '/dev/cdc-wdm0', '0', '/org/freedesktop/ModemManager1/Modem/0', 'qmodem@1', '../x',
        'plain text', 'tab\there', '\u00fc'.repeat(128), '\u00fc'.repeat(129),
      ];
  }
}

const skip = browserSkipReason();
if (skip) {
  t.plan(0, `settings form in chromium: ${skip}`);
} else {
  t.test('settings form: a field per schema option, checks agree with the daemon', async (t) => {
    const session = await openBrowser();
    t.teardown(() => session.close());
    const { page, errors } = await session.page(1280);

    const fields = await probe<{ added: string[][]; options: { section: string; name: string; widget: string; datatype: string | null; validates: boolean; choices: string[]; tab: string | null }[] }>(
      page,
      'settingsFields',
      { 'network.interface.dump': { interface: [{ interface: 'wan' }, { interface: 'wwan0' }, { interface: 'loopback' }] } },
    );
    t.same(fields.added, [['globals', 'globals'], ['power', 'power'], ['telemetry', 'telemetry']], 'missing singleton sections are created');
    const seen = new Map(fields.options.map((f) => [`${f.section}.${f.name}`, f]));
    t.equal(seen.size, fields.options.length, 'no option has two fields');
    let n = 0;
    for (const sec of SCHEMA) {
      for (const o of sec.options) {
        const f = seen.get(`${sec.type}.${o.name}`);
        if (!f) {
          t.fail(`${sec.type}.${o.name} has no field`);
          continue;
        }
        n++;
        t.equal(f.widget, expectedWidget(o), `${sec.type}.${o.name}: widget`);
        t.equal(f.datatype, expectedDatatype(o), `${sec.type}.${o.name}: datatype`);
        if (o.type.kind !== 'bool') t.ok(f.validates, `${sec.type}.${o.name}: validated`);
        if (o.type.kind === 'enum') t.same(f.choices, o.type.values, `${sec.type}.${o.name}: the schema's values`);
      }
    }
    t.equal(fields.options.length, n, 'no field without a schema option');
    t.same(
      seen.get('modem.interface')?.choices,
      ['wan', 'wwan0'],
      'interfaces offered from network.interface dump (without loopback)',
    );

    // The form's check against the daemon's, value by value.
    const cases = SCHEMA.flatMap((sec) => sec.options.map((o) => ({ sec: sec.type, o, values: samples(o) })));
    const verdicts = await probe<boolean[][]>(page, 'checkAll', cases.map((c) => ({ o: c.o, values: c.values })));
    let compared = 0;
    const disagree: string[] = [];
    cases.forEach((c, i) => {
      c.values.forEach((v, j) => {
        compared++;
        const daemon = 'value' in convertScalar(c.o, v);
        if (daemon !== verdicts[i]![j]) disagree.push(`${c.sec}.${c.o.name} ${JSON.stringify(v)}: daemon ${daemon}, form ${verdicts[i]![j]}`);
      });
    });
    t.same(disagree, [], `the form and the daemon agree on ${compared} values`);
    t.same(errors, []);
  });
}
