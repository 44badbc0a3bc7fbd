import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingRunner } from '../../src/os/recording-runner.js';
import { FsSysfsReader } from '../../src/os/sysfs.js';
import { parseNeighbours, readNeighbours } from '../../src/flows/neighbours.js';
import { conntrackToolSource, ensureAccounting, procfsSource } from '../../src/flows/conntrack-source.js';

t.test('neighbour table: entries with a MAC, canonical addresses, failed ones left out', async (t) => {
  // The first two lines are real `ip neigh show` output of the build machine; the rest the shapes OpenWrt shows on br-lan.
  const text = [
    '192.0.2.1 dev eth0 lladdr 02:fc:00:00:00:05 STALE ',
    'fd00::1 dev eth0 FAILED ',
    '192.168.1.20 dev br-lan lladdr AA:BB:CC:DD:EE:20 REACHABLE',
    'fe80::1 dev br-lan lladdr aa:bb:cc:dd:ee:01 router STALE',
    'fd00:0001:0000:0000:0000:0000:0000:0030 dev br-lan lladdr aa:bb:cc:dd:ee:30 DELAY',
    '192.168.1.31 dev br-lan  INCOMPLETE',
    '192.168.1.32 dev br-lan lladdr 00:00:00 PERMANENT',
    '',
  ].join('\n');
  t.same(
    [...parseNeighbours(text)],
    [
      ['192.0.2.1', '02:fc:00:00:00:05'],
      ['192.168.1.20', 'aa:bb:cc:dd:ee:20'],
      ['fe80::1', 'aa:bb:cc:dd:ee:01'],
      ['fd00:1::30', 'aa:bb:cc:dd:ee:30'],
    ],
  );
  const failing = new RecordingRunner().on('ip neigh', { code: 1, stderr: 'RTNETLINK answers: Operation not permitted' });
  const r = await readNeighbours(failing, 'mff-x');
  t.same(failing.log[0], { program: 'ip', args: ['neigh', 'show'], netns: 'mff-x' });
  t.ok('error' in r && /exit 1.*not permitted/.test(r.error));
});

t.test('sources say what failed and why', async (t) => {
  const missing = await conntrackToolSource(new RecordingRunner().on('conntrack', { code: 127, stderr: 'spawn conntrack ENOENT' })).read();
  t.notOk(missing.ok);
  if (!missing.ok) t.match(missing.errors[0], /exit 127\) \(is the conntrack package installed\?\)/);
  const slow = await conntrackToolSource(new RecordingRunner().on('conntrack', { code: null, timedOut: true })).read();
  if (!slow.ok) t.match(slow.errors[0], /timed out/);
  const root = mkdtempSync(join(tmpdir(), 'mff-src-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const proc = await procfsSource(new FsSysfsReader(root)).read();
  t.notOk(proc.ok);
  if (!proc.ok) t.match(proc.errors[0], /\/proc\/net\/nf_conntrack is missing/);
});

t.test('accounting: on, turned on, left off on request, unknown without conntrack', async (t) => {
  t.same(await ensureAccounting(new RecordingRunner().on('sysctl -n', { stdout: '1\n' }), true), { state: 'on', changed: false, problem: null });
  const off = new RecordingRunner().on('sysctl -n', { stdout: '0\n' });
  const left = await ensureAccounting(off, false);
  t.equal(left.state, 'off');
  t.match(left.problem, /nf_conntrack_acct=0: no byte counters/);
  t.same(off.lines(), ['sysctl -n net.netfilter.nf_conntrack_acct'], 'not changed when asked not to');
  const noKey = await ensureAccounting(
    new RecordingRunner().on('sysctl -n', { code: 255, stderr: 'sysctl: cannot stat /proc/sys/net/netfilter/nf_conntrack_acct: No such file or directory' }),
    true,
  );
  t.equal(noKey.state, 'unknown');
  t.match(noKey.problem, /cannot read net\.netfilter\.nf_conntrack_acct \(exit 255\): sysctl: cannot stat/);
});
