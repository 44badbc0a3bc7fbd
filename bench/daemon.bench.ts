// modemflowd at work: the real composition root (daemon, metrics collectors,
// flow tracker, routing controller, ubus object) on the project's ubus broker,
// with 4 modems whose netifd objects answer like netifd, a conntrack table of
// 1,000 or 10,000 connections, and a kernel stand-in that answers ip/nft/
// conntrack instantly (so the figures are the daemon's own cost, not the
// kernel's). Each scenario runs in its own process:
//   RSS and CPU share at steady state; time from a path going dead (0.5 s
//   probes) to the routing change; time from a new group appearing in the
//   conntrack listing to its decision and to the routing applied; a burst of
//   500 new connections within 1 s.
// Run: node build.mjs bench && node dist/bench/daemon.js
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeDaemon } from '../src/daemon/compose.js';
import { SystemClock } from '../src/os/clock.js';
import { FsSysfsReader } from '../src/os/sysfs.js';
import { RecordingRunner } from '../src/os/recording-runner.js';
import type { LogFields, Logger, NodeJSSignal, ProcessSpawner, SpawnedProcess, SpawnHandlers } from '../src/model/ports.js';
import { DEFAULT_MARK_MASK, encodeMark, markLayout } from '../src/model/mark-layout.js';
import { UbusBroker, UbusClient } from '../src/ubus/index.js';

const MODEMS = 4;
const layout = markLayout(DEFAULT_MARK_MASK)!;
const DPORTS = [443, 443, 443, 80, 53, 3478, 22, 51820, 8080, 5060];

function connLine(i: number, startMs: number, nowMs: number, n: number): string {
  // Connections past the first n come from hosts not seen before (new groups).
  const host = i < n ? i % 100 : 150 + ((i - n) % 100);
  const udp = i % 3 === 0;
  const src = `192.168.1.${host + 2}`;
  const dst = `203.0.${(i >> 8) % 256}.${i % 256}`;
  const sport = 20000 + (i % 40000);
  const dport = DPORTS[i % DPORTS.length]!;
  const s = Math.max(0, (nowMs - startMs) / 1000);
  // Most connections are quiet; one in 50 carries ~100 kbit/s down.
  const down = 5000 + Math.round(s * (i % 50 === 0 ? 12_500 : 50));
  const up = 1000 + Math.round(s * (i % 50 === 0 ? 1_250 : 5));
  const mark = encodeMark(layout, 1 + (i % MODEMS), 0);
  const proto = udp ? 'udp      17 29' : 'tcp      6 431999 ESTABLISHED';
  return (
    `ipv4     2 ${proto} src=${src} dst=${dst} sport=${sport} dport=${dport} packets=10 bytes=${up} ` +
    `src=${dst} dst=10.6${1 + (i % MODEMS)}.0.2 sport=${dport} dport=${sport} packets=10 bytes=${down} ${udp ? '' : '[ASSURED] '}mark=${mark} use=1 id=${1_000_000 + i}`
  );
}

class TimedLogger implements Logger {
  readonly routing: Array<{ atMs: number; usable: string }> = [];
  readonly placed = new Map<string, number>();
  readonly excluded: Array<{ atMs: number; modem: string }> = [];
  private record(msg: string, fields?: LogFields): void {
    const x = /^modem (\S+) \S+ -> excluded$/.exec(msg);
    if (x) this.excluded.push({ atMs: performance.now(), modem: x[1]! });
    if (msg === 'routing applied') this.routing.push({ atMs: performance.now(), usable: String(fields?.['usable'] ?? '') });
    const m = /^group (\S+) -> /.exec(msg);
    if (m && !this.placed.has(m[1]!)) this.placed.set(m[1]!, performance.now());
  }
  error(msg: string, f?: LogFields): void { this.record(msg, f); }
  warn(msg: string, f?: LogFields): void { this.record(msg, f); }
  info(msg: string, f?: LogFields): void { this.record(msg, f); }
  debug(): void {}
}

