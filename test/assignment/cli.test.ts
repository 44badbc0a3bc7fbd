import t from 'tap';
import { readFileSync } from 'node:fs';
import { demoCommand } from '../../src/cli/demo-command.js';
import { generateCommand } from '../../src/cli/generate-command.js';
import type { CliIo } from '../../src/cli/io.js';
import { solveCommand } from '../../src/cli/solve-command.js';
import { checkAnswer } from '../../src/assignment/checker.js';
import { parseInstance } from '../../src/assignment/parse-instance.js';
import type { TfapAnswer, TfapInstance } from '../../src/model/tfap.js';
import { fixturePath } from './helpers.js';

function io(stdin = ''): CliIo & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    stdout: (s: string) => void (o.out += s),
    stderr: (s: string) => void (o.err += s),
    readStdin: async () => stdin,
    env: {},
  };
  return o;
}

const smallText = readFileSync(fixturePath('small.json'), 'utf8');
const small = JSON.parse(smallText) as TfapInstance;

t.test('solve reads a file and prints a valid answer', async (t) => {
  const c = io();
  t.equal(await solveCommand([fixturePath('small.json')], c), 0);
  const ans = JSON.parse(c.out) as TfapAnswer;
  t.equal(ans.status, 'ok');
  t.equal(ans.costPerSecond, 450);
  t.same(checkAnswer(small, ans), []);
  t.equal(c.err, '');
});

t.test('solve reads standard input ("-" or no FILE), both methods', async (t) => {
  for (const argv of [['-'], [], ['--method', 'exact', '-'], ['--variant', 'thesis', '--seed', '3']]) {
    const c = io(smallText);
    t.equal(await solveCommand(argv, c), 0, argv.join(' '));
    const ans = JSON.parse(c.out) as TfapAnswer;
    t.equal(ans.costPerSecond, 450);
    t.equal(ans.method, argv.includes('exact') ? 'exact' : 'heuristic');
  }
});

t.test('solve exits 1 with the answer when P_max cannot be met', async (t) => {
  const c = io(JSON.stringify({ ...small, powerLimitW: 2 }));
  t.equal(await solveCommand([], c), 1);
  const ans = JSON.parse(c.out) as TfapAnswer;
  t.equal(ans.status, 'over_power_limit');
  t.match(ans.reason, /above P_max/);
});

t.test('solve exits 2 on bad input, saying where and what', async (t) => {
  let c = io('{ not json');
  t.equal(await solveCommand([], c), 2);
  t.match(c.err, /standard input is not valid JSON/);
  c = io(JSON.stringify({ ...small, flows: [{ id: 'f', upKbps: 'x', downKbps: 0, qos: 'B' }] }));
  t.equal(await solveCommand([], c), 2);
  t.match(c.err, /flows\[0\]\.upKbps: expected a number >= 0, got "x"/);
  c = io();
  t.equal(await solveCommand(['/nonexistent/instance.json'], c), 2);
  t.match(c.err, /cannot read \/nonexistent\/instance.json/);
  c = io();
  t.equal(await solveCommand(['--method', 'magic'], c), 2);
  t.match(c.err, /--method: expected heuristic or exact, got magic/);
  t.equal(c.out, '');
});

t.test('generate -> solve round trip through standard input', async (t) => {
  const g = io();
  t.equal(await generateCommand(['--scenario', 'UC1', '--capacity', 'H', '--seed', '2'], g), 0);
  const inst = JSON.parse(g.out) as TfapInstance;
  t.ok(parseInstance(inst).ok);
  t.equal(inst.powerLimitW, null);
  const again = io();
  await generateCommand(['--scenario', 'UC1', '--capacity', 'H', '--seed', '2'], again);
  t.equal(again.out, g.out, 'same arguments, same instance');
  const s = io(g.out);
  const code = await solveCommand([], s);
  const ans = JSON.parse(s.out) as TfapAnswer;
  t.equal(code, ans.status === 'ok' ? 0 : 1);
  t.same(checkAnswer(inst, ans), []);
  const m = io();
  t.equal(await generateCommand(['--scenario', 'modern', '--seed', '5'], m), 0);
  t.ok(parseInstance(JSON.parse(m.out)).ok);
});

