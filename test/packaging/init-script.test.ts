// /etc/init.d/modemflow sourced under busybox ash with procd's and
// functions.sh's calls recorded: the instance it declares (command, heap
// caps, respawn, logd, reload signal), its triggers and its reload; and,
// as root in a network namespace, that stopping leaves plain routing.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INIT_SCRIPT, OPENWRT_FILES, RECORDER, configVars, hasBusybox, records, run, tempDir } from './fixtures/helpers.js';

const busybox = await hasBusybox();
const SHIPPED_CONFIG = readFileSync(join(OPENWRT_FILES, 'etc/config/modemflow'), 'utf8');

/** Sources the init script after the recorders and runs `body`; returns the recorded calls. */
async function source(t: Parameters<typeof tempDir>[0], config: string, body: string, env: Record<string, string> = {}): Promise<string[][]> {
  const dir = tempDir(t, 'init');
  const log = join(dir, 'calls');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'config.sh'), configVars(config));
  const script = `. "${RECORDER}"\n. "${join(dir, 'config.sh')}"\n. "${INIT_SCRIPT}"\n${body}\n`;
  await run('busybox', ['ash', '-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', MF_LOG: log, ...env } });
  return records(readFileSync(log, 'utf8'));
}

const skip = busybox ? false : 'busybox is not installed (make sysdeps)';

t.test('start_service declares one instance', { skip }, async (t) => {
  const calls = await source(t, SHIPPED_CONFIG, 'start_service');
  t.equal(calls.filter((c) => c[0] === 'open_instance').length, 1, 'one instance');
  t.equal(calls[0]![0], 'open_instance');
  t.equal(calls[calls.length - 1]![0], 'close_instance');
  const params = new Map(calls.filter((c) => c[0] === 'set_param').map((c) => [c[1]!, c.slice(2)]));
  const command = params.get('command')!;
  t.same(command, [
    '/usr/bin/node',
    '--max-old-space-size=64',
    '--max-semi-space-size=1',
    '/usr/lib/modemflow/modemflowd.js',
    '-c',
    '/etc/config',
    '-s',
    '/var/run/ubus/ubus.sock',
    '--state-dir',
    '/etc/modemflow/state',
  ]);
  t.notOk(command.some((a) => a.includes('jitless')), 'no --jitless');
  t.same(params.get('respawn'), [], 'respawn with the system defaults');
  t.same(params.get('stdout'), ['1'], 'stdout to logd');
  t.same(params.get('stderr'), ['1'], 'stderr to logd');
  t.same(params.get('reload_signal'), ['HUP'], 'reload by SIGHUP');
  t.ok(Number(params.get('term_timeout')?.[0]) >= 5, 'time to remove the kernel state on SIGTERM');
  t.notOk(params.has('env'), 'no environment (no NODE_OPTIONS)');
  t.notOk(params.has('file'), 'config changes reach the daemon by reload, not by restart');
});

t.test('the launcher runs the daemon with the same heap caps', async (t) => {
  const launcher = readFileSync(join(OPENWRT_FILES, 'usr/sbin/modemflowd'), 'utf8');
  t.match(launcher, /^exec \/usr\/bin\/node --max-old-space-size=64 --max-semi-space-size=1 \/usr\/lib\/modemflow\/modemflowd\.js "\$@"$/m);
  t.notMatch(launcher, /jitless|NODE_OPTIONS/);
  const code = readFileSync(INIT_SCRIPT, 'utf8').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
  t.notMatch(code, /NODE_OPTIONS|jitless/, 'the init script sets neither');
});

t.test('service_triggers: config reload and one interface trigger per configured modem', { skip }, async (t) => {
  const calls = await source(t, SHIPPED_CONFIG, 'service_triggers');
  t.same(calls, [
    ['reload_trigger', 'modemflow'],
    ['config_load', 'modemflow'],
    ['interface_trigger', 'wwan0'],
    ['interface_trigger', 'wwan1'],
  ]);

  const odd = "config modem 'a'\n\toption interface 'lte_a'\nconfig modem 'b'\n\toption interface 'x;reboot'\nconfig modem 'c'\nconfig class 'k'\n\toption interface 'nope'\n";
  const calls2 = await source(t, odd, 'service_triggers');
  t.same(
    calls2.filter((c) => c[0] === 'interface_trigger'),
    [['interface_trigger', 'lte_a']],
    'only valid interface names of modem sections',
  );
});

t.test('reload: re-sends the service, then SIGHUP to a running daemon only', { skip }, async (t) => {
  const running = await source(t, SHIPPED_CONFIG, 'reload_service; mf_rec "rc=$?"', { MF_RUNNING: '1' });
  t.same(running, [['running', 'modemflow'], ['start'], ['signal', 'modemflow', '*', 'HUP'], ['rc=0']]);
  const stopped = await source(t, SHIPPED_CONFIG, 'reload_service; mf_rec "rc=$?"', { MF_RUNNING: '0' });
  t.same(stopped, [['running', 'modemflow'], ['start'], ['rc=0']], 'a daemon just started gets no signal');
});

