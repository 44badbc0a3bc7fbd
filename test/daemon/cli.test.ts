// `modemflow status|modems|flows|assignment|history` against the daemon on
// fake ports (the same router as daemon.test.ts), and `modems --once`
// reading the providers without the daemon.
import t from 'tap';
import { router, conntrackLine } from './fixtures/router.js';
import { runCli } from '../../src/cli/run.js';
import { memoryIo } from '../cli/memory-io.js';

const io = (): ReturnType<typeof memoryIo> => memoryIo();

t.test('without the daemon: a clear message and the ubus exit code for NOT_FOUND', async (t) => {
  const r = await router(t);
  const x = io();
  const code = await runCli(['status', '-s', r.bed.socketPath], x);
  t.equal(code, 252, '256 - NOT_FOUND (4), as the ubus tool exits');
  t.match(x.err, /the daemon is not running/);
  const once = io();
  t.equal(await runCli(['modems', '--once', '-c', r.configDir, '-s', r.bed.socketPath], once), 0, 'modems --once needs no daemon');
  t.match(once.out, /^MODEM\s+INTERFACE\s+PROVIDER\s+LINK\s+RADIO/m);
  t.match(once.out, /^cheap\s+wwan1\s+netifd\s+up wwan1 10\.61\.0\.2/m, 'the link as netifd reports it');
  const j = io();
  t.equal(await runCli(['modems', '--once', '--json', '-c', r.configDir, '-s', r.bed.socketPath], j), 0);
  const doc = JSON.parse(j.out) as { modems: Array<{ name: string; link: { up: boolean } }> };
  t.same(doc.modems.map((m) => [m.name, m.link.up]), [['cheap', true], ['fast', true]]);
});

t.test('tables and JSON from the running daemon', async (t) => {
  const r = await router(t);
  await r.start();
  await r.run(5000);
  r.conntrack.push(conntrackLine(1, 40001, 443));
  await r.run(3000);
  const run = async (...argv: string[]) => {
    const x = io();
    const p = runCli([...argv, '-s', r.bed.socketPath], x);
    const code = await p;
    return { code, ...x };
  };
  const st = await run('status');
  t.equal(st.code, 0);
  t.match(st.out, /^modemflow 0\.2\.0, up \d+ s/m);
  t.match(st.out, /^cheap\s+wwan1\s+primary\s+active/m);
  t.match(st.out, /^fast\s+wwan2\s+primary\s+standby\s+up but not needed/m);
  const js = await run('status', '--json');
  t.equal((JSON.parse(js.out) as { apiVersion: number }).apiVersion, 1);
  const modems = await run('modems');
  t.match(modems.out, /^MODEM\s+STATE\s+NETWORK\s+SIGNAL\s+PATH/m);
  t.match(modems.out, /^cheap\s+active/m);
  const flows = await run('flows', '--modem', 'cheap');
  t.match(flows.out, /h:192\.168\.1\.20:web\s+192\.168\.1\.20\s+web\s+I/);
  t.match(flows.out, /1 of 1 groups/);
  const bad = await run('flows', '--limit', '0');
  t.equal(bad.code, 2);
  t.match(bad.err, /--limit: expected an integer >= 1/);
  const a = await run('assignment');
  t.match(a.out, /^cheap: h:192\.168\.1\.20:web$/m);
  t.match(a.out, /place\s+h:192\.168\.1\.20:web\s+cheap\s+cheapest/);
  const h = await run('history', '--seconds', '3');
  t.match(h.out, /^TIME\s+COST\/H\s+POWER W\s+cheap RX\/TX RTT\s+fast RX\/TX RTT/m);
  t.ok(h.out.trim().split('\n').length >= 3, 'a row per second');
});