/** ping on real timers: replies every interval while its modem answers. */
class BenchPing implements ProcessSpawner {
  constructor(private readonly alive: (source: string) => boolean) {}
  spawn(program: string, args: readonly string[], h: SpawnHandlers): SpawnedProcess {
    let timer: NodeJS.Timeout | null = null;
    if (program === 'ping') {
      const interval = Number(args[args.indexOf('-i') + 1]) * 1000;
      const source = args[args.indexOf('-I') + 1]!;
      const target = args[args.length - 1]!;
      let seq = 0;
      timer = setInterval(() => {
        if (this.alive(source)) h.onLine(`64 bytes from ${target}: seq=${seq} ttl=57 time=31.200 ms`);
        seq++;
      }, interval);
    }
    return { pid: 1, kill: (_s?: NodeJSSignal) => { if (timer) clearInterval(timer); h.onExit(null, 'SIGTERM'); } };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ScenarioResult {
  connections: number;
  rssBeforeMb: number;
  rssSteadyMb: number;
  heapSteadyMb: number;
  cpuSteadyPct: number;
  deadPathToRoutingMs: number | null;
  newGroupToDecisionMs: number | null;
  newGroupToRoutingMs: number | null;
  burstCpuPct: number | null;
  burstPlacedMs: number | null;
  burstGroups: number | null;
  /** Decision cycles during the 30 s steady window. */
  cyclesSteady: number;
}

async function scenario(n: number): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mf-bench-daemon-'));
  const socketPath = join(dir, 'ubus.sock');
  mkdirSync(join(dir, 'config'));
  const modems = Array.from({ length: MODEMS }, (_, k) => `
config modem 'm${k + 1}'
	option interface 'wwan${k + 1}'
	option metrics 'netifd'
	option price_per_gb '${k + 1}'
	list probe '203.0.113.1'
	option probe_interval '0.5'
	option down_kbps '50000'
	option up_kbps '10000'
`).join('');
  writeFileSync(join(dir, 'config', 'modemflow'), `config globals 'globals'\n\toption log_level 'info'\n\tlist lan 'lan'\n${modems}`);
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
  const broker = new UbusBroker({ socketPath });
  await broker.start();
  const netifd = new UbusClient({ socketPath });
  await netifd.connect();
  const up = Array.from({ length: MODEMS }, () => true);
  const answers = Array.from({ length: MODEMS }, () => true);
  const tStart = performance.now();
  const carried = Array.from({ length: MODEMS }, () => 0);
  const lost = Array.from({ length: MODEMS }, () => 0);
  for (let k = 0; k < MODEMS; k++) {
    await netifd.addObject({
      path: `network.interface.wwan${k + 1}`,
      methods: {
        status: {
          handler: () => ({
            up: up[k], uptime: 100, l3_device: `wwan${k + 1}`, proto: 'qmi',
            'ipv4-address': [{ address: `10.6${k + 1}.0.2`, mask: 30 }], 'ipv6-address': [],
            route: [{ target: '0.0.0.0', mask: 0, nexthop: `10.6${k + 1}.0.1` }], 'dns-server': [],
          }),
        },
      },
    });
  }
  await netifd.addObject({ path: 'network.interface.lan', methods: { status: { handler: () => ({ up: true, l3_device: 'br-lan', 'ipv4-address': [{ address: '192.168.1.1', mask: 24 }] }) } } });
  await netifd.addObject({
    path: 'network.device',
    methods: {
      status: {
        args: { name: 'string' },
        handler: (a) => {
          const k = Number(String(a['name']).replace('wwan', '')) - 1;
          // A steady 2 Mbit/s down, 0.2 up on each modem; a dead modem carries nothing (its counters stop).
          if (answers[k]) carried[k] = Math.round(((performance.now() - tStart) / 1000) * 250_000) - lost[k]!;
          else lost[k] = Math.round(((performance.now() - tStart) / 1000) * 250_000) - carried[k]!;
          const bytes = carried[k]!;
          return { present: true, up: true, statistics: { rx_bytes: bytes, tx_bytes: Math.round(bytes / 10), rx_errors: 0, tx_errors: 0, rx_dropped: 0, tx_dropped: 0 } };
        },
      },
    },
  });

  const t0 = performance.now();
  let live = n;
  const firstListed = new Map<number, number>();
  const runner = new RecordingRunner();
  runner.on(() => true, (c) => {
    runner.log.length = 0; // keep memory flat: the log is not needed here
    if (c.program === 'conntrack' && c.args[0] === '-L') {
      const now = performance.now();
      const lines: string[] = [];
      for (let i = 0; i < live; i++) {
        if (i >= n && !firstListed.has(i)) firstListed.set(i, now);
        lines.push(connLine(i, t0, now, n));
      }
      return { stdout: lines.join('\n') + '\n' };
    }
    if (c.program === 'ip' && c.args.includes('list')) return { stdout: '[]' };
    if (c.program === 'ip' && c.args.includes('show')) return { stdout: '[]' };
    if (c.program === 'sysctl') return { stdout: '1' };
    return { code: 0 };
  });
  const logger = new TimedLogger();
  const client = new UbusClient({ socketPath });
  await client.connect();
  const composed = await composeDaemon(
    { configDir: join(dir, 'config'), ubusSocket: socketPath, stateDir: join(dir, 'state'), dryRun: false, netns: null },
    {
      runner,
      spawner: new BenchPing((src) => answers[Number(src.split('.')[1]!.slice(1)) - 1] ?? false),
      clock: new SystemClock(),
      sysfs: new FsSysfsReader(dir),
      logger,
      setLogLevel: () => undefined,
      now: () => performance.now(),
    },
    client,
  );
  await sleep(20_000); // warm up: metrics, probes, first solves, rates
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const cycles0 = composed.daemon.recorder.counters.cycles;
  await sleep(30_000);
  const cyclesSteady = composed.daemon.recorder.counters.cycles - cycles0;
  const cpu1 = process.cpuUsage(cpu0);
  const wallMs = performance.now() - w0;
  const cpuSteadyPct = (100 * (cpu1.user + cpu1.system)) / 1000 / wallMs;
  global.gc?.();
  const mem = process.memoryUsage();

  // A path goes dead: time until the decision leaves the modem out and that routing is applied
  // (new connections of its groups go elsewhere; its own connections are flushed once nothing arrives).
  answers[0] = false;
  const dead0 = performance.now();
  let deadPathToRoutingMs: number | null = null;
  for (let i = 0; i < 200 && deadPathToRoutingMs === null; i++) {
    await sleep(50);
    const ex = logger.excluded.find((e) => e.atMs > dead0 && e.modem === 'm1');
    const hit = ex ? logger.routing.find((r) => r.atMs >= ex.atMs) : undefined;
    if (hit) deadPathToRoutingMs = hit.atMs - dead0;
  }
  answers[0] = true;
  await sleep(5000);

  // One new connection of a new LAN host group: listing -> decision -> routing.
  const fresh = n; // index n is a new connection
  live = n + 1;
  let newGroupToDecisionMs: number | null = null;
  let newGroupToRoutingMs: number | null = null;
  for (let i = 0; i < 200 && newGroupToRoutingMs === null; i++) {
    await sleep(25);
    const listed = firstListed.get(fresh);
    const group = `h:192.168.1.152:`;
    const placed = [...logger.placed.entries()].find(([g, at]) => g.startsWith(group) && listed !== undefined && at >= listed);
    if (listed !== undefined && placed) {
      newGroupToDecisionMs = placed[1] - listed;
      const r = logger.routing.find((x) => x.atMs >= placed[1]);
      if (r) newGroupToRoutingMs = r.atMs - listed;
    }
  }

  // A burst: 500 new connections within 1 s.
  let burstCpuPct: number | null = null;
  let burstPlacedMs: number | null = null;
  let burstGroups: number | null = null;
  if (n <= 1000) {
    const before = logger.placed.size;
    const c0 = process.cpuUsage();
    const b0 = performance.now();
    for (let k = 0; k < 10; k++) {
      live += 50;
      await sleep(100);
    }
    await sleep(5000);
    const c1 = process.cpuUsage(c0);
    burstCpuPct = (100 * (c1.user + c1.system)) / 1000 / (performance.now() - b0);
    burstGroups = logger.placed.size - before;
    const last = Math.max(...[...logger.placed.values()].filter((at) => at >= b0));
    burstPlacedMs = Number.isFinite(last) ? last - b0 : null;
  }
  await composed.stop();
  await client.close();
  await netifd.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    connections: n,
    rssBeforeMb: round(rssBeforeMb),
    rssSteadyMb: round(mem.rss / 2 ** 20),
    heapSteadyMb: round(mem.heapUsed / 2 ** 20),
    cpuSteadyPct: round(cpuSteadyPct, 2),
    deadPathToRoutingMs: deadPathToRoutingMs === null ? null : round(deadPathToRoutingMs),
    newGroupToDecisionMs: newGroupToDecisionMs === null ? null : round(newGroupToDecisionMs, 1),
    newGroupToRoutingMs: newGroupToRoutingMs === null ? null : round(newGroupToRoutingMs, 1),
    burstCpuPct: burstCpuPct === null ? null : round(burstCpuPct, 1),
    burstPlacedMs: burstPlacedMs === null ? null : round(burstPlacedMs),
    burstGroups,
    cyclesSteady,
  };
}

