import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowGroup } from '../../src/model/flow-group.js';
import { ManualClock } from '../../src/os/clock.js';
import { MemoryLogger } from '../../src/os/logger.js';
import { RecordingRunner } from '../../src/os/recording-runner.js';
import { FsSysfsReader } from '../../src/os/sysfs.js';
import { FlowTracker } from '../../src/flows/flow-tracker.js';
import type { FlowTrackerOptions } from '../../src/flows/tracker-options.js';
import { ctLine, ScriptedSpawner, settle } from './helpers.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

const BASE: FlowTrackerOptions = {
  source: 'conntrack',
  events: true,
  netns: 'mff-unit',
  pollIntervalMs: 2000,
  lanPrefixes: ['192.168.1.0/24', 'fd00:1::/64'],
  classes: [],
};

function rig(acct: string, listing: () => string, options: Partial<FlowTrackerOptions> = {}) {
  const runner = new RecordingRunner()
    .on('sysctl -n', { stdout: `${acct}\n` })
    .on('sysctl -w', { stdout: 'net.netfilter.nf_conntrack_acct = 1\n' })
    .on('conntrack -L', () => ({ stdout: listing(), stderr: 'conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n' }));
  const spawner = new ScriptedSpawner();
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const seen: FlowGroup[][] = [];
  const tracker = new FlowTracker({ runner, spawner, clock, logger, onGroups: (g) => seen.push(g) }, { ...BASE, ...options });
  return { runner, spawner, clock, logger, seen, tracker };
}

t.test('start: turns accounting on, polls, follows events, regroups on the clock', async (t) => {
  let down = 0;
  const r = rig('0', () => ctLine({ src: '192.168.1.20', dst: '203.0.113.1', sport: 40001, upBytes: 1000, downBytes: (down += 250_000), id: 9 }));
  t.same(r.runner.log, [], 'the constructor runs nothing');
  const started = await r.tracker.start();
  t.ok(started.ok);
  t.same(r.runner.lines().slice(0, 3), ['sysctl -n net.netfilter.nf_conntrack_acct', 'sysctl -w net.netfilter.nf_conntrack_acct=1', 'conntrack -L -o extended,id']);
  t.ok(r.runner.log.every((c) => c.netns === 'mff-unit'), 'every command in the namespace');
  t.equal(r.logger.at('info')[0]!.msg, 'turned on conntrack accounting');
  const ev = r.spawner.latest();
  t.same([ev.program, ev.args, ev.netns], ['conntrack', ['-E', '-o', 'extended,id', '-e', 'NEW,DESTROY'], 'mff-unit']);
  t.equal(r.seen.length, 1);
  t.equal(r.seen[0]![0]!.id, 'h:192.168.1.20:web');

  for (let i = 0; i < 6; i++) {
    r.clock.advance(2000);
    await settle();
  }
  t.equal(r.runner.lines().filter((l) => l.startsWith('conntrack -L')).length, 7, 'one poll every 2 s');
  const g = r.tracker.groups()[0]!;
  t.equal(g.measured, true);
  t.equal(g.downKbps, 1000, '250 000 bytes per 2 s');

  // An event adds a connection between polls.
  ev.handlers.onLine(`    [NEW] ${ctLine({ proto: 'udp', src: '192.168.1.21', dst: '203.0.113.5', dport: 3478, id: 10 })}`);
  t.ok(r.tracker.connections().some((c) => c.className === 'realtime-media'));
  ev.handlers.onLine('    [NEW] ipv4 2 tcp 6 garbage');
  ev.handlers.onLine('conntrack v1.4.7 (conntrack-tools): 2 flow events have been shown.');
  const st = r.tracker.status();
  t.same([st.events, st.skippedLines, st.accounting, st.eventsRunning, st.source], [1, 1, 'on', true, 'conntrack -L']);

  // ENOBUFS: events were lost; a poll catches up at once.
  const before = r.runner.log.length;
  ev.handlers.onStderr!('WARNING: We have hit ENOBUFS! We are losing events.');
  await settle();
  t.equal(r.runner.log.length, before + 1);
  t.equal(r.tracker.status().lostEventBursts, 1);

  r.tracker.stop();
  t.equal(ev.killed, 'SIGTERM', 'stop ends conntrack -E');
  const after = r.runner.log.length;
  r.clock.advance(10_000);
  await settle();
  t.equal(r.runner.log.length, after, 'no poll after stop');
  t.equal(r.clock.pendingTimers(), 0, 'no timer left');
});

t.test('conntrack -E exits: restarted with back-off; a missing binary leaves polling only', async (t) => {
  const r = rig('1', () => '');
  await r.tracker.start();
  t.equal(r.runner.lines().some((l) => l.startsWith('sysctl -w')), false, 'already on: not set again');
  r.spawner.exit(1);
  t.equal(r.tracker.status().eventsRunning, false);
  r.clock.advance(999);
  t.equal(r.spawner.spawned.length, 1);
  r.clock.advance(1);
  t.equal(r.spawner.spawned.length, 2, 'restarted after 1 s');
  r.spawner.exit(1);
  r.clock.advance(1999);
  t.equal(r.spawner.spawned.length, 2);
  r.clock.advance(1);
  t.equal(r.spawner.spawned.length, 3, 'then after 2 s');
  r.spawner.exit(127);
  r.clock.advance(60_000);
  await settle();
  t.equal(r.spawner.spawned.length, 3, 'not found: not restarted');
  t.match(r.logger.at('error')[0]!.msg, /conntrack not found/);
  r.tracker.stop();
});

