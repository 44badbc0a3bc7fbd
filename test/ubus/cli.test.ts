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

async function run(argv: string[], signal?: AbortSignal, stderrIsTty = false): Promise<{ code: number; out: string; err: string }> {
  const io = memIo();
  const code = await runUbusCli(argv, io, { signal, stderrIsTty });
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
      broken: { handler: () => { throw new Error('bug'); } },
    },
  });
  const s = ['-s', bed.socketPath];

  t.same(await run([...s, 'list']), { code: 0, out: 'mf.cli\n', err: '' });
  const v = await run([...s, '-v', 'list', 'mf.*']);
  t.equal(v.out, `'mf.cli' @${obj.objectId.toString(16).padStart(8, '0')}\n\t"echo":{"name":"String","n":"Integer","on":"Boolean"}\n\t"wait":{}\n\t"broken":{}\n`);

  const c = await run([...s, 'call', 'mf.cli', 'echo', '{"name":"wan","n":2}']);
  t.equal(c.code, 0);
  t.equal(c.out, '{\n\t"got": {\n\t\t"name": "wan",\n\t\t"n": 2\n\t},\n\t"t": {\n\t\t\n\t},\n\t"d": 2.000000\n}\n');
  t.equal((await run([...s, '-S', 'call', 'mf.cli', 'echo'])).out, '{"got":{},"t":{},"d":2.000000}\n', '-S: compact');

  // cli.c: a failed invoke goes through ubus_cli_error: "-status" for scripts (stderr not a terminal).
  t.same(await run([...s, 'call', 'mf.none', 'x']), { code: 4, out: '', err: 'Command failed: Not found\n' }, 'a failed lookup returns the status');
  t.same(await run([...s, 'call', 'mf.cli', 'nope']), { code: 253, out: '', err: 'Command failed: ubus call mf.cli nope (Method not found)\n' });
  t.same(await run([...s, 'call', 'mf.cli', 'broken']), { code: 247, out: '', err: 'Command failed: ubus call mf.cli broken (Unknown error)\n' });
  const inval = await run([...s, 'call', 'mf.cli', 'echo', '{"n":"x"}']);
  t.equal(inval.code, 254, 'INVALID_ARGUMENT: 256 - 2');
  t.match(inval.err, /^Command failed: ubus call mf\.cli echo \{"n":"x"\} \(Invalid argument\)\nUsage: /, '-2 also prints the usage, as cli.c does');
  t.same(await run([...s, 'call', 'mf.cli', 'echo', '{bad']), { code: 244, out: '', err: 'Command failed: ubus call mf.cli echo {bad (Parsing message data failed)\n' });
  t.same(await run([...s, '-t', '1', 'call', 'mf.cli', 'wait']), { code: 249, out: '', err: 'Command failed: ubus call mf.cli wait (Request timed out)\n' });
  t.same(await run([...s, 'call', 'mf.cli', 'nope'], undefined, true), { code: 3, out: '', err: 'Command failed: Method not found\n' }, 'stderr a terminal: the status');
  t.same(await run([...s, '-S', 'call', 'mf.cli', 'nope']), { code: 3, out: '', err: '' }, '-S: the status, silently');
  t.same(await run([...s, 'send', 'mf.x', '{bad']), { code: 12, out: '', err: 'Command failed: Parsing message data failed\n' });
  t.same(await run([...s, 'list', 'mf.none']), { code: 4, out: '', err: 'Command failed: Not found\n' });
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

