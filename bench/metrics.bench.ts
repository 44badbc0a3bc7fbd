// Benchmark of src/metrics (not a test): `node build.mjs bench && node dist/bench/metrics.js`.
//  1. CPU time per refresh of 8 modems at a 1 s interval, providers answering
//     from fixtures (so this is modemflow's own parsing and bookkeeping; on a
//     router, uqmi/mmcli add their own process cost on top).
//  2. Detection time of a dead path with 0.5 s probes on a real veth link in
//     network namespaces (needs root; skipped otherwise).
import { cpus } from 'node:os';
import { writeFileSync, mkdirSync } from 'node:fs';
import { MetricsCollector } from '../src/metrics/collector.js';
import { NetifdProvider } from '../src/metrics/providers/netifd.js';
import { defaultRadioProviders } from '../src/metrics/radio-select.js';
import { PathProbe } from '../src/metrics/probe/path-probe.js';
import { detectPingDialect } from '../src/metrics/probe/ping-output.js';
import { ManualClock, SystemClock } from '../src/os/clock.js';
import { MemoryLogger } from '../src/os/logger.js';
import { RecordingRunner } from '../src/os/recording-runner.js';
import { ExecFileRunner } from '../src/os/exec-runner.js';
import { ChildProcessSpawner } from '../src/os/spawner.js';
import type { ModemConfig } from '../src/model/config.js';
import type { UbusCaller } from '../src/model/ports.js';
import { NetnsBed, nftClear, nftDropEcho, rootSkipReason, sh } from '../test/metrics/netns-bed.js';
import wwan0 from '../test/metrics/fixtures/netifd-wwan0.json' with { type: 'json' };
import wwan0v4 from '../test/metrics/fixtures/netifd-wwan0_4.json' with { type: 'json' };
import device from '../test/metrics/fixtures/netifd-device-wwan0.json' with { type: 'json' };
import mmDump from '../test/metrics/fixtures/mm-rpcd-dump.json' with { type: 'json' };
import qmSim from '../test/metrics/fixtures/qmodem-sim.json' with { type: 'json' };
import qmNet from '../test/metrics/fixtures/qmodem-network.json' with { type: 'json' };
import qmCell from '../test/metrics/fixtures/qmodem-cell-endc.json' with { type: 'json' };
import uqSignal from '../test/metrics/fixtures/uqmi-signal-endc.json' with { type: 'json' };
import uqServing from '../test/metrics/fixtures/uqmi-serving.json' with { type: 'json' };
import uqSystem from '../test/metrics/fixtures/uqmi-system-lte.json' with { type: 'json' };

const lines: string[] = [];
const out = (s: string): void => {
  lines.push(s);
  console.log(s);
};

function modem(i: number, metrics: ModemConfig['metrics'], dev: string | null): ModemConfig {
  return {
    name: `m${i}`,
    interface: `wwan${i}`,
    enabled: true,
    metrics,
    device: dev,
    tier: 'primary',
    plan: { pricePerGb: 2, quotaGb: 50, billingDay: 1, overQuota: 'stop', overagePricePerGb: null },
    thresholds: { minRsrpDbm: null, minSinrDb: null, maxLossPct: null, maxRttMs: null, minDownKbps: null },
    probeTargets: [],
    probeIntervalS: 1,
    upKbpsCap: null,
    downKbpsCap: null,
    power: null,
    allowSimSwitch: false,
  };
}

