// Ping output of both dialects, window statistics, and the probe schedule
// (loss and dead-path timing) under a ManualClock with a scripted spawner.
import t from 'tap';
import { parsePingLine, pingArgs, isIpLiteral, detectPingDialect } from '../../src/metrics/probe/ping-output.js';
import { windowStats } from '../../src/metrics/probe/path-window.js';
import { PathProbe } from '../../src/metrics/probe/path-probe.js';
import { ManualClock } from '../../src/os/clock.js';
import { MemoryLogger } from '../../src/os/logger.js';
import { RecordingRunner } from '../../src/os/recording-runner.js';
import type { ProcessSpawner, SpawnHandlers, SpawnedProcess } from '../../src/model/ports.js';

/** A ProcessSpawner whose children the test drives: it prints their lines and ends them. */
class ScriptedSpawner implements ProcessSpawner {
  readonly children: Array<{ program: string; args: string[]; handlers: SpawnHandlers; killed: boolean; netns?: string }> = [];
  spawn(program: string, args: readonly string[], handlers: SpawnHandlers, options: { netns?: string } = {}): SpawnedProcess {
    const child = { program, args: [...args], handlers, killed: false, ...(options.netns ? { netns: options.netns } : {}) };
    this.children.push(child);
    return {
      pid: 1000 + this.children.length,
      kill: () => {
        child.killed = true;
      },
    };
  }
}

t.test('ping lines of busybox and iputils', async (t) => {
  t.same(parsePingLine('64 bytes from 1.1.1.1: seq=0 ttl=57 time=12.345 ms'), { kind: 'reply', seq: 0, rttMs: 12.345, duplicate: false });
  t.same(parsePingLine('64 bytes from 1.1.1.1: icmp_seq=3 ttl=57 time=9.87 ms'), { kind: 'reply', seq: 3, rttMs: 9.87, duplicate: false });
  t.same(parsePingLine('64 bytes from 1.1.1.1: seq=4 ttl=57 time=10.000 ms (DUP!)'), { kind: 'reply', seq: 4, rttMs: 10, duplicate: true });
  t.same(parsePingLine('From 10.0.0.1 icmp_seq=7 Destination Host Unreachable'), { kind: 'error', seq: 7, text: 'Destination Host Unreachable' });
  t.equal(parsePingLine('PING 1.1.1.1 (1.1.1.1) from 10.0.0.2 : 56(84) bytes of data.'), null);
  t.equal(parsePingLine('PING 1.1.1.1 (1.1.1.1): 56 data bytes'), null);
  t.equal(parsePingLine('3 packets transmitted, 3 packets received, 0% packet loss'), null);
  t.equal(parsePingLine(''), null);
  t.same(pingArgs('busybox', '10.0.0.2', '1.1.1.1', 500), ['-i', '0.5', '-I', '10.0.0.2', '1.1.1.1']);
  t.same(pingArgs('iputils', '10.0.0.2', '1.1.1.1', 1000), ['-n', '-i', '1', '-I', '10.0.0.2', '1.1.1.1']);
  t.ok(isIpLiteral('192.0.2.1') && isIpLiteral('2001:db8::1'));
  t.notOk(isIpLiteral('-f') || isIpLiteral('example.com') || isIpLiteral('1.2.3.256') || isIpLiteral('1.1.1.1; reboot'));
  t.equal(await detectPingDialect(new RecordingRunner().on('ping -V', { stdout: 'ping from iputils 20221126\n' })), 'iputils');
  t.equal(await detectPingDialect(new RecordingRunner().on('ping -V', { code: 1, stderr: "ping: invalid option -- 'V'\nBusyBox v1.36.1" })), 'busybox');
});

t.test('window statistics: mean RTT, jitter per target, loss', async (t) => {
  const w = windowStats([
    { target: 'a', seq: 0, sentMono: 0, rttMs: 40 },
    { target: 'b', seq: 0, sentMono: 0, rttMs: 100 },
    { target: 'a', seq: 1, sentMono: 500, rttMs: 50 },
    { target: 'b', seq: 1, sentMono: 500, rttMs: null },
    { target: 'a', seq: 2, sentMono: 1000, rttMs: 30 },
  ]);
  t.same(w, { rttMs: 55, jitterMs: 15, lossPct: 20, samples: 5 }, 'jitter |50-40|,|30-50| on a only; b has one answer');
  t.same(windowStats([]), { rttMs: null, jitterMs: null, lossPct: null, samples: 0 });
});

