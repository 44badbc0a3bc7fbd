// The real modemflowd (the router bundle) in the netns test bed, as root:
// it starts, steers new connections per its decision, steers around a modem
// that goes down or loses every packet, reloads its config on SIGHUP,
// survives the ubus broker restarting, leaves nothing of its kernel state on
// SIGTERM, and after SIGKILL a new start reconciles to one clean set.
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { UbusBroker, UbusClient } from '../../src/ubus/index.js';
import type { ModemsReply, StatusReply } from '../../src/model/api.js';
import { bed, probe, SERVER_V4, skipReason, sleep, startServers, TESTBED, uplinkOf } from './fixtures/bed.js';
import { publishNetifd } from './fixtures/netifd.js';

const run = promisify(execFile);
const P = 'mfdn';
const ROOT = resolve(import.meta.dirname, '../..');
const BUNDLE = join(ROOT, 'dist/modemflowd.js');

const config = (prices: [number, number, number]) => `
config globals 'globals'
	option log_level 'info'
	option solve_interval '30'
	list lan 'lan'
${prices
  .map(
    (p, k) => `
config modem 'm${k + 1}'
	option interface 'wwan${k + 1}'
	option metrics 'netifd'
	option price_per_gb '${p}'
	list probe '${SERVER_V4}'
	option probe_interval '0.5'
	option down_kbps '50000'
	option up_kbps '20000'
`,
  )
  .join('')}`;

