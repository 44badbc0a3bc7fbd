// `modemflow probe`, in-process: argument checks, and a real run over loopback.
import t from 'tap';
import { probeCommand } from '../../src/cli/probe-command.js';
import type { CliIo } from '../../src/cli/io.js';

function io(): CliIo & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    stdout: (s: string) => void (o.out += s),
    stderr: (s: string) => void (o.err += s),
    readStdin: async () => '',
    env: {},
  };
  return o;
}

t.test('bad arguments are refused before anything runs', async (t) => {
  for (const [argv, pattern] of [
    [['1.1.1.1'], /--source/],
    [['--source', 'wan', '1.1.1.1'], /--source/],
    [['--source', '10.0.0.2'], /at least one TARGET/],
    [['--source', '10.0.0.2', 'example.com'], /not an IP address/],
    [['--source', '10.0.0.2', '--interval', '0.2', '1.1.1.1'], /at least 0.5/],
    [['--source', '10.0.0.2', '--bogus', '1.1.1.1'], /unknown option/],
  ] as Array<[string[], RegExp]>) {
    const c = io();
    t.equal(await probeCommand(argv, c), 2, argv.join(' '));
    t.match(c.err, pattern);
  }
  const h = io();
  t.equal(await probeCommand(['--help'], h), 0);
  t.match(h.out, /usage: modemflow probe/);
});

t.test('probes loopback for two seconds', { skip: process.env['MODEMFLOW_SKIP_ROOT'] === '1' ? 'MODEMFLOW_SKIP_ROOT=1 (needs ping)' : false }, async (t) => {
  const c = io();
  const code = await probeCommand(['--source', '127.0.0.1', '--duration', '2', '127.0.0.1'], c);
  t.equal(code, 0, c.err);
  const lines = c.out.trim().split('\n');
  t.equal(lines.length, 2, 'one line per second');
  t.match(lines.at(-1), /^alive short rtt [\d.]+ms jitter/);
});