t.test('probe schedule: replies, lost probes, dead within 3 intervals, restart', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const logger = new MemoryLogger();
  const spawner = new ScriptedSpawner();
  const changes: Array<{ alive: boolean; atMs: number }> = [];
  const probe = new PathProbe(
    { spawner, clock, logger },
    { modem: 'm1', targets: ['192.0.2.1'], intervalMs: 500, source: '10.0.0.2', dialect: 'busybox', onAliveChange: (alive, atMs) => changes.push({ alive, atMs }) },
  );
  probe.start();
  t.equal(spawner.children.length, 1);
  t.same(spawner.children[0]!.args, ['-i', '0.5', '-I', '10.0.0.2', '192.0.2.1']);
  const child = spawner.children[0]!;
  const reply = (seq: number, rtt: number): void => child.handlers.onLine(`64 bytes from 192.0.2.1: seq=${seq} ttl=60 time=${rtt.toFixed(3)} ms`);
  // 10 probes answered with 20 ms RTT: each reply arrives 20 ms after its send time.
  for (let seq = 0; seq < 10; seq++) {
    clock.advance(seq === 0 ? 20 : 500);
    reply(seq, 20);
  }
  let s = probe.stats();
  t.equal(s.alive, true);
  t.equal(s.short.rttMs, 20);
  t.equal(s.short.lossPct, 0);
  t.same(changes.map((c) => c.alive), [true]);
  // Probe 10 is lost, 11 answered: loss shows once probe 10 is overdue (> 1000 ms).
  clock.advance(500 + 500);
  reply(11, 20);
  clock.advance(600);
  s = probe.stats();
  t.equal(s.long.samples, 12);
  t.equal(s.long.lossPct, Math.round((100 * 1) / 12 * 100) / 100);
  // The path stops answering right after reply 11 (at t11 + 20 ms).
  const lastReplyAt = clock.now() - 600;
  for (let i = 0; i < 12; i++) clock.advance(125);
  const dead = changes.find((c) => !c.alive);
  t.ok(dead, 'reported dead');
  const silentMs = dead!.atMs - lastReplyAt;
  t.ok(silentMs <= 1500, `dead ${silentMs} ms after the last reply (<= 3 x 500 ms)`);
  t.ok(silentMs >= 1250, 'not before 2.5 intervals of silence');
  t.equal(probe.stats().alive, false);
  t.match(logger.at('warn').map((e) => e.msg), ['path dead: no probe answered']);
  // ping exits (address gone): it is restarted after a back-off.
  child.handlers.onStderr?.('ping: bind: Cannot assign requested address');
  child.handlers.onExit(1, null);
  t.equal(logger.at('warn').at(-1)!.fields['reason'], 'ping: bind: Cannot assign requested address');
  clock.advance(600);
  t.equal(spawner.children.length, 2, 'restarted');
  spawner.children[1]!.handlers.onLine('64 bytes from 192.0.2.1: seq=0 ttl=60 time=25.000 ms');
  t.equal(probe.stats().alive, true);
  probe.stop();
  t.equal(spawner.children[1]!.killed, true);
  t.equal(clock.pendingTimers(), 0, 'stop clears every timer');
  clock.advance(5000);
  t.equal(spawner.children.length, 2, 'nothing respawns after stop');
});

t.test('late reply corrects a probe counted lost; duplicates are ignored; two targets', async (t) => {
  const clock = new ManualClock();
  const spawner = new ScriptedSpawner();
  const probe = new PathProbe(
    { spawner, clock, logger: new MemoryLogger() },
    { modem: 'm', targets: ['192.0.2.1', '192.0.2.2'], intervalMs: 500, source: '10.0.0.2', dialect: 'iputils', lossAfterMs: 1000 },
  );
  probe.start();
  const [a, b] = spawner.children;
  t.same(a!.args.slice(0, 1), ['-n']);
  clock.advance(10);
  a!.handlers.onLine('64 bytes from 192.0.2.1: icmp_seq=1 ttl=60 time=10.0 ms');
  b!.handlers.onLine('64 bytes from 192.0.2.2: icmp_seq=1 ttl=60 time=10.0 ms');
  b!.handlers.onLine('64 bytes from 192.0.2.2: icmp_seq=1 ttl=60 time=10.0 ms (DUP!)');
  clock.advance(1500); // a's probe 2 (sent at 500) is overdue at 1500
  t.equal(probe.stats().long.lossPct, 50, 'seq 2 of both targets counted lost');
  a!.handlers.onLine('64 bytes from 192.0.2.1: icmp_seq=2 ttl=60 time=1005.0 ms');
  const s = probe.stats();
  t.equal(s.long.lossPct, 25, 'the late reply turns one loss back into an answer');
  t.equal(s.alive, true);
  probe.stop();
});

t.test('probe options are validated', async (t) => {
  const deps = { spawner: new ScriptedSpawner(), clock: new ManualClock(), logger: new MemoryLogger() };
  t.throws(() => new PathProbe(deps, { modem: 'm', targets: ['1.1.1.1'], intervalMs: 200, source: '10.0.0.1', dialect: 'busybox' }), RangeError);
  t.throws(() => new PathProbe(deps, { modem: 'm', targets: ['-f'], intervalMs: 500, source: '10.0.0.1', dialect: 'busybox' }), /not an IP address/);
  t.throws(() => new PathProbe(deps, { modem: 'm', targets: ['2001:db8::1'], intervalMs: 500, source: '10.0.0.1', dialect: 'busybox' }), /family/);
});