t.test('wait_for: objects already there, one that comes later, and a timeout', async (t) => {
  const bed = await ubusBed(t);
  const s = ['-s', bed.socketPath];
  const srv = await bed.client();
  await srv.addObject({ path: 'network', methods: {} });
  t.same(await run([...s, 'wait_for', 'network']), { code: 0, out: '', err: '' });
  const later = run([...s, '-t', '10', 'wait_for', 'network', 'network.interface']);
  // wait_for registers for ubus.object.add before it lists: wait until it is listening.
  await waitFor(() => bed.broker.stats.eventPatterns > 0, 'wait_for listening');
  await srv.addObject({ path: 'network.interface', methods: {} });
  t.same(await later, { code: 0, out: '', err: '' }, 'ends when the last object appears');
  t.same(await run([...s, '-t', '1', 'wait_for', 'network', 'nope']), { code: 7, out: '', err: 'Command failed: Request timed out\n' }, 'UBUS_STATUS_TIMEOUT, returned as is');
  t.same(await run([...s, '-t', '0', 'wait_for', 'nope']), { code: 7, out: '', err: 'Command failed: Request timed out\n' }, '-t 0 checks once');
  t.equal((await run([...s, 'wait_for'])).code, 254, 'no object: usage');
});

t.test('listen and subscribe end after -t seconds', async (t) => {
  const bed = await ubusBed(t);
  const s = ['-s', bed.socketPath];
  t.same(await run([...s, '-t', '1', 'listen', 'x']), { code: 0, out: '', err: '' });
  const srv = await bed.client();
  const obj = await srv.addObject({ path: 'mf.sub', methods: {} });
  const sub = run([...s, '-t', '2', 'subscribe', 'mf.sub']);
  await waitFor(() => obj.hasSubscribers, 'subscriber');
  obj.notify('ping', { n: 1 });
  t.same(await sub, { code: 0, out: '{ "ping": {"n":1} }\n', err: '' });
  t.same(await run([...s, 'subscribe', 'mf.none']), { code: 255, out: '', err: "Error while registering for event 'mf.none': Not found\n" });
  t.same(await run([...s, 'subscribe']), { code: 255, out: '', err: 'You need to specify an object to subscribe to\n' });
});

t.test('monitor prints what ubusd receives and sends, as ubus monitor does', async (t) => {
  const bed = await ubusBed(t);
  const s = ['-s', bed.socketPath];
  const srv = await bed.client();
  const obj = await srv.addObject({ path: 'mf.mon', methods: { echo: { handler: (a) => a } } });
  const cli = await bed.client();
  const ac = new AbortController();
  const all = memIo();
  const sentOnly = memIo();
  const started = (): number => all.out.split('\n').filter((l) => l.includes(' #00000003         status: {"status":0}')).length;
  const mAll = runUbusCli([...s, 'monitor'], all, { signal: ac.signal });
  await waitFor(() => started() === 1, 'first monitor started');
  const mInvoke = runUbusCli([...s, '-m', 'invoke', '-M', 't', 'monitor'], sentOnly, { signal: ac.signal });
  await waitFor(() => started() === 2, 'second monitor started');
  await cli.call('mf.mon', 'echo', { name: 'wan' });
  await waitFor(() => all.out.includes(' data: {"objid"') && sentOnly.out.includes('invoke'), 'the call monitored');
  ac.abort();
  t.equal(await mAll, 0);
  t.equal(await mInvoke, 0);
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  const id = obj.objectId | 0;
  const lines = all.out.split('\n');
  t.ok(lines.includes(`<- ${hex(cli.localId)} #${hex(obj.objectId)}         invoke: {"objid":${id},"method":"echo","data":{"name":"wan"}}`), 'the call as received');
  t.ok(lines.includes(`-> ${hex(srv.localId)} #${hex(cli.localId)}         invoke: {"objid":${id},"method":"echo","data":{"name":"wan"}}`), 'forwarded to the object');
  t.ok(lines.includes(`-> ${hex(cli.localId)} #${hex(obj.objectId)}           data: {"objid":${id},"data":{"name":"wan"}}`), 'the reply to the caller');
  t.match(sentOnly.out, /^-> [0-9a-f]{8} #[0-9a-f]{8}         invoke: \{"objid":-?\d+,"method":"echo","data":\{"name":"wan"\}\}\n$/, '-m invoke -M t: only what ubusd sent, only invokes');
  t.ok(lines.some((l) => /^<- [0-9a-f]{8} #00000003         invoke: \{"objid":3,"method":"add","data":\{\}\}$/.test(l)), 'the monitor start itself');
});
