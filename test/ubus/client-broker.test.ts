// Client, object server and broker together over a real unix socket.
import t from 'tap';
import { createConnection } from 'node:net';
import { typed, UbusError } from '../../src/ubus/index.js';
import type { UbusCaller } from '../../src/model/ports.js';
import { RecordingLogger, ubusBed, waitFor } from './bed.js';

t.test('call, lookup and signatures', async (t) => {
  const bed = await ubusBed(t);
  const srv = await bed.client();
  await srv.addObject({
    path: 'mf.test',
    methods: {
      echo: { args: { name: { type: 'string', required: true }, n: 'int32' }, handler: (a) => ({ got: a }) },
      nothing: { handler: () => undefined },
    },
  });
  const cli = await bed.client();
  const caller: UbusCaller = cli; // structurally the port the daemon needs
  t.same(await caller.call('mf.test', 'echo', { name: 'wan', n: 3 }), { got: { name: 'wan', n: 3 } });
  t.same(await cli.call('mf.test', 'nothing'), {}, 'no data: an empty object');
  const objs = await cli.lookup('mf.*');
  t.equal(objs.length, 1);
  t.equal(objs[0]!.path, 'mf.test');
  t.same(objs[0]!.signature, { echo: { name: 3, n: 5 }, nothing: {} }, 'argument types as blobmsg type ids');
  t.same((await cli.lookup()).map((o) => o.path), ['mf.test']);
  await t.rejects(cli.lookup('nope'), { code: 'NOT_FOUND' });
});

t.test('errors carry the status name', async (t) => {
  const bed = await ubusBed(t);
  const logger = new RecordingLogger();
  const srv = await bed.client({ logger });
  await srv.addObject({
    path: 'mf.err',
    methods: {
      typed: { args: { n: { type: 'int32', required: true } }, handler: (a) => ({ n: a.n }) },
      denied: { handler: () => { throw new UbusError('PERMISSION_DENIED', 'no'); } },
      broken: { handler: () => { throw new Error('bug'); } },
      big: { args: { n: 'int64', d: 'double' }, handler: (a) => ({ n: a.n, d: a.d }) },
      notObject: { handler: () => 'text' as unknown as Record<string, unknown> },
    },
  });
  const cli = await bed.client();
  await t.rejects(cli.call('mf.missing', 'x'), { code: 'NOT_FOUND', status: 4 });
  await t.rejects(cli.call('mf.err', 'nope'), { code: 'METHOD_NOT_FOUND' });
  await t.rejects(cli.call('mf.err', 'typed', { n: 'three' }), { code: 'INVALID_ARGUMENT' });
  await t.rejects(cli.call('mf.err', 'typed', {}), { code: 'INVALID_ARGUMENT' });
  const reasons = logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields.reason);
  t.same(reasons, ["argument 'n' must be int32, got string", "missing required argument 'n' (int32)"], 'each rejection logged with its reason');
  await t.rejects(cli.call('mf.err', 'denied'), { code: 'PERMISSION_DENIED' });
  await t.rejects(cli.call('mf.err', 'broken'), { code: 'UNKNOWN_ERROR' });
  t.ok(logger.lines.some((l) => l.level === 'error' && l.fields.reason === 'bug'), 'an unexpected throw is logged as an error');
  await t.rejects(cli.call('mf.err', 'notObject'), { code: 'UNKNOWN_ERROR' }, 'a reply must be an object');
  t.same(await cli.call('mf.err', 'big', { n: 5, d: 7 }), { n: 5, d: 7 }, 'int64/double policies take narrower integers');
  t.same(await cli.call('mf.err', 'big', { n: typed('int64', 2 ** 40), d: 0.5 }), { n: 2 ** 40, d: 0.5 });
  const e = await cli.call('mf.err', 'nope').catch((err: unknown) => err);
  t.ok(e instanceof UbusError);
  t.match((e as Error).message, /ubus call mf\.err nope: Method not found/);
});

