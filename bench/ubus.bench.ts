// ubus benchmark: round-trip calls through the broker over a unix socket
// (1 KiB string argument) with 1 and 16 calls in flight, and blobmsg
// encode/decode throughput. The broker runs in a worker thread (ubusd is its
// own process on a router); the calling and the serving client share the
// main thread. Also the broker's memory while 20 clients that do not read
// listen to an event flood (the broker in its own process), and how long the
// broker's registry takes to drop a client with N objects and event patterns.
// Writes bench/results/ubus.md.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, Worker, workerData, parentPort } from 'node:worker_threads';
import { decodeMessage, encodeMessage, encodeTableContent, decodeTableContent, MsgType, UbusBroker, UbusClient, UbusFramer } from '../src/ubus/index.js';
import type { UbusBrokerStats } from '../src/ubus/index.js';
import { BrokerRegistry } from '../src/ubus/broker-registry.js';

interface LatencyRun {
  inFlight: number;
  calls: number;
  callsPerS: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function roundTrips(cli: UbusClient, inFlight: number, calls: number, arg: Record<string, unknown>): Promise<LatencyRun> {
  const lat: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls) {
        next++;
        const t0 = performance.now();
        const r = await cli.call('bench', 'echo', arg);
        if (r.len !== 1024) throw new Error(`bad reply ${JSON.stringify(r)}`);
        lat.push(performance.now() - t0);
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  return { inFlight, calls, callsPerS: calls / elapsedS, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99) };
}

/** A reply shaped like `ubus call network.interface dump`: 40 interfaces. */
function sampleTable(): Record<string, unknown> {
  return {
    interface: Array.from({ length: 40 }, (_, i) => ({
      interface: `wwan${i}`,
      up: i % 3 !== 0,
      pending: false,
      available: true,
      autostart: true,
      uptime: 123456 + i,
      l3_device: `wwan${i}`,
      proto: 'qmi',
      device: `/dev/cdc-wdm${i}`,
      metric: 10 + i,
      dns_metric: 0,
      delegation: true,
      'ipv4-address': [{ address: `10.${i}.0.2`, mask: 30 }],
      route: [{ target: '0.0.0.0', mask: 0, nexthop: `10.${i}.0.1`, source: '0.0.0.0/0' }],
      'dns-server': ['8.8.8.8', '1.1.1.1'],
      data: { rx_bytes: 2 ** 40 + i, tx_bytes: 2 ** 35, rsrp: -95.5 },
    })),
  };
}

function codecThroughput(): { bytes: number; encodeMBps: number; decodeMBps: number } {
  const table = sampleTable();
  const wire = encodeTableContent(table);
  const rounds = 2000;
  for (let i = 0; i < 200; i++) decodeTableContent(encodeTableContent(table), 0, wire.length);
  let t0 = performance.now();
  for (let i = 0; i < rounds; i++) encodeTableContent(table);
  const encS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  for (let i = 0; i < rounds; i++) decodeTableContent(wire, 0, wire.length);
  const decS = (performance.now() - t0) / 1000;
  const mb = (wire.length * rounds) / 1e6;
  return { bytes: wire.length, encodeMBps: mb / encS, decodeMBps: mb / decS };
}

async function brokerWorker(socketPath: string): Promise<void> {
  const broker = new UbusBroker({ socketPath });
  await broker.start();
  parentPort!.postMessage('ready');
  parentPort!.once('message', () => {
    void broker.stop().then(() => process.exit(0));
  });
}

interface FloodReport {
  baseMiB: number;
  peakMiB: number;
  stats: UbusBrokerStats;
}

/** The broker process of the flood run: reports its RSS (sampled every 20 ms) when asked. */
async function floodBroker(socketPath: string): Promise<void> {
  const broker = new UbusBroker({ socketPath });
  await broker.start();
  const baseMiB = process.memoryUsage().rss / 2 ** 20;
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  process.send!('ready');
  process.once('message', () => {
    clearInterval(timer);
    const report: FloodReport = { baseMiB, peakMiB: peak / 2 ** 20, stats: broker.stats };
    process.send!(report, () => void broker.stop().then(() => process.exit(0)));
  });
}

