// The shipped default config, the `modemflow config` command, the schema's
// own consistency, diffConfig and the last-good keeper.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigKeeper, SCHEMA, diffConfig, loadConfig, parseConfig } from '../../src/config/index.js';
import { convertScalar } from '../../src/config/section-reader.js';
import { configCommand } from '../../src/cli/config-command.js';
import { markLayout } from '../../src/model/mark-layout.js';
import type { ModemflowConfig } from '../../src/model/config.js';

const DEFAULT_DIR = join(import.meta.dirname, '../../openwrt/files/etc/config');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await configCommand(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), readStdin: async () => '', env: {} });
  return { code, out, err };
}

function valid(text: string): ModemflowConfig {
  const r = parseConfig(text, 'mf');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

t.test('the shipped default config passes the check without warnings', async (t) => {
  const r = loadConfig(DEFAULT_DIR);
  t.ok(r.ok, 'no errors');
  t.same(r.warnings, [], 'no warnings');
  if (!r.ok) return;
  t.same(r.value.modems.map((m) => [m.name, m.interface, m.tier]), [['primary', 'wwan0', 'primary'], ['overflow', 'wwan1', 'overflow']]);
  t.equal(r.value.modems[0]!.plan.quotaGb, 50);
  t.ok(markLayout(r.value.globals.markMask), 'markLayout accepts the mark mask');
  t.same(await run(['check', '-c', DEFAULT_DIR]), { code: 0, out: '0 errors, 0 warnings\n', err: '' });
});

t.test('config check reports problems and exits 1 on errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'modemflow'), "config modem 'a'\n\toption interface 'wwan0'\n\toption colour 'red'\n\toption billing_day '31'\n");
  const r = await run(['check', '-c', dir]);
  t.equal(r.code, 1);
  t.equal(
    r.out,
    `${dir}/modemflow:3: a.colour: warning: unknown option for a 'modem' section (ignored)\n` +
      `${dir}/modemflow:4: a.billing_day: expected an integer from 1 to 28, got "31"\n` +
      '1 error, 1 warning\n',
  );
  const json = await run(['show-json', '-c', dir]);
  t.equal(json.code, 1);
  t.match(json.err, /billing_day/);
  const missing = await run(['check', `-c${join(dir, 'nothing')}`]);
  t.equal(missing.code, 1);
  t.equal(missing.out, `${dir}/nothing/modemflow: cannot read the file (ENOENT)\n1 error, 0 warnings\n`);
  t.equal((await run(['frob'])).code, 2);
  t.equal((await run([])).code, 2);
});

t.test('config show-json and schema', async (t) => {
  const shown = await run(['show-json', '-c', DEFAULT_DIR]);
  t.equal(shown.code, 0);
  const parsed = JSON.parse(shown.out) as ModemflowConfig;
  t.equal(parsed.globals.tableBase, 3100);
  const schema = await run(['schema']);
  t.equal(schema.code, 0);
  t.same(JSON.parse(schema.out), JSON.parse(JSON.stringify(SCHEMA)));
});

t.test('every schema default passes its own type', async (t) => {
  for (const section of SCHEMA) {
    for (const opt of section.options) {
      const defaults = opt.default === null ? [] : Array.isArray(opt.default) ? opt.default : [String(opt.default === true ? 1 : opt.default === false ? 0 : opt.default)];
      for (const d of defaults) {
        const r = convertScalar(opt, d as string);
        t.notOk('expected' in r, `${section.type}.${opt.name} default ${String(d)}`);
      }
      t.ok(opt.help.length > 10, `${section.type}.${opt.name} has help text`);
    }
  }
});

t.test('diffConfig names what changed', async (t) => {
  const base = "config globals 'g'\nconfig modem 'a'\n\toption interface 'wwan0'\nconfig modem 'b'\n\toption interface 'wwan1'\n" +
    "config class 'x'\n\toption proto 'udp'\n\toption qos 'C'\nconfig class 'y'\n\toption proto 'tcp'\n\toption qos 'I'\n";
  const before = valid(base);
  const same = diffConfig(before, valid(base));
  t.ok(same.empty, 'identical configs give an empty diff');
  const after = valid(
    "config globals 'g'\n\toption hysteresis '0.1'\nconfig modem 'b'\n\toption interface 'wwan1'\n\toption tier 'backup'\nconfig modem 'c'\n\toption interface 'wwan2'\n" +
      "config class 'y'\n\toption proto 'tcp'\n\toption qos 'I'\nconfig class 'x'\n\toption proto 'udp'\n\toption qos 'C'\nconfig power\n\toption source 'battery'\n\toption limit_w '20'\n",
  );
  const d = diffConfig(before, after);
  t.same(d.modems, { added: ['c'], removed: ['a'], changed: ['b'] });
  t.same(d.classes, { added: [], removed: [], changed: [], reordered: true });
  t.equal(d.globals, true);
  t.equal(d.power, true);
  t.equal(d.telemetry, false);
  t.equal(d.empty, false);
});

t.test('ConfigKeeper keeps the last good config', async (t) => {
  const keeper = new ConfigKeeper();
  t.equal(keeper.current(), null);
  const bad = parseConfig("config modem 'a'\n\toption tier 'gold'\n", 'mf');
  const first = keeper.offer(bad);
  t.same(first.accepted, false);
  if (!first.accepted) {
    t.equal(first.kept, null);
    t.equal(first.errors.length, 2, 'missing interface and bad tier');
  }
  const good = parseConfig("config modem 'a'\n\toption interface 'wwan0'\n", 'mf');
  const second = keeper.offer(good);
  t.equal(second.accepted, true);
  const kept = keeper.current();
  const third = keeper.offer(bad);
  t.equal(third.accepted, false);
  if (!third.accepted) t.equal(third.kept, kept, 'the running config stays');
  t.equal(keeper.current(), kept);
});