t.test('timeouts and async replies', async (t) => {
  const bed = await ubusBed(t);
  const srv = await bed.client();
  const parked: (() => void)[] = [];
  await srv.addObject({
    path: 'mf.slow',
    methods: {
      never: { handler: () => new Promise(() => undefined) },
      later: { handler: () => new Promise((resolve) => parked.push(() => resolve({ late: true }))) },
      failLater: { handler: () => Promise.reject(new UbusError('NO_DATA', 'nothing')) },
    },
  });
  const cli = await bed.client();
  const err = await cli.call('mf.slow', 'never', {}, { timeoutMs: 50 }).catch((e: unknown) => e);
  t.match(err, { code: 'TIMEOUT' });
  t.match((err as Error).message, /ubus call mf\.slow never timed out after 50 ms/, 'the message says what was asked');
  const p = cli.call('mf.slow', 'later');
  await waitFor(() => parked.length === 1, 'handler to park');
  parked[0]!();
  t.same(await p, { late: true }, 'a reply that comes later');
  await t.rejects(cli.call('mf.slow', 'failLater'), { code: 'NO_DATA' }, 'an async failure replies its status');
});

t.test('200 concurrent calls are matched by seq', async (t) => {
  const bed = await ubusBed(t);
  const srv = await bed.client();
  await srv.addObject({
    path: 'mf.many',
    methods: { sq: { args: { i: 'int32' }, handler: async (a) => {
      await new Promise((r) => setTimeout(r, (a.i as number) % 7));
      return { i: a.i, sq: (a.i as number) ** 2 };
    } } },
  });
  const cli = await bed.client();
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => cli.call('mf.many', 'sq', { i })));
  t.ok(results.every((r, i) => r.i === i && r.sq === i * i), 'every reply went to its own call');
});

t.test('events: patterns, send, no loopback', async (t) => {
  const bed = await ubusBed(t);
  const a = await bed.client();
  const b = await bed.client();
  const gotA: [string, unknown][] = [];
  const gotB: [string, unknown][] = [];
  await a.listen('net.*', (type, data) => gotA.push([type, data]));
  await b.listen('net.up', (type, data) => gotB.push([type, data]));
  await b.listen('*', (type, data) => gotB.push([`all:${type}`, data]));
  await b.sendEvent('net.up', { iface: 'wwan0', up: true });
  await a.sendEvent('net.down', { iface: 'wwan1' });
  await waitFor(() => gotA.length === 1 && gotB.length === 1, 'events');
  t.same(gotA, [['net.up', { iface: 'wwan0', up: true }]]);
  t.same(gotB, [['all:net.down', { iface: 'wwan1' }]], 'once per listener object per event; the sender does not hear itself');
  await t.rejects(a.sendEvent('ubus.fake', {}), { code: 'PERMISSION_DENIED' });
});

t.test('subscribe and notify, across the target going away', async (t) => {
  const bed = await ubusBed(t);
  const srv = await bed.client();
  const subs: boolean[] = [];
  const def = { path: 'mf.src', methods: { ping: { handler: () => ({}) } }, onSubscribe: (active: boolean) => subs.push(active) };
  const obj = await srv.addObject(def);
  const cli = await bed.client();
  const got: [string, unknown][] = [];
  const sub = await cli.subscribe('mf.src', (type, data) => got.push([type, data]));
  t.ok(sub.active);
  await waitFor(() => obj.hasSubscribers, 'subscriber notice');
  obj.notify('changed', { v: 1 });
  await waitFor(() => got.length === 1, 'notification');
  t.same(got, [['changed', { v: 1 }]]);
  await obj.remove();
  await waitFor(() => !sub.active, 'unsubscribe on removal');
  const again = await srv.addObject(def);
  await waitFor(() => sub.active && again.hasSubscribers, 'resubscribe when it reappears');
  again.notify('changed', { v: 2 });
  await waitFor(() => got.length === 2, 'second notification');
  await sub.remove();
  await waitFor(() => !again.hasSubscribers, 'last subscriber gone');
  t.same(subs, [true, true, false]);
});