/** 20 listeners that stop reading, then `events` events of 1 KiB sent as fast as the broker takes them. */
async function floodRun(events: number): Promise<FloodReport & { events: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'mf-ubus-flood-'));
  const socketPath = join(dir, 'ubus.sock');
  const child = fork(process.argv[1]!, ['flood-broker', socketPath]);
  await new Promise((resolve) => child.once('message', resolve));
  const paused: Socket[] = [];
  const clients: UbusClient[] = [];
  for (let i = 0; i < 20; i++) {
    let sock!: Socket;
    const c = new UbusClient({ reconnect: false, transport: () => (sock = createConnection({ path: socketPath })) });
    await c.connect();
    await c.listen('flood', () => undefined);
    sock.pause();
    paused.push(sock);
    clients.push(c);
  }
  const sender = createConnection({ path: socketPath });
  const framer = new UbusFramer();
  let statuses = 0;
  sender.on('data', (chunk: Buffer) => {
    for (const f of framer.push(chunk)) if (decodeMessage(f).type === MsgType.STATUS) statuses++;
  });
  await new Promise((resolve) => sender.once('connect', resolve));
  const data = encodeTableContent({ id: 'flood', data: { x: 'a'.repeat(1024) } });
  for (let i = 0; i < events; i += 100) {
    const batch: Buffer[] = [];
    for (let j = 0; j < 100; j++) batch.push(encodeMessage({ type: MsgType.INVOKE, seq: (i + j) & 0xffff, peer: 1, attrs: { objid: 1, method: 'send', data } }));
    if (!sender.write(Buffer.concat(batch))) await new Promise((resolve) => sender.once('drain', resolve));
  }
  while (statuses < events) await new Promise((resolve) => setTimeout(resolve, 20));
  child.send('report');
  const report = await new Promise<FloodReport>((resolve) => child.once('message', (m) => resolve(m as FloodReport)));
  sender.destroy();
  for (const s of paused) s.destroy();
  for (const c of clients) await c.close();
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  return { ...report, events };
}

/** The registry dropping one client with n objects, each with a path and an event pattern (plus the remove event's lookup). */
function cleanupMs(n: number): number {
  const r = new BrokerRegistry();
  const client = { id: 5, objects: new Set<ReturnType<BrokerRegistry['addSystemObject']>>() };
  for (let i = 0; i < n; i++) r.addEventPattern(r.createObject(client, `mf.o${i}`, undefined, undefined)!, `mf.ev${i}`);
  const t0 = performance.now();
  for (const o of [...client.objects]) {
    r.freeObject(o);
    r.eventTargets('ubus.object.remove', null);
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mf-ubus-bench-'));
  const socketPath = join(dir, 'ubus.sock');
  const worker = new Worker(new URL(import.meta.url), { workerData: { socketPath } });
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  const srv = new UbusClient({ socketPath, reconnect: false });
  const cli = new UbusClient({ socketPath, reconnect: false });
  await srv.connect();
  await cli.connect();
  let served = 0;
  await srv.addObject({ path: 'bench', methods: { echo: { args: { payload: 'string' }, handler: (a) => ({ len: (served++, (a.payload as string).length) }) } } });
  const arg = { payload: 'x'.repeat(1024) };
  await roundTrips(cli, 16, 3000, arg); // warm-up
  const runs = [await roundTrips(cli, 1, 10000, arg), await roundTrips(cli, 16, 40000, arg)];
  // Every call really went through the serving client.
  if (served !== 3000 + 10000 + 40000) throw new Error(`served ${served} calls, expected 53000`);
  await cli.close();
  await srv.close();
  worker.postMessage('stop');
  await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  rmSync(dir, { recursive: true, force: true });
  const codec = codecThroughput();
  const flood = await floodRun(20000);
  const cleanups = [8000, 16000, 32000].map((n) => ({ n, ms: cleanupMs(n) }));

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}, ${process.platform}/${process.arch}, load average ${loadavg()[0]!.toFixed(1)} at the end`;
  const lines = [
    '# ubus benchmark',
    '',
    `Machine: ${machine}`,
    'Command: `node build.mjs bench && node dist/bench/ubus.js`',
    '',
    'Round trips: UbusClient.call -> broker (worker thread) -> UbusClient object -> reply, over a unix socket, 1 KiB string argument.',
    '',
    '| calls in flight | calls | calls/s | p50 ms | p99 ms |',
    '|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.inFlight} | ${r.calls} | ${Math.round(r.callsPerS)} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} |`),
    '',
    `blobmsg codec, a ${codec.bytes}-byte table shaped like \`network.interface dump\` (40 interfaces):`,
    '',
    `- encode: ${codec.encodeMBps.toFixed(1)} MB/s`,
    `- decode: ${codec.decodeMBps.toFixed(1)} MB/s`,
    '',
    'Targets: >= 10,000 calls/s with 16 in flight; decode >= 100 MB/s.',
    '',
    `Broker memory (its own process): 20 listeners that stop reading, ${flood.events} events of 1 KiB: RSS ${flood.baseMiB.toFixed(0)} MiB at start, peak ${flood.peakMiB.toFixed(0)} MiB;`,
    `at the end ${flood.stats.clients} clients connected, ${(flood.stats.queuedBytes / 2 ** 20).toFixed(1)} MiB queued, ${flood.stats.droppedMessages} messages dropped (per-client queue 1 MiB, as ubusd).`,
    'Before the bounds (commit af88a30) the same run peaked at 408 MiB and disconnected every listener.',
    '',
    'A client with N objects (each with a path and an event pattern) leaving, registry work:',
    '',
    '| objects | ms |',
    '|---|---|',
    ...cleanups.map((c) => `| ${c.n} | ${c.ms.toFixed(0)} |`),
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(text);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/ubus.md', text);
}

if (isMainThread && process.argv[2] === 'flood-broker') {
  void floodBroker(process.argv[3]!);
} else if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  void brokerWorker((workerData as { socketPath: string }).socketPath);
}
