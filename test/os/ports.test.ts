import t from 'tap';
import { ManualClock } from '../../src/os/clock.js';
import { RecordingRunner } from '../../src/os/recording-runner.js';
import { ExecFileRunner } from '../../src/os/exec-runner.js';
import { MemoryLogger, LineLogger } from '../../src/os/logger.js';

t.test('ManualClock fires timers in due order while advancing', async (t) => {
  const clock = new ManualClock(1000);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b@30'), 30);
  clock.setTimeout(() => {
    fired.push('a@10');
    clock.setTimeout(() => fired.push('c@15'), 5);
  }, 10);
  const cancelled = clock.setTimeout(() => fired.push('never'), 20);
  clock.clearTimeout(cancelled);
  clock.advance(25);
  t.same(fired, ['a@10', 'c@15']);
  t.equal(clock.now(), 1025);
  clock.advance(10);
  t.same(fired, ['a@10', 'c@15', 'b@30']);
  t.equal(clock.monotonicMs(), 35);
  t.equal(clock.pendingTimers(), 0);
});

t.test('RecordingRunner records and answers from its script', async (t) => {
  const r = new RecordingRunner().on('nft list', { stdout: 'table inet modemflow' }).on((c) => c.program === 'ip', { code: 2, stderr: 'bad' });
  const a = await r.run('nft', ['list', 'ruleset']);
  const b = await r.run('ip', ['rule', 'add'], { input: 'x' });
  const c = await r.run('true', []);
  t.equal(a.stdout, 'table inet modemflow');
  t.equal(b.code, 2);
  t.equal(c.code, 0);
  t.same(r.lines(), ['nft list ruleset', 'ip rule add', 'true']);
  t.equal(r.log[1]!.input, 'x');
});

t.test('ExecFileRunner runs argument arrays without a shell', async (t) => {
  const r = new ExecFileRunner();
  const echo = await r.run('printf', ['%s|', 'a b', '$HOME;`x`']);
  t.equal(echo.stdout, 'a b|$HOME;`x`|', 'arguments reach the program verbatim');
  const cat = await r.run('cat', [], { input: 'stdin text' });
  t.equal(cat.stdout, 'stdin text');
  const fail = await r.run('sh', ['-c', 'exit 3']);
  t.equal(fail.code, 3);
  const missing = await r.run('/nonexistent/program', []);
  t.equal(missing.code, 127);
  const slow = await r.run('sleep', ['5'], { timeoutMs: 100 });
  t.equal(slow.timedOut, true);
  t.equal(slow.code, null);
});

t.test('loggers write one line per event with fields', async (t) => {
  const lines: string[] = [];
  const log = new LineLogger((l) => lines.push(l), 'info');
  log.info('modem up', { modem: 'wwan0', rttMs: 42, note: 'has space' });
  log.debug('hidden');
  t.same(lines, ['info modem up modem=wwan0 rttMs=42 note="has space"']);
  const mem = new MemoryLogger();
  mem.warn('w', { flow: 'f1' });
  t.same(mem.at('warn'), [{ level: 'warn', msg: 'w', fields: { flow: 'f1' } }]);
});
