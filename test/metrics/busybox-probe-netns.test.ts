// The path probe driven by busybox's ping, as on a stock OpenWrt router (no
// iputils there): busybox dispatches on argv[0], so a `ping` link to it in a
// temporary folder is the applet. Real kernel, one "modem" in namespaces.
import t from 'tap';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PathProbe } from '../../src/metrics/probe/path-probe.js';
import { detectPingDialect } from '../../src/metrics/probe/ping-output.js';
import { ChildProcessSpawner } from '../../src/os/spawner.js';
import { SystemClock } from '../../src/os/clock.js';
import { MemoryLogger } from '../../src/os/logger.js';
import { ExecFileRunner } from '../../src/os/exec-runner.js';
import { NetnsBed, nftClear, nftDropEcho, rootSkipReason, sh } from './netns-bed.js';

const runner = new ExecFileRunner();
const busybox = (await runner.run('busybox', ['--list'])).stdout.split('\n').includes('ping') ? 'busybox' : null;
const skip = rootSkipReason() ?? (busybox ? null : 'busybox with the ping applet is not installed');

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

t.test('busybox ping drives the path probe: alive, then dead after a cut', { skip: skip ?? false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mfm-bb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ping = join(dir, 'ping');
  symlinkSync((await runner.run('sh', ['-c', 'command -v busybox'])).stdout.trim(), ping);
  t.equal(await detectPingDialect(runner, ping), 'busybox', 'busybox ping is recognised');

  const bed = new NetnsBed('bb');
  t.teardown(() => bed.cleanup());
  const router = await bed.ns('r');
  const isp = await bed.ns('a');
  await bed.link(router, 'mfmxa', '10.72.1.2/30', isp, 'mfmx0', '10.72.1.1/30');
  await sh('ip', ['addr', 'add', '198.51.100.7/32', 'dev', 'lo'], isp);
  await sh('ip', ['route', 'add', 'default', 'via', '10.72.1.1', 'table', '111'], router);
  await sh('ip', ['rule', 'add', 'from', '10.72.1.2', 'lookup', '111', 'priority', '1011'], router);

  const clock = new SystemClock();
  const changes: boolean[] = [];
  const probe = new PathProbe(
    { spawner: new ChildProcessSpawner(), clock, logger: new MemoryLogger() },
    {
      modem: 'mfm-bb',
      targets: ['198.51.100.7'],
      intervalMs: 500,
      source: '10.72.1.2',
      dialect: 'busybox',
      program: ping,
      netns: router,
      shortWindowMs: 3000,
      longWindowMs: 30_000,
      onAliveChange: (alive) => changes.push(alive),
    },
  );
  t.teardown(() => probe.stop());
  probe.start();
  await sleep(2600);
  const up = probe.stats();
  t.equal(up.alive, true, 'the path answers');
  t.ok(up.short.samples >= 3, `half-second probes from busybox (${up.short.samples} samples)`);
  t.equal(up.short.lossPct, 0);

  await nftDropEcho(isp, 100);
  t.teardown(() => nftClear(isp));
  await sleep(2500);
  t.equal(probe.stats().alive, false, 'reported dead after the cut');
  t.ok(changes.includes(false));
});
