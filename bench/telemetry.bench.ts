// Telemetry: messages/second the publisher sustains, CPU and memory at the default
// intervals with 8 modems, and the queue file's write rate to flash per hour offline.
// Run: node build.mjs bench && node dist/bench/telemetry.js   (needs mosquitto)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, SystemClock } from '../src/os/clock.js';
import { MemoryLogger } from '../src/os/logger.js';
import type { Clock } from '../src/model/ports.js';
import type { TelemetryConfig } from '../src/model/config.js';
import { FileOutboxStore, Telemetry } from '../src/telemetry/index.js';
import type { OutboxStore } from '../src/telemetry/index.js';
import { Broker, freePort, mosquittoMissing } from '../test/telemetry/fixtures/broker.js';
import { Collector } from '../test/telemetry/fixtures/collector.js';
import { FakeDaemon, telemetryConfig } from '../test/telemetry/fixtures/daemon.js';

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}`;
const tick = () => new Promise<void>((r) => setImmediate(r));

function make(over: Partial<TelemetryConfig>, clock: Clock, store: OutboxStore | null = null): { telemetry: Telemetry; daemon: FakeDaemon } {
  const daemon = new FakeDaemon(8, () => clock.now());
  const telemetry = new Telemetry(
    { read: daemon, control: daemon, clock, logger: new MemoryLogger(), identity: { hostname: 'bench', baseMac: null }, readFile: async () => Buffer.alloc(0), outboxStore: store, backoff: { minMs: 1000, maxMs: 300_000 } },
    telemetryConfig(over),
  );
  return { telemetry, daemon };
}

const decision = (i: number) => ({ type: 'decision' as const, data: { atMs: i, kind: 'wake' as const, group: null, modem: 'lte3', from: null, reason: `bench ${i}` } });

async function throughput(broker: Broker): Promise<string> {
  const sub = await Collector.connect(broker.url, ['tp/#']);
  const { telemetry, daemon } = make({ brokerUrl: broker.url, topicRoot: 'tp', maxRatePerS: 1e6, queueSize: 100_000, queueMaxBytes: 64 << 20 }, new SystemClock());
  telemetry.start();
  while (!telemetry.status().connected) await new Promise((r) => setTimeout(r, 10));
  const n = 5000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) daemon.emit(decision(i));
  await sub.until(() => sub.on('tp/rt1/events').length >= n, 'all events', 60_000);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await telemetry.stop();
  await sub.close();
  // The subscriber runs in this process too: its share is in the CPU figure.
  return `| events at QoS 1, no rate limit | ${n} | ${(n / (ms / 1000)).toFixed(0)} msg/s | ${((cpu.user + cpu.system) / 1000 / n * 1000).toFixed(0)} µs CPU per message (publisher + subscriber) |`;
}

async function defaults(broker: Broker): Promise<string[]> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const sub = await Collector.connect(broker.url, ['df/#']);
  const { telemetry, daemon } = make({ brokerUrl: broker.url, topicRoot: 'df' }, clock);
  telemetry.start();
  while (!telemetry.status().connected) await tick();
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  // One hour at the defaults (state 60 s, metrics 30 s), one event a minute.
  for (let s = 1; s <= 3600; s++) {
    clock.advance(1000);
    if (s % 60 === 0) daemon.emit(decision(s));
    await tick();
  }
  await new Promise((r) => setTimeout(r, 500));
  const cpu = process.cpuUsage(cpu0);
  const heap1 = process.memoryUsage().heapUsed;
  const count = sub.messages.length;
  await telemetry.stop();
  await sub.close();
  return [
    `| messages in one hour (8 modems: metrics every 30 s, state every 60 s, 60 events) | ${count} |`,
    `| CPU for that hour (publisher, subscriber and the simulated clock's loop) | ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, ${((cpu.user + cpu.system) / 1000 / 3600 / 10).toFixed(3)} % of one core |`,
    `| heap growth over the hour | ${((heap1 - heap0) / 1024).toFixed(0)} KiB |`,
    `| resident set of the whole bench process | ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB |`,
  ];
}

async function flashOffline(eventsPerHour: number): Promise<string> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const store = new FileOutboxStore();
  const dir = mkdtempSync(join(tmpdir(), 'mf-bench-q-'));
  const port = await freePort(); // nothing listens: offline the whole hour
  const { telemetry, daemon } = make({ brokerUrl: `mqtt://127.0.0.1:${port}`, topicRoot: 'fl', queueFile: join(dir, 'q') }, clock, store);
  telemetry.start();
  const every = Math.max(1, Math.round(3600 / eventsPerHour));
  let i = 0;
  for (let s = 1; s <= 3600; s++) {
    if (s % every === 0) daemon.emit(decision(i++));
    clock.advance(1000);
    // Real time for the file writes to finish, so a simulated hour is not outrun by one fsync.
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, 200));
  const { queued, dropped } = telemetry.status();
  await telemetry.stop();
  return `| ${i} | ${store.writes} | ${(store.bytesWritten / 1024).toFixed(0)} KiB | ${queued} queued, ${dropped} dropped |`;
}

const missing = await mosquittoMissing();
if (missing) {
  console.log(`telemetry bench skipped: ${missing}`);
  process.exit(0);
}
const broker = await Broker.start();
try {
  const tp = await throughput(broker);
  const df = await defaults(broker);
  const fl = [await flashOffline(60), await flashOffline(600), await flashOffline(3600)];
  const text = [
    '# telemetry',
    '',
    `Machine: ${machine}; mosquitto ${'2.x'} on 127.0.0.1 in the same machine.`,
    'Command: `node build.mjs bench && node dist/bench/telemetry.js`',
    '',
    '## Throughput',
    '',
    '| what | messages | rate | CPU |',
    '|---|---|---|---|',
    tp,
    '',
    '## One hour at the default intervals, 8 modems (simulated clock, real broker)',
    '',
    '| what | figure |',
    '|---|---|',
    ...df,
    '',
    '## Queue file writes per hour offline (defaults: queue_flush_interval 300 s, queue_size 1000, queue_max_kb 256)',
    '',
    '| events per hour | file writes | bytes written | at the end |',
    '|---|---|---|---|',
    ...fl,
    '',
    'Writes are batched: at most one per flush interval while messages wait, whatever the event rate; the size of each write is capped by queue_max_kb.',
    '',
  ].join('\n');
  console.log(text);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/telemetry.md', text);
} finally {
  await broker.stop();
}
