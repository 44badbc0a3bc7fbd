// `make demo-quick` as CI runs it (not a terminal), as root, under the
// namespace prefix mft: the real daemon on the emulated three-modem router.
// A demo killed outright is cleaned up by the next start; the quick demo
// runs and prints its summary; Ctrl-C stops a run and removes everything.
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { skipReason } from '../netns/fixtures/bed.js';
import type { DemoSummary } from '../../demo/summary.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/demo/main.js');
const PREFIX = 'mft';
const RUN_DIR = `/tmp/modemflow-demo-${PREFIX}`;

async function namespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(`${PREFIX}-`));
}

/** Starts the demo; resolves its output once `marker` was printed. */
function startDemo(seconds: number, extra: string[] = []) {
  const child = spawn(process.execPath, [MAIN, '--seconds', String(seconds), '--prefix', PREFIX, '--plain', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  const printed = (marker: RegExp, timeoutMs: number) =>
    new Promise<void>((ok, fail) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (marker.test(out)) {
          clearInterval(poll);
          ok();
        } else if (Date.now() - started > timeoutMs || child.exitCode !== null) {
          clearInterval(poll);
          fail(new Error(`no ${marker} in the demo's output:\n${out}`));
        }
      }, 200);
    });
  return { child, exited, printed, output: () => out };
}

const why = (await skipReason()) ?? (existsSync(join(ROOT, 'dist/modemflow.js')) ? null : 'dist/modemflow.js is not built (make build)');
if (why) t.plan(0, `quick demo: ${why}`);
else t.test('the quick demo on the emulated router', async (t) => {
  await run(process.execPath, [join(ROOT, 'build.mjs'), 'demo'], { cwd: ROOT });
  const daemonBuilt = existsSync(join(ROOT, 'dist/modemflowd.js'));

  await t.test('a demo killed outright leaves namespaces behind; the next start removes them', async (t) => {
    const d = startDemo(60);
    const until = Date.now() + 60_000;
    while ((await namespaces()).length < 6 && Date.now() < until && d.child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    t.ok((await namespaces()).length >= 6, 'the test bed is up');
    d.child.kill('SIGKILL');
    await d.exited;
    t.ok((await namespaces()).length > 0, 'SIGKILL leaves the namespaces');
  });

  await t.test('30 s run: summary, no connection broken by rebalancing, everything removed', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mft-demo-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const json = join(dir, 'summary.json');
    const d = startDemo(30, ['--summary-json', json]);
    const code = await d.exited;
    const out = d.output();
    t.equal(code, 0, 'exit 0');
    t.match(out, /\[ {2}1 s\] cheap:/, 'plain lines once a second when stdout is not a terminal');
    t.equal((out.match(/script: /g) ?? []).length, 5, 'the five script steps were said');
    t.match(out, /== summary after/);
    t.match(out, /demo: cleaned up/);
    const s = JSON.parse(readFileSync(json, 'utf8')) as DemoSummary & { stoppedBy: string | null };
    t.equal(s.daemon, daemonBuilt ? 'running' : 'missing', daemonBuilt ? 'modemflowd ran' : 'no daemon built: said so');
    t.equal(s.stoppedBy, null);
    t.ok(s.totalBytes > 5e6, `traffic moved (${(s.totalBytes / 1e6).toFixed(1)} MB)`);
    t.equal(s.modems.reduce((a, m) => a + m.bytes, 0), s.totalBytes, 'bytes per modem add up');
    t.ok(s.cost > 0 && s.alternatives.length === 4, 'cost and the four alternatives');
    // The call's loss is the daemon's result on a congested 8 Mbit/s SIM, not the demo's: it is reported, not judged here.
    t.ok(s.call !== null && s.call.sent > 2000 && s.call.received > 0, `the call ran and was measured (${s.call?.received}/${s.call?.sent} echoed)`);
    t.ok(s.failover.length > 0 || s.failoverNote !== null, 'failover measured or explained');
    t.equal(s.breaks.total, s.breaks.lostModem + s.breaks.rebalancing);
    t.equal(s.breaks.rebalancing, 0, `no connection broken by rebalancing: ${s.breaks.details.join('; ')}`);
    t.same(await namespaces(), [], 'no namespace left');
    t.notOk(existsSync(RUN_DIR), 'run directory removed');
  });

  await t.test('Ctrl-C stops a run and cleans up', async (t) => {
    const d = startDemo(120);
    await d.printed(/\[ {2}2 s\]/, 60_000);
    d.child.kill('SIGINT');
    t.equal(await d.exited, 130, 'exit 130');
    t.match(d.output(), /SIGINT: stopping and cleaning up/);
    t.match(d.output(), /== summary after/, 'the summary of what ran');
    t.same(await namespaces(), [], 'no namespace left');
    t.notOk(existsSync(RUN_DIR), 'run directory removed');
  });
});