t.test('init script header: procd, start order, takeover command', async (t) => {
  const text = readFileSync(INIT_SCRIPT, 'utf8');
  t.match(text, /^#!\/bin\/sh \/etc\/rc\.common\n/);
  t.match(text, /^USE_PROCD=1$/m);
  t.match(text, /^START=(\d+)$/m);
  t.ok(Number(/^START=(\d+)$/m.exec(text)![1]) > 20, 'starts after netifd (20)');
  t.match(text, /^EXTRA_COMMANDS="takeover"$/m);
});

// Stopping: what the daemon left in the kernel goes, what others own stays.
const NS = `mfpkg-stop-${process.pid}`;
async function rootSkip(): Promise<string | false> {
  if (!busybox) return 'busybox is not installed (make sysdeps)';
  if (process.env.MODEMFLOW_SKIP_ROOT === '1') return 'MODEMFLOW_SKIP_ROOT=1';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const tool of ['ip', 'nft', 'pgrep']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed (make sysdeps)`;
    }
  }
  return false;
}

t.test('stop leaves plain routing (network namespace)', { skip: await rootSkip() }, async (t) => {
  const ns = (...a: string[]): Promise<{ stdout: string }> => run('ip', ['netns', 'exec', NS, ...a]);
  await run('ip', ['netns', 'add', NS]);
  t.teardown(() => run('ip', ['netns', 'del', NS]).then(() => undefined, () => undefined));
  await ns('ip', 'link', 'set', 'lo', 'up');
  await ns('nft', 'add table inet modemflow');
  await ns('nft', 'add table inet other');
  for (const [fam, prio, table] of [['-4', '5000', '3101'], ['-4', '5063', '3102'], ['-6', '5001', '3101'], ['-4', '4999', '3101'], ['-4', '5064', '3101'], ['-6', '1001', '3102']] as const) {
    await ns('ip', fam, 'rule', 'add', 'priority', prio, 'fwmark', '0x10000/0xff0000', 'lookup', table);
  }
  await ns('ip', '-4', 'route', 'add', '10.9.1.0/24', 'dev', 'lo', 'table', '3101');
  await ns('ip', '-4', 'route', 'add', '10.9.15.0/24', 'dev', 'lo', 'table', '3115');
  await ns('ip', '-4', 'route', 'add', '10.9.16.0/24', 'dev', 'lo', 'table', '3116');
  await ns('ip', '-6', 'route', 'add', '2001:db8:1::/64', 'dev', 'lo', 'table', '3102');

  const dir = tempDir(t, 'stop');
  const log = join(dir, 'calls');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'config.sh'), configVars(SHIPPED_CONFIG));
  // A stand-in daemon still shutting down: its command line matches what
  // service_stopped waits for (NODE and DAEMON come in through the
  // environment so that the harness' own command line does not match).
  const daemonPath = join(dir, `mfpkg-${process.pid}-daemon.js`);
  const daemon = spawn('busybox', ['sh', '-c', `sleep 2; printf 'daemon-exit\\037\\n' >> "$MF_LOG"`, daemonPath], { env: { ...process.env, MF_LOG: log }, stdio: 'ignore' });
  t.teardown(() => {
    daemon.kill();
  });
  const script = `. "${RECORDER}"\n. "${join(dir, 'config.sh')}"\n. "${INIT_SCRIPT}"\nNODE=$MF_NODE\nDAEMON=$MF_DAEMON\nservice_stopped\n`;
  await run('ip', ['netns', 'exec', NS, 'busybox', 'ash', '-c', script], {
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', MF_LOG: log, MF_NODE: 'busybox', MF_DAEMON: daemonPath },
  });
  const order = records(readFileSync(log, 'utf8')).map((c) => c[0]);
  t.same(order, ['daemon-exit', 'config_load'], 'waits for the daemon to exit before removing leftovers');

  const tables = (await ns('nft', 'list', 'tables')).stdout;
  t.notMatch(tables, /table inet modemflow/, 'our nftables table is gone');
  t.match(tables, /table inet other/, "another table stays");
  const rules4 = (await ns('ip', '-4', 'rule', 'show')).stdout;
  const rules6 = (await ns('ip', '-6', 'rule', 'show')).stdout;
  t.notMatch(rules4, /^5000:/m, 'rule 5000 (base) removed');
  t.notMatch(rules4, /^5063:/m, 'rule 5063 (base+63) removed');
  t.notMatch(rules6, /^5001:/m, 'IPv6 rule removed');
  t.match(rules4, /^4999:/m, 'rule below the range stays');
  t.match(rules4, /^5064:/m, 'rule above the range stays');
  t.match(rules6, /^1001:/m, "mwan3's range stays");
  t.equal((await ns('ip', '-4', 'route', 'show', 'table', '3101')).stdout, '', 'table 3101 flushed');
  t.equal((await ns('ip', '-4', 'route', 'show', 'table', '3115')).stdout, '', 'table 3115 (base+15) flushed');
  t.match((await ns('ip', '-4', 'route', 'show', 'table', '3116')).stdout, /10\.9\.16\.0\/24/, 'table 3116 is not ours and stays');
  t.equal((await ns('ip', '-6', 'route', 'show', 'table', '3102')).stdout, '', 'IPv6 table flushed');
});