t.test('broker restart: calls in flight fail cleanly, everything comes back', async (t) => {
  const bed = await ubusBed(t);
  const reconnect = { initialDelayMs: 10, maxDelayMs: 100 };
  const srv = await bed.client({ reconnect });
  let hang = true;
  const svc = await srv.addObject({ path: 'mf.svc', methods: { get: { handler: () => (hang ? new Promise(() => undefined) : { ok: true }) } } });
  const cli = await bed.client({ reconnect });
  const events: string[] = [];
  await cli.listen('mf.*', (type) => events.push(type));
  const notes: string[] = [];
  const sub = await cli.subscribe('mf.svc', (type) => notes.push(type));
  const inFlight = Array.from({ length: 5 }, () => cli.call('mf.svc', 'get', {}, { timeoutMs: 60000 }).catch((e: unknown) => e));
  await new Promise((r) => setTimeout(r, 20));
  await bed.broker.stop();
  const failures = await Promise.all(inFlight);
  t.ok(failures.every((e) => e instanceof UbusError && e.code === 'CONNECTION_FAILED'), 'in-flight calls fail with CONNECTION_FAILED');
  await t.rejects(cli.call('mf.svc', 'get'), { code: 'CONNECTION_FAILED' }, 'calls while down fail at once');
  hang = false;
  await bed.broker.start();
  await waitFor(() => srv.connected && cli.connected, 'reconnect');
  await waitFor(() => bed.broker.clientCount === 2, 'both back');
  let reply: Record<string, unknown> = {};
  await waitFor(() => {
    cli.call('mf.svc', 'get').then((r) => (reply = r), () => undefined);
    return reply.ok === true;
  }, 'object re-registered');
  const extra = await bed.client();
  await extra.sendEvent('mf.back', {});
  await waitFor(() => events.includes('mf.back'), 'listener re-registered');
  const objs = await extra.lookup('mf.svc');
  t.equal(objs.length, 1);
  t.equal(objs[0]!.id, svc.objectId, 'the object has its new id');
  await waitFor(() => sub.active && svc.hasSubscribers, 'subscription restored');
  svc.notify('again', {});
  await waitFor(() => notes.includes('again'), 'notification after the restart');
  t.pass('object, listener and subscription restored');
});

t.test('broker restart: a subscriber back before the object is resubscribed when the object returns', async (t) => {
  const bed = await ubusBed(t);
  // The owner reconnects well after the subscriber, so the subscriber's first lookup finds nothing.
  const srv = await bed.client({ reconnect: { initialDelayMs: 400, maxDelayMs: 400 } });
  const svc = await srv.addObject({ path: 'mf.late', methods: { get: { handler: () => ({}) } } });
  const cli = await bed.client({ reconnect: { initialDelayMs: 10, maxDelayMs: 10 } });
  const notes: string[] = [];
  const sub = await cli.subscribe('mf.late', (type) => notes.push(type));
  await waitFor(() => svc.hasSubscribers, 'first subscription');
  await bed.broker.stop();
  await waitFor(() => !cli.connected && !srv.connected, 'both see the loss');
  t.notOk(sub.active, 'a subscription reads inactive while ubusd is gone');
  await bed.broker.start();
  await waitFor(() => cli.connected, 'subscriber back');
  t.notOk(srv.connected, 'the owner is not back yet');
  t.notOk(sub.active, 'nothing to subscribe to yet');
  await waitFor(() => srv.connected, 'owner back');
  await waitFor(() => sub.active && svc.hasSubscribers, 'resubscribed on the object-add event');
  svc.notify('late', {});
  await waitFor(() => notes.includes('late'), 'notification after the restart');
  t.pass('subscription restored');
});

t.test('a hostile client is dropped; the broker keeps serving', async (t) => {
  const bed = await ubusBed(t);
  const srv = await bed.client();
  await srv.addObject({ path: 'mf.ok', methods: { x: { handler: () => ({ y: 1 }) } } });
  const raw = createConnection({ path: bed.socketPath });
  t.teardown(() => raw.destroy());
  await new Promise<void>((r) => raw.once('data', () => r()));
  const closed = new Promise<void>((r) => raw.once('close', () => r()));
  raw.write(Buffer.from('0002000100000000ffffffff', 'hex'));
  await closed;
  const cli = await bed.client();
  t.same(await cli.call('mf.ok', 'x'), { y: 1 });
});