t.test('generate --power-level puts P_max between the exact extremes', async (t) => {
  const lo = io();
  const hi = io();
  t.equal(await generateCommand(['--scenario', 'UC0', '--capacity', 'H', '--seed', '3', '--power-level', '1'], lo), 0);
  t.equal(await generateCommand(['--scenario', 'UC0', '--capacity', 'H', '--seed', '3', '--power-level', '10'], hi), 0);
  const a = JSON.parse(lo.out) as TfapInstance;
  const b = JSON.parse(hi.out) as TfapInstance;
  t.ok(a.powerLimitW! > 0 && a.powerLimitW! <= b.powerLimitW!);
  const s = io(lo.out);
  t.equal(await solveCommand(['--method', 'exact'], s), 0, 'the least-power limit is reachable');
});

t.test('generate rejects bad arguments with exit 2', async (t) => {
  for (const argv of [[], ['--scenario', 'UC9'], ['--scenario', 'UC0'], ['--scenario', 'modern', '--capacity', 'L'], ['--scenario', 'UC0', '--capacity', 'M', '--power-level', '11']]) {
    const c = io();
    t.equal(await generateCommand(argv, c), 2, argv.join(' '));
    t.match(c.err, /modemflow generate: /);
  }
});

t.test('demo prints the vehicle-router tables, heuristic and exact', async (t) => {
  const c = io();
  t.equal(await demoCommand([], c), 0);
  t.match(c.out, /heuristic: ok/);
  t.match(c.out, /exact \(HiGHS, proven optimal\): ok/);
  t.match(c.out, /cost per second: [\d.]+ units +power: [\d.]+ W against P_max 5 W/);
  t.match(c.out, /independent check: valid/);
  t.match(c.out, /u1-conf-video-out +C +128 +0 +umts\d/);
  t.equal(await demoCommand(['--bogus'], io()), 2);
});

t.test('solve refuses hostile input with exit 2 and a clear message', async (t) => {
  // 10,000 levels of nesting: no stack overflow (exit 1 "Maximum call stack size exceeded" before).
  let c = io('['.repeat(10_000) + ']'.repeat(10_000));
  t.equal(await solveCommand([], c), 2);
  t.match(c.err, /standard input is not a valid instance:\n {2}line 1: nesting deeper than 32 levels/);
  t.notMatch(c.err, /call stack/);
  // Overflowing figures: the field is named.
  const huge = JSON.parse(smallText) as TfapInstance;
  huge.interfaces[0]!.bearers[0]!.costPerKbit = 1e300;
  c = io(JSON.stringify(huge));
  t.equal(await solveCommand([], c), 2);
  t.match(c.err, /interfaces\[0\]\.bearers\[0\]\.costPerKbit: expected at most 1000000 per kbit, got 1e\+300/);
  t.equal(c.out, '');
  // Thousands of bad flows: the first ten lines and a count, not one line each.
  const bad = { ...small, flows: Array.from({ length: 20_000 }, (_, z) => ({ id: `f${z}`, upKbps: -1, downKbps: 0, qos: 'B' })) };
  c = io(JSON.stringify(bad));
  t.equal(await solveCommand([], c), 2);
  t.equal(c.err.split('\n').filter((l) => l.startsWith('  ')).length, 11);
  t.match(c.err, / {2}\.\.\. and 19990 more problems \(20000 in all\)\n$/);
});

t.test('solve refuses oversize input unread, from a file or standard input', async (t) => {
  const dir = t.testdir({});
  const big = `{"flows":[${'0,'.repeat(9_000_000)}0]}`; // 18 MB of tiny elements
  const file = `${dir}/big.json`;
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, big);
  let c = io();
  t.equal(await solveCommand([file], c), 2);
  t.match(c.err, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is larger than 16.0 MiB: refused unread`));
  c = io(big);
  t.equal(await solveCommand(['-'], c), 2);
  t.match(c.err, /standard input is larger than 16.0 MiB/);
  // Under the size cap but millions of elements: refused by the value count before JSON.parse builds them.
  c = io(`{"flows":[${'0,'.repeat(3_000_000)}0]}`);
  t.equal(await solveCommand([], c), 2);
  t.match(c.err, /more than 2,000,000 JSON values/);
});

t.test('solve --time-limit bounds the heuristic too', async (t) => {
  const { generateLarge } = await import('../../src/assignment/generate-large.js');
  const inst = generateLarge({ interfaces: 200, bearersPerInterface: 10, flows: 1000 }, 2);
  const c = io(JSON.stringify(inst));
  t.equal(await solveCommand(['--time-limit', '0.001'], c), 0);
  const ans = JSON.parse(c.out) as TfapAnswer;
  t.equal(ans.stoppedEarly, true);
  t.same(checkAnswer(inst, ans), []);
  const bad = io();
  t.equal(await solveCommand(['--time-limit', '1e13'], bad), 2);
  t.match(bad.err, /--time-limit: expected seconds > 0 and at most 86400/);
});