function round(x: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'scenario') {
    const r = await scenario(Number(process.argv[3]));
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  }
  const machine = `${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, node ${process.version}, load ${loadavg().map((x) => x.toFixed(1)).join('/')}`;
  const rows: ScenarioResult[] = [];
  for (const n of [1000, 10_000]) {
    process.stderr.write(`daemon bench: ${n} connections (about 70 s)...\n`);
    // The same flags as the init script, so RSS is what a router would see.
    const out = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=64', '--max-semi-space-size=1', process.argv[1]!, 'scenario', String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (out.status !== 0) throw new Error(`scenario ${n} failed: ${out.stderr}`);
    rows.push(JSON.parse(out.stdout.trim().split('\n').pop()!) as ScenarioResult);
  }
  const fmt = (v: number | null, unit = '') => (v === null ? '-' : `${v}${unit}`);
  const table = [
    '| connections | RSS before daemon | RSS steady | heap used | CPU steady (one core) | dead path -> routing | new group -> decision | new group -> routing | burst 500 conns: CPU, all placed after, groups | decision cycles in 30 s |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.connections} | ${r.rssBeforeMb} MB | ${r.rssSteadyMb} MB | ${r.heapSteadyMb} MB | ${r.cpuSteadyPct} % | ${fmt(r.deadPathToRoutingMs, ' ms')} | ${fmt(r.newGroupToDecisionMs, ' ms')} | ${fmt(r.newGroupToRoutingMs, ' ms')} | ${r.burstCpuPct === null ? '-' : `${r.burstCpuPct} %, ${r.burstPlacedMs} ms, ${r.burstGroups}`} | ${r.cyclesSteady} |`),
  ].join('\n');
  const text = `# modemflowd benchmark\n\nMachine: ${machine}; measured ${new Date().toISOString().slice(0, 10)}.\n` +
    `Command: \`node build.mjs bench && node dist/bench/daemon.js\` (node --max-old-space-size=64 --max-semi-space-size=1, as the init script).\n\n` +
    `4 modems (netifd objects on the project's ubus broker, 0.5 s path probes), a conntrack table of N connections from 100 LAN hosts, ` +
    `a kernel stand-in answering ip/nft/conntrack at once. RSS and CPU are the whole process: daemon plus broker, fake netifd and fake kernel ` +
    `(an upper bound on the daemon's own). "new group" times start when the conntrack listing first shows the connection; the tracker polls every 2 s, ` +
    `so a group waits up to 2 s before it is seen.\n\n${table}\n\n` +
    `Targets (issue 10): RSS <= 60 MB, CPU <= 2 % at 1,000 connections, dead path to new routing <= 1.5 s at 0.5 s probes, placement of a new group <= 50 ms.\n`;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/daemon.md', text);
  process.stdout.write(text);
}

void main();
