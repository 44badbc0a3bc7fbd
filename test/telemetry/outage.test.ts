// Through bad links: broker stopped and restarted, and a daemon restart with the queue file.
import t from 'tap';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOutboxStore } from '../../src/telemetry/index.js';
import { Broker, mosquittoMissing } from './fixtures/broker.js';
import { Collector, until } from './fixtures/collector.js';
import { rig } from './fixtures/setup.js';

const decision = (n: number) => ({ type: 'decision' as const, data: { atMs: 1_767_225_600_000 + n, kind: 'wake' as const, group: null, modem: 'lte1', from: null, reason: `event ${n}` } });
const reasons = (c: Collector, topic: string) => c.json<{ type: string; reason: string; dropped?: number }>(topic).filter((e) => e.type === 'decision').map((e) => e.reason);

const missing = await mosquittoMissing();
if (missing) t.plan(0, missing);
else {
  const broker = await Broker.start({ persistent: true });
  t.teardown(() => broker.stop());

  t.test('broker down for a while: nothing lost within the bound, order kept', async (t) => {
    const sub = await Collector.connect(broker.url, ['out1/+/events'], { clean: false, clientId: 'sub-out1', reconnectPeriod: 100 });
    t.teardown(() => sub.close());
    const { telemetry, daemon } = rig({ brokerUrl: broker.url, topicRoot: 'out1', maxRatePerS: 1000 });
    telemetry.start();
    t.teardown(() => telemetry.stop());
    await until(() => telemetry.status().connected, 'connected');
    for (let i = 1; i <= 5; i++) daemon.emit(decision(i));
    await sub.until(() => reasons(sub, 'out1/rt1/events').length === 5, 'events before the outage');

    await broker.stop();
    await until(() => !telemetry.status().connected, 'disconnect noticed');
    for (let i = 6; i <= 55; i++) daemon.emit(decision(i));
    t.equal(telemetry.status().queued, 50, 'queued while offline');
    await broker.start();
    await sub.until(() => new Set(reasons(sub, 'out1/rt1/events')).size >= 55, 'all events after the outage');
    // QoS 1 is at least once: what was in flight when the broker went away may come again (redelivered,
    // with the same payload); nothing may be missing or out of order.
    const got = reasons(sub, 'out1/rt1/events');
    t.same([...new Set(got)], Array.from({ length: 55 }, (_, i) => `event ${i + 1}`), 'every event, first seen in order');
    t.ok(got.length - new Set(got).size <= 20, `redelivered at most one in-flight window (${got.length - new Set(got).size})`);
    await until(() => telemetry.status().queued === 0, 'outbox empty');
    t.equal(telemetry.status().dropped, 0);
  });

  t.test('over the bound: oldest dropped, the drop count published', async (t) => {
    const sub = await Collector.connect(broker.url, ['out2/+/events'], { clean: false, clientId: 'sub-out2', reconnectPeriod: 100 });
    t.teardown(() => sub.close());
    const { telemetry, daemon } = rig({ brokerUrl: broker.url, topicRoot: 'out2', queueSize: 10, maxRatePerS: 1000 });
    telemetry.start();
    t.teardown(() => telemetry.stop());
    await until(() => telemetry.status().connected, 'connected');
    await broker.stop();
    await until(() => !telemetry.status().connected, 'disconnect noticed');
    for (let i = 1; i <= 25; i++) daemon.emit(decision(i));
    t.same({ queued: telemetry.status().queued, dropped: telemetry.status().dropped }, { queued: 10, dropped: 15 });
    await broker.start();
    await sub.until(() => reasons(sub, 'out2/rt1/events').length >= 10, 'the kept events');
    const all = sub.json<{ type: string; dropped?: number; reason: string }>('out2/rt1/events');
    t.match(all[0], { type: 'telemetry', dropped: 15 }, 'the drop report comes first');
    t.same(reasons(sub, 'out2/rt1/events'), Array.from({ length: 10 }, (_, i) => `event ${i + 16}`), 'the newest ten, in order');
  });

  t.test('daemon restart with the queue file', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-queue-'));
    const queueFile = join(dir, 'telemetry.queue');
    const store = new FileOutboxStore();
    const sub = await Collector.connect(broker.url, ['out3/+/events'], { clean: false, clientId: 'sub-out3', reconnectPeriod: 100 });
    t.teardown(() => sub.close());
    await broker.stop();

    const first = rig({ brokerUrl: broker.url, topicRoot: 'out3', queueFile, queueSize: 20 }, { outboxStore: store });
    first.telemetry.start();
    for (let i = 1; i <= 30; i++) first.daemon.emit(decision(i));
    t.equal(store.writes, 0, 'no write before the flush interval');
    await first.telemetry.stop();
    t.equal(store.writes, 1, 'one write on stop');
    t.ok(existsSync(queueFile));
    const lines = readFileSync(queueFile, 'utf8').trim().split('\n');
    t.same(JSON.parse(lines[0]!), { v: 1, dropped: 10 }, 'header with the unreported drops');
    t.equal(lines.length, 21, 'header + 20 messages');

    await broker.start();
    await until(() => sub.client.connected, 'subscriber back');
    // Room for the file's 20 and the new one: within the bound nothing is lost.
    const second = rig({ brokerUrl: broker.url, topicRoot: 'out3', queueFile, queueSize: 40 }, { outboxStore: store });
    second.telemetry.start();
    t.teardown(() => second.telemetry.stop());
    await until(() => second.telemetry.status().connected, 'connected');
    second.daemon.emit(decision(31));
    await sub.until(() => reasons(sub, "out3/rt1/events").length >= 21, "queued and new events");
    t.match(sub.json('out3/rt1/events')[0], { type: 'telemetry', dropped: 10 });
    t.same(reasons(sub, 'out3/rt1/events'), Array.from({ length: 21 }, (_, i) => `event ${i + 11}`), 'from the file first, then the new one');
    await second.telemetry.stop();
    t.notOk(existsSync(queueFile), 'an empty queue removes the file');
  });
}