t.test('accounting that cannot be turned on, and a failing listing, are reported', async (t) => {
  let fail = true;
  const r = rig('0', () => '');
  r.runner.on('sysctl -w', { code: 255, stderr: 'sysctl: permission denied on key "net.netfilter.nf_conntrack_acct"' });
  r.runner.on('conntrack -L', () => (fail ? { code: 1, stderr: 'conntrack v1.4.7 (conntrack-tools): Operation not permitted' } : { stdout: '' }));
  await r.tracker.start();
  const st = r.tracker.status();
  t.equal(st.accounting, 'off');
  t.match(st.accountingProblem, /could not set net\.netfilter\.nf_conntrack_acct=1 \(exit 255\).*permission denied.*class defaults/);
  t.equal(st.lastPollOk, false);
  t.match(st.lastError, /conntrack -L failed \(exit 1\): .*Operation not permitted/);
  r.clock.advance(2000);
  await settle();
  t.equal(r.logger.at('warn').filter((e) => e.msg === 'conntrack listing failed').length, 1, 'warned once, not every poll');
  fail = false;
  r.clock.advance(2000);
  await settle();
  t.equal(r.tracker.status().lastPollOk, true);
  t.ok(r.logger.at('info').some((e) => e.msg === 'conntrack listing works again'));
  r.tracker.stop();
});

t.test('malformed listing lines: skipped, counted, one warning per poll', async (t) => {
  const r = rig('1', () => `${fixture('list-extended-id-acct.txt')}this is not conntrack\nipv4 2 tcp 6 1 src=1.2.3.4\n`, { events: false });
  await r.tracker.start();
  t.equal(r.spawner.spawned.length, 0, 'events off: nothing spawned');
  t.equal(r.tracker.status().skippedLines, 2);
  t.equal(r.tracker.status().connections, 6);
  const w = r.logger.at('warn').find((e) => e.msg === 'skipped malformed conntrack lines')!;
  t.same([w.fields.count, w.fields.line], [2, 8]);
  r.tracker.stop();
});

t.test('bad options are refused before anything runs', async (t) => {
  const r = rig('1', () => '', { lanPrefixes: ['192.168.1.0/99'], markMask: 0xff, netns: 'bad name;rm', pollIntervalMs: 5 });
  const res = await r.tracker.start();
  t.notOk(res.ok);
  if (!res.ok) {
    t.match(res.errors.join('\n'), /LAN prefix '192\.168\.1\.0\/99'/);
    t.match(res.errors.join('\n'), /markMask 0xff/);
    t.match(res.errors.join('\n'), /netns 'bad name;rm'/);
    t.match(res.errors.join('\n'), /pollIntervalMs must be a number >= 100, got 5/);
  }
  t.same(r.runner.log, []);
  t.same(r.spawner.spawned, []);
  const p = rig('1', () => '', { source: 'procfs', events: true });
  const pr = await p.tracker.start();
  t.notOk(pr.ok, 'events need the conntrack tool');
});

t.test('procfs source through a SysfsReader; MAC rules read the neighbour table', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mff-procfs-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'proc/net'), { recursive: true });
  writeFileSync(
    join(root, 'proc/net/nf_conntrack'),
    // /proc prints IPv6 addresses with all 32 digits.
    ctLine({ src: 'fd00:0001:0000:0000:0000:0000:0000:0030', dst: '2001:0db8:0000:0000:0000:0000:0000:0001' }) + '\n',
  );
  const runner = new RecordingRunner()
    .on('sysctl -n', { stdout: '1\n' })
    .on('ip neigh show', { stdout: 'fd00:1::30 dev br-lan lladdr AA:BB:CC:DD:EE:30 REACHABLE\n192.168.1.9 dev br-lan  FAILED\n' });
  const clock = new ManualClock();
  const tracker = new FlowTracker(
    { runner, spawner: new ScriptedSpawner(), clock, logger: new MemoryLogger(), sysfs: new FsSysfsReader(root) },
    {
      ...BASE,
      netns: undefined,
      source: 'procfs',
      events: false,
      classes: [{ name: 'camera', dscp: [], proto: null, destPorts: [], srcPorts: [], srcIps: [], srcMacs: ['aa:bb:cc:dd:ee:30'], destIps: [], domains: [], qos: 'S', upKbps: 4000, downKbps: 50 }],
    },
  );
  t.ok((await tracker.start()).ok);
  t.same(runner.lines(), ['sysctl -n net.netfilter.nf_conntrack_acct', 'ip neigh show']);
  const [g] = tracker.groups();
  t.same([g!.id, g!.qos, g!.upKbps], ['h:fd00:1::30:camera', 'S', 4000]);
  t.equal(tracker.status().source, '/proc/net/nf_conntrack');
  tracker.stop();
});

t.test('a failing listener or an exception in a poll is logged and polling goes on', async (t) => {
  let calls = 0;
  const runner = new RecordingRunner().on('sysctl -n', { stdout: '1\n' }).on('conntrack -L', () => {
    calls++;
    if (calls === 1) throw new Error('runner exploded');
    return { stdout: ctLine({ src: '192.168.1.20', dst: '203.0.113.1' }) };
  });
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const tracker = new FlowTracker(
    {
      runner,
      spawner: new ScriptedSpawner(),
      clock,
      logger,
      onGroups: () => {
        throw new Error('listener exploded');
      },
    },
    { ...BASE, events: false },
  );
  t.ok((await tracker.start()).ok, 'start survives');
  t.same([tracker.status().lastPollOk, tracker.status().lastError], [false, 'runner exploded']);
  t.match(logger.at('error')[0]!, { msg: 'flow poll failed', fields: { error: 'runner exploded' } });
  clock.advance(2000);
  await settle();
  t.equal(tracker.status().lastPollOk, true, 'the next poll runs');
  t.equal(tracker.groups().length, 1);
  t.match(logger.at('error')[1]!, { msg: 'flow group listener failed', fields: { error: 'listener exploded' } });
  tracker.stop();
});
