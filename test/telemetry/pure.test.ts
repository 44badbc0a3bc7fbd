// The pure parts: broker URL rules, command parsing, outbox bounds, device ids, backoff.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { brokerTarget } from '../../src/telemetry/broker-target.js';
import { parseCommand } from '../../src/telemetry/command-request.js';
import { Outbox } from '../../src/telemetry/outbox.js';
import { backoffMs, TokenBucket } from '../../src/telemetry/token-bucket.js';
import { deriveDeviceId } from '../../src/telemetry/topics.js';
import { telemetryConfig } from './fixtures/daemon.js';

const enc = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));
const ALL = ['set_power_limit', 'update_plan', 'solve', 'reload'];

t.test('broker target', async (t) => {
  t.match(brokerTarget(telemetryConfig({ brokerUrl: 'mqtts://b.example' })), { ok: true, value: { protocol: 'mqtts', host: 'b.example', port: 8883, tls: true, display: 'mqtts://b.example' } });
  t.match(brokerTarget(telemetryConfig({ brokerUrl: 'wss://b.example/mqtt' })), { ok: true, value: { port: 443, path: '/mqtt' } });
  t.match(brokerTarget(telemetryConfig({ brokerUrl: 'mqtt://[fd00::1]:1884' })), { ok: true, value: { host: 'fd00::1', port: 1884 } });
  t.match(brokerTarget(telemetryConfig({ brokerUrl: 'mqtt://b.example', password: 'p' })), { ok: false, error: /refusing/ });
  t.match(brokerTarget(telemetryConfig({ brokerUrl: 'mqtt://b.example', password: 'p', plainCredentials: true })), { ok: true });
  t.match(brokerTarget(telemetryConfig({ brokerUrl: 'mqtt://b.example?x=1' })), { ok: false, error: /query/ });
  t.match(brokerTarget(telemetryConfig({ brokerUrl: null })), { ok: false, error: /not set/ });
});

t.test('command parsing', async (t) => {
  t.same(parseCommand('set_power_limit', enc({ id: 'a', args: { watts: null } }), ALL), { ok: true, id: 'a', command: { name: 'set_power_limit', watts: null } });
  t.same(parseCommand('update_plan', enc({ id: 'a', args: { modem: 'lte0', quota_gb: 20 } }), ALL), { ok: true, id: 'a', command: { name: 'update_plan', modem: 'lte0', quotaGb: 20 } });
  t.match(parseCommand('update_plan', enc({ id: 'a', args: { modem: 'lte0' } }), ALL), { ok: false, id: 'a', error: /price_per_gb and\/or quota_gb/ });
  t.match(parseCommand('update_plan', enc({ id: 'a', args: { modem: 'a/#', price_per_gb: 1 } }), ALL), { ok: false, error: /args.modem/ });
  t.match(parseCommand('solve', enc({ id: 'a', args: { now: 1 } }), ALL), { ok: false, error: /unknown field "now"/ });
  t.match(parseCommand('solve', enc({ id: 'a/b' }), ALL), { ok: false, id: null, error: /request id/ });
  t.match(parseCommand('solve', enc({ id: 'a', extra: 1 }), ALL), { ok: false, id: 'a', error: /unknown field "extra"/ });
  t.match(parseCommand('solve', enc([1]), ALL), { ok: false, id: null, error: /JSON object/ });
  t.match(parseCommand('solve', enc({ id: 'a' }), ['reload']), { ok: false, error: /not allowed/ });
  t.match(parseCommand('solve', new Uint8Array(4097), ALL), { ok: false, id: null, error: /4097 bytes/ });
});

t.test('outbox: bounded by count and bytes, oldest dropped, order kept, in-flight kept', async (t) => {
  const o = new Outbox(3, 1 << 20);
  for (let i = 1; i <= 5; i++) o.push({ topic: 't', payload: `m${i}`, retain: false, key: null });
  t.same(o.snapshot(), { dropped: 2, entries: ['m3', 'm4', 'm5'].map((p) => ({ topic: 't', payload: p, retain: false, key: null })) });
  const first = o.nextUnsent()!;
  o.markSent(first.seq);
  t.equal(o.nextUnsent()!.payload, 'm4');
  o.push({ topic: 't', payload: 'm6', retain: false, key: null });
  t.same(o.snapshot().entries.map((e) => e.payload), ['m3', 'm5', 'm6'], 'the message on the wire is not dropped');
  o.connectionLost();
  t.equal(o.nextUnsent()!.payload, 'm3', 'resent from the oldest after a lost connection');
  t.equal(o.takeDropped(), 3);
  t.equal(o.takeDropped(), 0);
  const b = new Outbox(100, 200);
  for (let i = 0; i < 10; i++) b.push({ topic: 'topic', payload: 'x'.repeat(40), retain: false, key: null });
  t.ok(b.sizeBytes <= 200 && b.length === 3, `byte bound: ${b.length} messages, ${b.sizeBytes} B`);
  const k = new Outbox(10, 1 << 20);
  k.push({ topic: 's', payload: '1', retain: true, key: 'state' });
  k.push({ topic: 'e', payload: 'a', retain: false, key: null });
  k.push({ topic: 's', payload: '2', retain: true, key: 'state' });
  t.same(k.snapshot().entries.map((e) => e.payload), ['a', '2'], 'a keyed message replaces its unsent predecessor');
  const r = new Outbox(10, 1 << 20);
  r.push({ topic: 'e', payload: 'new', retain: false, key: null });
  r.restore({ dropped: 4, entries: [{ topic: 'e', payload: 'old', retain: false, key: null }] });
  t.same(r.snapshot(), { dropped: 4, entries: [{ topic: 'e', payload: 'old', retain: false, key: null }, { topic: 'e', payload: 'new', retain: false, key: null }] });
});

t.test('device id, token bucket, backoff', async (t) => {
  t.equal(deriveDeviceId(null, { hostname: 'OpenWrt', baseMac: '94:83:C4:12:34:56' }), 'OpenWrt-123456');
  t.equal(deriveDeviceId(null, { hostname: 'bus 12.depot', baseMac: null }), 'bus-12-depot');
  t.equal(deriveDeviceId('van7', { hostname: 'x', baseMac: null }), 'van7');
  const b = new TokenBucket(2, 2);
  t.same([b.take(0), b.take(0), b.take(0)], [true, true, false]);
  t.equal(b.waitMs(0), 500);
  t.equal(b.take(500), true);
  t.same([backoffMs(0, 1000, 300000, 0), backoffMs(0, 1000, 300000, 1), backoffMs(3, 1000, 300000, 0.5), backoffMs(20, 1000, 300000, 1)], [500, 1000, 6000, 300000]);
});

t.test('payload builders are pure', async (t) => {
  for (const f of ['state-payload', 'metrics-payload', 'event-payload', 'ha-discovery-payload', 'command-request', 'topics', 'token-bucket', 'broker-target']) {
    const text = readFileSync(resolve(import.meta.dirname, `../../src/telemetry/${f}.ts`), 'utf8');
    t.notMatch(text, /from\s+['"]node:|Date\.now\(|new Date\(\s*\)|setTimeout\(|Math\.random\(/, `${f}.ts takes time and randomness as arguments`);
  }
});
