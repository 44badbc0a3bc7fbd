// What testing with hostile and unusual configs found: mark bits shared with
// other packages, named sections UCI silently merges, interface names netifd
// cannot have, durations past Node's timer limit, and a check that must stay
// linear in the number of options.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem, loadConfig, parseConfig, SCHEMA } from '../../src/config/index.js';
import { DURATION_UNITS } from '../../src/config/schema.js';
import { isNetifdInterfaceName } from '../../src/model/names.js';
import { probeCommand } from '../../src/cli/probe-command.js';
import { PowerActionExecutor } from '../../src/power/executor.js';

const MODEM = "config modem 'm'\n\toption interface 'wwan0'\n";

function messages(r: ReturnType<typeof parseConfig>): string[] {
  return [...(r.ok ? [] : r.errors), ...r.warnings].map((p) => formatProblem(p));
}

t.test('mark_mask overlapping a known user of the mark is a warning that names it', async (t) => {
  const mwan = parseConfig(`config globals 'globals'\n\toption mark_mask '0x000fff00'\n${MODEM}`, 'mf');
  t.ok(mwan.ok, 'a warning, not an error');
  t.same(messages(mwan), ['mf:2: globals.mark_mask: warning: 0x000fff00 overlaps the mark bits of mwan3 (mmx_mask default 0x3f00) in 0x00003f00; choose bits clear of it']);
  const ctinfo = parseConfig(`config globals 'globals'\n\toption mark_mask '0x00000fff'\n${MODEM}`, 'mf');
  t.match(messages(ctinfo).join('\n'), /overlaps the mark bits of SQM\/CAKE DSCP .* in 0x000000ff/);
  t.match(messages(ctinfo).join('\n'), /overlaps the mark bits of mwan3 .* in 0x00000f00/, 'every user overlapped is named');
  t.same(messages(parseConfig(`config globals 'globals'\n\toption mark_mask '0x0fff0000'\n${MODEM}`, 'mf')), [], 'the default bits are clear of both');

  // What is configured on the router counts even for the default mask.
  const dir = mkdtempSync(join(tmpdir(), 'mf-config-mark-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'modemflow'), MODEM);
  writeFileSync(join(dir, 'pbr'), "config pbr 'config'\n\toption enabled '1'\n\toption fw_mask '00ff0000'\n");
  writeFileSync(join(dir, 'mwan3'), "config globals 'globals'\n\toption mmx_mask '0x0F000000'\n");
  const r = loadConfig(dir);
  t.ok(r.ok);
  t.same(
    r.warnings.map((w) => w.message),
    [
      `0x0fff0000 overlaps the mark bits of mwan3 (mmx_mask 0xf000000 in ${dir}/mwan3) in 0x0f000000; choose bits clear of it`,
      `0x0fff0000 overlaps the mark bits of pbr (fw_mask 0xff0000 in ${dir}/pbr) in 0x00ff0000; choose bits clear of it`,
    ],
  );
});

t.test('a named section given twice is a warning at the second one (UCI merges them)', async (t) => {
  const r = parseConfig(`${MODEM}\toption tier 'backup'\nconfig modem 'n'\n\toption interface 'wwan1'\nconfig modem 'm'\n\toption tier 'overflow'\n`, 'mf');
  t.ok(r.ok);
  t.same(messages(r), ["mf:6: m: warning: section 'm' is defined again (first at line 1); UCI merges the two into one, later options replacing earlier ones"]);
  t.equal(r.ok && r.value.modems.find((m) => m.name === 'm')!.tier, 'overflow', 'the merged result is what UCI gives');
  t.same(messages(parseConfig(`${MODEM}config modem\n\toption interface 'wwan1'\nconfig modem\n\toption interface 'wwan2'\n`, 'mf')), [], 'anonymous sections are not repeats');
});

t.test('one rule for netifd interface names, in the check and in the model', async (t) => {
  for (const bad of ['wan-2', 'wan.2', 'wan 2', '', 'a234567890123456', 'wwan0;rm', 'ä']) {
    t.notOk(isNetifdInterfaceName(bad), `'${bad}' is not an interface name`);
    const r = parseConfig(`config modem 'm'\n\toption interface '${bad}'\n`, 'mf');
    t.notOk(r.ok, `the check refuses '${bad}'`);
    const lan = parseConfig(`config globals 'g'\n\tlist lan '${bad}'\n${MODEM}`, 'mf');
    t.notOk(lan.ok, `list lan refuses '${bad}'`);
  }
  for (const good of ['wwan0', 'WAN_2', 'a23456789012345', '5g']) {
    t.ok(isNetifdInterfaceName(good), `'${good}' is an interface name`);
    t.ok(parseConfig(`config modem 'm'\n\toption interface '${good}'\n`, 'mf').ok, `the check accepts '${good}'`);
  }
  t.same(messages(parseConfig("config modem 'm'\n\toption interface 'wan-2'\n", 'mf')), ['mf:2: m.interface: expected a netifd interface name (1-15 of A-Z a-z 0-9 _), got "wan-2"']);
  // The power executor applies the same rule before it would reach ubus.
  const executor = new PowerActionExecutor({
    call: async () => {
      throw new Error('an invalid name must not reach ubus');
    },
  });
  for (const name of ['wan-2', 'wan.2', 'a234567890123456']) {
    const out = await executor.apply({ kind: 'sleep', modem: 'm', interface: name, reason: 'test' });
    t.equal(out.code, 'invalid-interface', `the executor refuses '${name}'`);
  }
});

t.test('every duration has a maximum below the timer limit, and 1e13 is refused', async (t) => {
  const TIMER_LIMIT_MS = 2 ** 31 - 1;
  const toMs: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };
  for (const section of SCHEMA) {
    for (const opt of section.options) {
      if (!opt.unit || !DURATION_UNITS.has(opt.unit)) continue;
      const max = opt.type.kind === 'number' || opt.type.kind === 'int' ? opt.type.max : undefined;
      t.ok(max !== undefined && Number.isFinite(max), `${section.type}.${opt.name} (${opt.unit}) has a maximum`);
      // Intervals and timeouts become timers; autonomy (h) is a horizon, not a timer.
      if (opt.unit !== 'h') t.ok(max! * toMs[opt.unit]! <= TIMER_LIMIT_MS, `${section.type}.${opt.name}: ${max} ${opt.unit} fits a Node timer`);
    }
  }
  const r = parseConfig(`config globals 'g'\n\toption solve_interval '1e13'\n${MODEM}\toption probe_interval '1e13'\nconfig telemetry 't'\n\toption state_interval '1e13'\n\toption metrics_interval '1e13'\n`, 'mf');
  t.notOk(r.ok);
  t.same(messages(r), [
    'mf:2: g.solve_interval: expected a number >= 1 and <= 86400, got "1e13"',
    'mf:5: m.probe_interval: expected a number >= 0.5 and <= 3600, got "1e13"',
    'mf:7: t.state_interval: expected a number >= 1 and <= 86400, got "1e13"',
    'mf:8: t.metrics_interval: expected a number >= 1 and <= 86400, got "1e13"',
  ]);
});

t.test('modemflow probe --interval 1e13 is refused before anything runs', async (t) => {
  let err = '';
  const code = await probeCommand(['--source', '10.0.0.2', '--interval', '1e13', '1.1.1.1'], {
    stdout: () => undefined,
    stderr: (s) => void (err += s),
    readStdin: async () => '',
    env: {},
  });
  t.equal(code, 2);
  t.equal(err, "modemflow probe: --interval must be at least 0.5 and at most 3600 seconds, got '1e13'\n");
});

// A guard, not a benchmark: quadratic checking took minutes here (27 s for
// 100,000 on a quiet machine); linear takes seconds.
t.test('200,000 unknown options are checked, each reported once at its line', { timeout: 60_000 }, async (t) => {
  const n = 200_000;
  const text = `${MODEM}${Array.from({ length: n }, (_, i) => `\toption unknown${i} 'x'\n`).join('')}`;
  const r = parseConfig(text, 'mf');
  t.ok(r.ok);
  t.equal(r.warnings.length, n);
  t.equal(r.warnings[n - 1]!.line, n + 2);
  t.equal(r.warnings[n - 1]!.option, `unknown${n - 1}`);
});
