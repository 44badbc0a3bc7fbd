// `modemflow ubus` and `modemflow ubusd` run in-process against a broker.
import t from 'tap';
import { join } from 'node:path';
import { runUbusCli } from '../../src/cli/ubus-command.js';
import { runUbusdCli } from '../../src/cli/ubusd-command.js';
import type { CliIo } from '../../src/cli/io.js';
import { typed, UbusClient } from '../../src/ubus/index.js';
import { ubusBed, waitFor } from './bed.js';

function memIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (s: string) => void (io.out += s),
    stderr: (s: string) => void (io.err += s),
    readStdin: async () => '',
    env: {},
  };
  return io;
}

async function run(argv: string[], signal?: AbortSignal): Promise<{ code: number; out: string; err: string }> {
  const io = memIo();
  const code = await runUbusCli(argv, io, { signal });
  return { code, out: io.out, err: io.err };
}

t.test('list, call, send and listen print what ubus prints', async (t) => {
  const bed = await ubusBed(t);
  const srv = await bed.client();
  const obj = await srv.addObject({
    path: 'mf.cli',
    methods: {
      echo: { args: { name: 'string', n: 'int32', on: 'bool' }, handler: (a) => ({ got: a, t: {}, d: typed('double', 2) }) },
      wait: { handler: () => new Promise(() => undefined) },
    },
  });
  const s = ['-s', bed.socketPath];

  t.same(await run([...s, 'list']), { code: 0, out: 'mf.cli\n', err: '' });
  const v = await run([...s, '-v', 'list', 'mf.*']);
  t.equal(v.out, `'mf.cli' @${obj.objectId.toString(16).padStart(8, '0')}\n\t"echo":{"name":"String","n":"Integer","on":"Boolean"}\n\t"wait":{}\n`);

  const c = await run([...s, 'call', 'mf.cli', 'echo', '{"name":"wan","n":2}']);
  t.equal(c.code, 0);
  t.equal(c.out, '{\n\t"got": {\n\t\t"name": "wan",\n\t\t"n": 2\n\t},\n\t"t": {\n\t\t\n\t},\n\t"d": 2.000000\n}\n');
  t.equal((await run([...s, '-S', 'call', 'mf.cli', 'echo'])).out, '{"got":{},"t":{},"d":2.000000}\n', '-S: compact');

  t.same(await run([...s, 'call', 'mf.none', 'x']), { code: 4, out: '', err: 'Command failed: Not found\n' });
  t.same(await run([...s, 'call', 'mf.cli', 'nope']), { code: 3, out: '', err: 'Command failed: Method not found\n' });
  t.same(await run([...s, 'call', 'mf.cli', 'echo', '{"n":"x"}']), { code: 2, out: '', err: 'Command failed: Invalid argument\n' });
  t.same(await run([...s, 'call', 'mf.cli', 'echo', '{bad']), { code: 255, out: '', err: 'Failed to parse message data\n' });
  t.same(await run([...s, '-t', '1', 'call', 'mf.cli', 'wait']), { code: 7, out: '', err: 'Command failed: Request timed out\n' });
  const u = await run([...s, 'call', 'mf.cli']);
  t.equal(u.code, 254, 'missing method: usage, -2');
  t.match(u.err, /^Usage: /);
  t.equal((await run([...s])).code, 1, 'no command');
  t.equal((await run(['-x', 'list'])).code, 1, 'unknown option');
  t.same(await run(['-s', join(bed.dir, 'nothing.sock'), 'list']), { code: 255, out: '', err: 'Failed to connect to ubus\n' });

  const ac = new AbortController();
  const lio = memIo();
  const listening = runUbusCli([...s, 'listen', 'mf.*', 'other'], lio, { signal: ac.signal });
  // listen registers after connecting: send until it hears (each send is a full ubus send).
  for (let i = 0; i < 100 && lio.out === ''; i++) {
    t.same(await run([...s, 'send', 'mf.up', '{"iface":"wwan0","up":true}']), { code: 0, out: '', err: '' });
    await new Promise((r) => setTimeout(r, 10));
  }
  ac.abort();
  t.equal(await listening, 0);
  t.match(lio.out, /^(\{ "mf\.up": \{"iface":"wwan0","up":true\} \}\n)+$/, 'one compact line per event');
  t.same((await run([...s, 'send', 'ubus.x'])).code, 6, 'ubus.* events are reserved: PERMISSION_DENIED');
});

t.test('ubusd runs a broker until aborted', async (t) => {
  const bed = await ubusBed(t);
  const socketPath = join(bed.dir, 'own.sock');
  const ac = new AbortController();
  const io = memIo();
  const done = runUbusdCli(['-s', socketPath], io, { signal: ac.signal });
  const c = new UbusClient({ socketPath, reconnect: false });
  t.teardown(() => c.close());
  await waitFor(() => io.err.includes('listening'), 'broker start');
  await c.connect();
  t.same(await c.lookup(), []);
  ac.abort();
  t.equal(await done, 0);
  t.match(io.err, /info ubus broker listening socket=/);
  t.equal((await runUbusdCli(['--bogus'], memIo())), 1);
});