async function cpuPerRefresh(): Promise<void> {
  let rx = 1e9;
  const ubus: UbusCaller = {
    async call(path, method) {
      if (method === 'status' && path === 'network.device') {
        rx += 250_000;
        return { ...device, statistics: { ...device.statistics, rx_bytes: rx, tx_bytes: rx / 10 } };
      }
      if (path.startsWith('network.interface.')) return structuredClone(path.endsWith('_4') ? wwan0v4 : wwan0) as Record<string, unknown>;
      if (path === 'modemmanager') return structuredClone(mmDump) as Record<string, unknown>;
      if (path === 'qmodem') return structuredClone(method === 'sim_info' ? qmSim : method === 'network_info' ? qmNet : qmCell) as Record<string, unknown>;
      throw Object.assign(new Error('not found'), { code: 'NOT_FOUND' });
    },
  };
  const runner = new RecordingRunner()
    .on((c) => c.args.includes('--get-signal-info'), { stdout: JSON.stringify(uqSignal) })
    .on((c) => c.args.includes('--get-serving-system'), { stdout: JSON.stringify(uqServing) })
    .on((c) => c.args.includes('--get-system-info'), { stdout: JSON.stringify(uqSystem) });
  const modems = [
    modem(0, 'uqmi', '/dev/cdc-wdm0'),
    modem(1, 'uqmi', '/dev/cdc-wdm1'),
    modem(2, 'modemmanager', '0'),
    modem(3, 'modemmanager', '1'),
    modem(4, 'qmodem', '2_1'),
    modem(5, 'qmodem', '3_1'),
    modem(6, 'netifd', null),
    modem(7, 'uqmi', '/dev/cdc-wdm2'),
  ];
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const c = new MetricsCollector({ clock, logger, link: new NetifdProvider(ubus), radios: defaultRadioProviders(ubus, runner) }, modems, {
    refreshIntervalMs: 1000,
    timeoutMs: 400,
  });
  c.start();
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  };
  let ubusCalls = 0;
  let commands = 0;
  const counted: UbusCaller = ubus;
  const inner = counted.call.bind(counted);
  counted.call = (...args) => {
    ubusCalls++;
    return inner(...args);
  };
  const round = async (): Promise<void> => {
    clock.advance(1000);
    await settle();
    commands += runner.log.length;
    runner.clear();
  };
  clock.advance(0);
  await settle();
  for (let i = 0; i < 200; i++) await round(); // warm-up (JIT)
  const rounds = 2000;
  ubusCalls = 0;
  commands = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await round();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  c.stop();
  const unknown = c.views().filter((v) => v.health !== 'ok').length;
  const usPerRound = (cpu.user + cpu.system) / rounds;
  out(`## CPU per refresh (8 modems, fixture-backed providers, virtual 1 s interval)`);
  out('');
  out(`- rounds: ${rounds} (after 200 warm-up rounds); modems: 3 uqmi, 2 ModemManager (rpcd), 2 QModem, 1 netifd-only; unhealthy at the end: ${unknown}`);
  out(`- CPU (user+system) per refresh of all 8 modems: ${(usPerRound / 1000).toFixed(3)} ms (${(usPerRound / 8).toFixed(0)} µs per modem)`);
  out(`- at a 1 s interval that is ${(usPerRound / 10_000).toFixed(2)} % of one core`);
  out(`- work per round: ${(ubusCalls / rounds).toFixed(1)} ubus calls, ${(commands / rounds).toFixed(1)} tool runs (every modem read every round)`);
  out(`- wall time for the ${rounds} rounds: ${wallMs.toFixed(0)} ms`);
  out('');
}

async function deadPathDetection(): Promise<void> {
  out('## Dead-path detection, 0.5 s probes, real veth link');
  out('');
  const skip = rootSkipReason();
  if (skip) {
    out(`- skipped: ${skip}`);
    return;
  }
  const bed = new NetnsBed('bn');
  try {
    const router = await bed.ns('r');
    const isp = await bed.ns('a');
    await bed.link(router, 'mfmra', '10.74.1.2/30', isp, 'mfma0', '10.74.1.1/30');
    await sh('ip', ['addr', 'add', '198.51.100.7/32', 'dev', 'lo'], isp);
    await sh('ip', ['route', 'add', 'default', 'via', '10.74.1.1', 'table', '301'], router);
    await sh('ip', ['rule', 'add', 'from', '10.74.1.2', 'lookup', '301', 'priority', '1001'], router);
    const dialect = await detectPingDialect(new ExecFileRunner());
    const clock = new SystemClock();
    let deadAt: number | null = null;
    let aliveAt: number | null = null;
    const probe = new PathProbe(
      { spawner: new ChildProcessSpawner(), clock, logger: new MemoryLogger() },
      {
        modem: 'bench',
        targets: ['198.51.100.7'],
        intervalMs: 500,
        source: '10.74.1.2',
        dialect,
        netns: router,
        onAliveChange: (alive) => {
          if (alive) aliveAt = clock.monotonicMs();
          else deadAt = clock.monotonicMs();
        },
      },
    );
    probe.start();
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    await sleep(1500);
    const results: number[] = [];
    for (let i = 0; i < 12; i++) {
      // Cut at a different phase of the probe schedule each time.
      await sleep(137 * i);
      deadAt = null;
      const cut = clock.monotonicMs();
      await nftDropEcho(isp, 100);
      while (deadAt === null && clock.monotonicMs() - cut < 5000) await sleep(10);
      if (deadAt !== null) results.push((deadAt as number) - cut);
      aliveAt = null;
      await nftClear(isp);
      while (aliveAt === null) await sleep(10);
      await sleep(600);
    }
    probe.stop();
    results.sort((a, b) => a - b);
    const med = results[Math.floor(results.length / 2)]!;
    out(`- ping: ${dialect}; cuts: ${results.length} of 12 detected; the path is cut with an nftables drop of echo requests at the far end`);
    out(`- time from cut to "dead": min ${results[0]!.toFixed(0)} ms, median ${med.toFixed(0)} ms, max ${results.at(-1)!.toFixed(0)} ms (target <= 1500 ms)`);
    out(`- all: ${results.map((r) => r.toFixed(0)).join(', ')} ms`);
  } finally {
    await bed.cleanup();
  }
  out('');
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
out(`# metrics benchmark`);
out('');
out(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
out('');
await cpuPerRefresh();
await deadPathDetection();
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/metrics.md', lines.join('\n') + '\n');