const skip = await skipReason();
if (skip) {
  t.plan(0, `netns daemon tests: ${skip}`);
} else {
  if (!existsSync(BUNDLE)) await run(process.execPath, [join(ROOT, 'build.mjs'), 'router'], { cwd: ROOT });
  await bed(P, 'up');
  const dir = mkdtempSync(join(tmpdir(), 'mf-netns-daemon-'));
  t.teardown(async () => {
    await bed(P, 'down');
    rmSync(dir, { recursive: true, force: true });
  });
  const servers = await startServers(P, [80, 443], []);
  t.teardown(() => servers.stop());
  const socketPath = join(dir, 'ubus.sock');
  const configDir = join(dir, 'config');
  const stateDir = join(dir, 'state');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'modemflow'), config([1, 5, 9]));
  process.env['MF_TESTBED'] = TESTBED;

  let broker = new UbusBroker({ socketPath });
  await broker.start();
  let netifd = new UbusClient({ socketPath });
  await netifd.connect();
  await publishNetifd(netifd, P, 3);
  const client = new UbusClient({ socketPath, defaultTimeoutMs: 5000 });
  await client.connect();
  t.teardown(async () => {
    await client.close();
    await netifd.close();
    await broker.stop();
  });

  const logFile = join(dir, 'daemon.log');
  let daemon: ChildProcess | null = null;
  const startDaemon = (): ChildProcess => {
    // One append-mode log for every daemon run of the file, so the whole story is in one place.
    const out = openSync(logFile, 'a');
    const child = spawn('ip', ['netns', 'exec', `${P}-rt`, process.execPath, BUNDLE, '-c', configDir, '-s', socketPath, '--state-dir', stateDir], { stdio: ['ignore', out, out] });
    daemon = child;
    return child;
  };
  const exited = (c: ChildProcess): Promise<number | null> => new Promise((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));
  t.teardown(async () => {
    const d = daemon as ChildProcess | null;
    if (d && d.exitCode === null) {
      d.kill('SIGKILL');
      await exited(d);
    }
    await run('ip', ['netns', 'exec', `${P}-rt`, 'nft', 'delete', 'table', 'inet', 'modemflow']).catch(() => undefined);
  });

  const status = async (): Promise<StatusReply | null> => (await client.call('modemflow', 'status').catch(() => null)) as StatusReply | null;
  /** Polls a condition (a harness guard against hanging, not an assertion on time). */
  const until = async (what: string, cond: () => Promise<boolean>, limitMs = 30_000): Promise<number> => {
    const t0 = performance.now();
    while (!(await cond())) {
      if (performance.now() - t0 > limitMs) throw new Error(`timed out waiting for ${what}\n--- daemon log ---\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
      await sleep(100);
    }
    return performance.now() - t0;
  };
  const modemState = async (name: string) => (await status())?.modems.find((m) => m.name === name)?.state ?? null;
  const uplinkOfNewConnection = async (): Promise<number> => {
    const [res] = await probe(P, [{ proto: 'tcp', host: SERVER_V4, port: 80, timeoutMs: 1500 }]);
    return res!.ok ? uplinkOf(res!.peer) : 0;
  };
  /** Steady state: a probe may still hit a connection of the previous test's churn; take the first that answers. */
  const steadyUplink = async (): Promise<number> => {
    for (let k = 0; k < 3; k++) {
      const u = await uplinkOfNewConnection();
      if (u !== 0) return u;
    }
    return 0;
  };
  const inRt = async (...args: string[]) => (await run('ip', ['netns', 'exec', `${P}-rt`, ...args])).stdout;
  const ourRules = async (fam: '-4' | '-6') => (JSON.parse(await inRt('ip', fam, '-j', 'rule', 'list')) as Array<{ priority: number }>).filter((r) => r.priority >= 5000 && r.priority < 5064);
  const ourRoutes = async (fam: '-4' | '-6') => (JSON.parse(await inRt('ip', fam, '-j', 'route', 'show', 'table', 'all')) as Array<{ table?: string }>).filter((r) => /^31\d\d$/.test(String(r.table)));
  const hasTable = async () => (await inRt('nft', 'list', 'tables')).includes('inet modemflow');

  t.test('starts, reads the modems and steers a new connection to the cheapest', async (t) => {
    startDaemon();
    await until('three modems read', async () => ((await status())?.modems.filter((m) => m.state === 'active' || m.state === 'standby').length ?? 0) === 3);
    t.equal(await modemState('m1'), 'active', 'the cheapest is active');
    await until('routing applied', async () => ((await status())?.counters.routingApplies ?? 0) > 0 && (await hasTable()));
    t.equal(await steadyUplink(), 1, 'a new connection leaves through modem 1');
    const m = (await client.call('modemflow', 'modems')) as unknown as ModemsReply;
    t.ok(m.modems.every((x) => x.path?.alive === true), 'every path answers');
  });

  t.test('a modem whose link goes down: new connections take the next one', async (t) => {
    const t0 = performance.now();
    await run(TESTBED, ['--prefix', P, 'link', '--uplink', '1', 'down']);
    await client.sendEvent('network.interface', { action: 'ifdown', interface: 'wwan1' });
    const ms = await until('new connections via modem 2', async () => (await uplinkOfNewConnection()) === 2);
    t.pass(`failover after link loss: ${Math.round(performance.now() - t0)} ms until a new connection worked through modem 2 (${Math.round(ms)} ms polling)`);
    // New connections may already leave through modem 2 by the main table before the daemon has read the link.
    await until('modem 1 reported down', async () => (await modemState('m1')) === 'down');
    t.equal(await modemState('m1'), 'down');
  });

  t.test('100 % loss on the next modem: its path dies, traffic goes to the third', async (t) => {
    const t0 = performance.now();
    await run(TESTBED, ['--prefix', P, 'shape', '--uplink', '2', '--loss', '100']);
    await until('new connections via modem 3', async () => (await uplinkOfNewConnection()) === 3);
    t.pass(`dead path to working connection: ${Math.round(performance.now() - t0)} ms (0.5 s probes)`);
    const m = (await client.call('modemflow', 'modems')) as unknown as ModemsReply;
    const m2 = m.modems.find((x) => x.name === 'm2')!;
    t.equal(m2.path?.alive, false);
    t.match(m2.exclusions.map((e) => e.code).join(','), /dead-path/);
    await run(TESTBED, ['--prefix', P, 'shape', '--uplink', '2', '--clear']);
    await run(TESTBED, ['--prefix', P, 'link', '--uplink', '1', 'up']);
    await client.sendEvent('network.interface', { action: 'ifup', interface: 'wwan1' });
    await until('modem 1 back', async () => (await uplinkOfNewConnection()) === 1);
    t.pass('modem 1 carries new connections again');
  });

  t.test('SIGHUP reloads the config as a diff', async (t) => {
    writeFileSync(join(configDir, 'modemflow'), config([5, 9, 0.5]));
    daemon!.kill('SIGHUP');
    await until('new connections via modem 3 (now the cheapest)', async () => (await uplinkOfNewConnection()) === 3);
    const s = await status();
    t.equal(s?.config.state, 'ok');
    const log = readFileSync(logFile, 'utf8');
    t.match(log, /configuration reloaded origin=SIGHUP changed=/, 'the reload is logged with what changed');
  });

  t.test('ubusd restarts: the daemon reconnects and re-registers its object', async (t) => {
    await netifd.close();
    await broker.stop();
    await sleep(300);
    broker = new UbusBroker({ socketPath });
    await broker.start();
    netifd = new UbusClient({ socketPath });
    await netifd.connect();
    await publishNetifd(netifd, P, 3);
    await until('the modemflow object is back', async () => (await status()) !== null);
    t.ok((await status())!.uptimeS > 0, 'the same daemon answers');
    // While ubusd was away its metrics reads failed: it steers again once it has read the modems anew.
    await until('new connections via modem 3 again', async () => (await uplinkOfNewConnection()) === 3);
    t.pass('and steers again');
  });

  t.test('SIGTERM leaves no table, rule or route of ours', async (t) => {
    const d = daemon!;
    d.kill('SIGTERM');
    t.equal(await exited(d), 0, 'exit 0');
    t.equal(await hasTable(), false, 'no inet modemflow table');
    t.same([...(await ourRules('-4')), ...(await ourRules('-6'))], [], 'no ip rule in our priority range');
    t.same([...(await ourRoutes('-4')), ...(await ourRoutes('-6'))], [], 'no route in our tables');
    const q = JSON.parse(readFileSync(join(stateDir, 'quota.json'), 'utf8')) as { modems: Record<string, unknown> };
    t.ok(Object.keys(q.modems).length >= 1, 'quota usage saved on stop');
    t.equal(await steadyUplink(), 1, 'plain main-table routing works (default via uplink 1)');
  });

  t.test('SIGKILL, then a new start reconciles to one clean set', async (t) => {
    let d = startDaemon();
    await until('routing applied', async () => ((await status())?.counters.routingApplies ?? 0) > 0 && (await hasTable()));
    await sleep(1000);
    const rulesBefore = (await ourRules('-4')).length + (await ourRules('-6')).length;
    t.ok(rulesBefore > 0, `rules installed (${rulesBefore})`);
    d.kill('SIGKILL');
    await exited(d);
    t.equal(await hasTable(), true, 'the crash left its table behind');
    d = startDaemon();
    await until('routing applied again', async () => ((await status())?.counters.routingApplies ?? 0) > 0);
    await sleep(1000);
    const rulesAfter = (await ourRules('-4')).length + (await ourRules('-6')).length;
    t.equal(rulesAfter, rulesBefore, 'the same set of rules, not a second copy');
    t.equal((await inRt('nft', 'list', 'tables')).split('\n').filter((l) => l.includes('inet modemflow')).length, 1, 'one table');
    t.equal(await steadyUplink(), 3, 'steering works');
    d.kill('SIGTERM');
    t.equal(await exited(d), 0);
    t.equal(await hasTable(), false, 'clean after stop');
  });
}
