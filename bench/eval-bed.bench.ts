// Issue 15, part 2: real traffic in the network-namespace test bed. For each
// balancer (modemflowd, mwan3-style, the best single link) and scenario
// (steady; a modem's link failing and returning; 100 % loss on a modem whose
// link stays up), a fresh bed with three shaped uplinks, the same traffic
// mix from the LAN, and the figures: bulk throughput, call RTT/jitter/loss,
// web, data cost, failover time, broken connections.
// Usage (root): node dist/bench/eval-bed.js [--quick] [--prefix mfe] [--only modemflowd,mwan3,single]
// [--scenarios 1,2,3] [--keep] (keep the run directory with the daemon's log).
// Writes bench/results/eval-bed.md. Run by `make bench-eval` after the simulation.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inNs, modemflowBalancer, mwan3Balancer, singleLinkBalancer } from './eval/bed-balancers.js';
import type { Balancer, BedContext, BedLink } from './eval/bed-balancers.js';
import { dataCost, runFigures } from './eval/bed-metrics.js';
import type { RunFigures } from './eval/bed-metrics.js';
import { bedReport } from './eval/bed-report.js';
import type { BedRun } from './eval/bed-report.js';
import { runServer, runTraffic } from './eval/bed-roles.js';
import type { TrafficOptions, TrafficRecord } from './eval/bed-roles.js';

const run = promisify(execFile);
const argv = process.argv.slice(2);
const SELF = fileURLToPath(import.meta.url);

const role = argv[0] === '--role' ? argv[1] : null;
if (role === 'server') {
  await runServer(argv[2] ?? '0.0.0.0');
} else if (role === 'traffic') {
  process.stdout.write(JSON.stringify(await runTraffic(JSON.parse(argv[2]!) as TrafficOptions)) + '\n');
  process.exit(0);
} else {
  await main();
}

interface Scenario {
  name: string;
  seconds: number;
  /** The failure: what, on which uplink, from and to (s after the traffic starts). */
  fail: { kind: 'link' | 'loss'; uplink: number; rateMbit: number; atS: number; untilS: number } | null;
}

async function main(): Promise<void> {
  const quick = argv.includes('--quick') || process.env['QUICK'] === '1';
  const pi = argv.indexOf('--prefix');
  const prefix = pi >= 0 ? argv[pi + 1]! : 'mfe';
  const here = dirname(SELF);
  const root = resolve(here, '../..');
  const out = join(root, 'bench/results');
  const say = (s: string): void => void process.stdout.write(`[eval-bed ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

  const why =
    process.getuid?.() !== 0
      ? 'needs root (network namespaces)'
      : (await Promise.all(['ip', 'nft', 'tc', 'ping'].map((t) => run('sh', ['-c', 'command -v "$1"', 'sh', t]).then(() => null, () => t)))).find((x) => x) ?? null;
  if (why) {
    say(`skipped: ${why.includes(' ') ? why : `${why} is not installed (make sysdeps)`}`);
    return;
  }
  const bundle = join(root, 'dist/modemflowd.js');
  if (!existsSync(bundle)) await run(process.execPath, [join(root, 'build.mjs'), 'router'], { cwd: root });

  const links: BedLink[] = [
    { uplink: 1, rateMbit: 20, pricePerGb: 4, lossPct: 0, mwan3Weight: 4 },
    { uplink: 2, rateMbit: 10, pricePerGb: 1, lossPct: 0, mwan3Weight: 2 },
    { uplink: 3, rateMbit: 5, pricePerGb: 0.5, lossPct: 2, mwan3Weight: 1 },
  ];
  const failUplink = 2;
  const scenarios: Scenario[] = quick
    ? [
        { name: 'steady', seconds: 12, fail: null },
        { name: 'link down and back', seconds: 25, fail: { kind: 'link', uplink: failUplink, rateMbit: links[failUplink - 1]!.rateMbit, atS: 6, untilS: 18 } },
        { name: '100 % loss, link up', seconds: 30, fail: { kind: 'loss', uplink: failUplink, rateMbit: links[failUplink - 1]!.rateMbit, atS: 6, untilS: 26 } },
      ]
    : [
        { name: 'steady', seconds: 30, fail: null },
        { name: 'link down and back', seconds: 50, fail: { kind: 'link', uplink: failUplink, rateMbit: links[failUplink - 1]!.rateMbit, atS: 12, untilS: 38 } },
        { name: '100 % loss, link up', seconds: 105, fail: { kind: 'loss', uplink: failUplink, rateMbit: links[failUplink - 1]!.rateMbit, atS: 12, untilS: 97 } },
      ];
  const traffic: Omit<TrafficOptions, 'seconds'> = {
    server: '203.0.113.10',
    bulkConns: 6,
    bulkFileBytes: 4_000_000,
    webEveryMs: 500,
    webBytes: 50_000,
    callIntervalMs: 20,
    callBytes: 160,
    probeEveryMs: 250,
    probeTimeoutMs: 3000,
    hosts: { call: '192.168.77.2', web: '192.168.77.2', bulk: ['192.168.77.3', '192.168.77.4', '192.168.77.5'] },
  };
  const WARMUP_S = 3;
  const testbed = join(root, 'test/netns/testbed.sh');
  const workDir = mkdtempSync(join(tmpdir(), 'mf-eval-bed-'));
  const oi = argv.indexOf('--only');
  const kinds = (['modemflowd', 'mwan3', 'single'] as const).filter((k) => oi < 0 || argv[oi + 1]!.split(',').includes(k));
  const si = argv.indexOf('--scenarios');
  const wanted = si < 0 ? null : argv[si + 1]!.split(',');
  const keep = argv.includes('--keep');
  const runs: BedRun[] = [];
  const bed = (...a: string[]): Promise<unknown> => run(testbed, ['--prefix', prefix, ...a]);
  let netem = false;

  /** One balancer through one scenario on a fresh bed. */
  const oneRun = async (sc: Scenario, kind: (typeof kinds)[number], attempt: number): Promise<BedRun> => {
    await bed('up');
    for (const a of [...new Set([traffic.hosts.call, traffic.hosts.web, ...traffic.hosts.bulk])].filter((a) => a !== '192.168.77.2')) {
      await run('ip', ['-n', `${prefix}-lan`, 'addr', 'add', `${a}/24`, 'dev', 'eth0']);
    }
    // Whether the kernel has sch_netem (for the report); a failed try leaves the uplink unshaped, so shape after it.
    netem = await bed('shape', '--uplink', '1', '--delay', '1ms').then(() => true, () => false);
    for (const l of links) {
      await bed('shape', '--uplink', String(l.uplink), '--rate', `${l.rateMbit}mbit`, '--queue', '50', ...(l.lossPct ? ['--loss', String(l.lossPct)] : []));
    }
    const ctx: BedContext = {
      prefix,
      testbed,
      server: traffic.server,
      links,
      singleUplink: 2,
      workDir: join(workDir, `${sc.name}-${kind}-${attempt}`.replace(/\W+/g, '-')),
      daemonBundle: bundle,
      log: say,
    };
    mkdirSync(ctx.workDir, { recursive: true });
    const balancer: Balancer = kind === 'modemflowd' ? modemflowBalancer(ctx) : kind === 'mwan3' ? mwan3Balancer(ctx) : singleLinkBalancer(ctx);
    const server = spawn('ip', ['netns', 'exec', `${prefix}-inet`, process.execPath, SELF, '--role', 'server', traffic.server], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((ok, fail) => {
        server.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ok());
        server.once('exit', (c) => fail(new Error(`server exited ${c}`)));
      });
      say(`${sc.name}: ${balancer.name}`);
      await balancer.start();
      const before = await uplinkBytes(prefix, links.length);
      const rec = await withScenario(prefix, testbed, sc, balancer, say, () => trafficRun(prefix, SELF, { ...traffic, seconds: sc.seconds }));
      const after = await uplinkBytes(prefix, links.length);
      const bytes = after.map((b, i) => b - before[i]!);
      if (keep) writeFileSync(join(ctx.workDir, 'traffic.json'), JSON.stringify(rec));
      const fig: RunFigures = runFigures(rec.record, WARMUP_S, rec.fail, traffic.probeTimeoutMs);
      say(`  bulk ${fig.bulkMbps.toFixed(1)} Mbit/s, call loss ${fig.call.lossPct.toFixed(1)} %, breaks ${fig.breaks}, failover ${fig.failoverS ?? 'none'}`);
      return { scenario: sc.name, balancer: balancer.name, figures: fig, bytesByUplink: bytes, cost: dataCost(bytes, links.map((l) => l.pricePerGb)), bulkConnsByUplink: rec.record.bulkConnsByUplink };
    } finally {
      await balancer.stop().catch((e: Error) => say(`  stop: ${e.message}`));
      server.kill('SIGKILL');
      await bed('down');
    }
  };

  try {
    for (const sc of scenarios.filter((_, i) => !wanted || wanted.includes(String(i + 1)))) {
      for (const kind of kinds) {
        // A run whose traffic program died (seen once: killed by a signal from outside) is run again, once.
        runs.push(
          await oneRun(sc, kind, 1).catch((e: Error) => {
            say(`  run failed (${e.message}); once more`);
            return oneRun(sc, kind, 2);
          }),
        );
      }
    }
  } finally {
    await bed('down').catch(() => undefined);
    if (keep) say(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }

  const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Linux ${release()}, node ${process.version}`;
  const md = bedReport({ date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', machine, command: `node dist/bench/eval-bed.js ${argv.join(' ')}`.trim(), netem, links, runs, traffic, quick });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'eval-bed.md'), md);
  say(`wrote bench/results/eval-bed.md`);
}

async function uplinkBytes(prefix: string, n: number): Promise<number[]> {
  const doc = JSON.parse(await inNs(`${prefix}-rt`, ['ip', '-j', '-s', 'link', 'show'])) as Array<{ ifname: string; stats64?: { rx: { bytes: number }; tx: { bytes: number } } }>;
  return Array.from({ length: n }, (_, i) => {
    const s = doc.find((l) => l.ifname === `wan${i + 1}`)?.stats64;
    return s ? s.rx.bytes + s.tx.bytes : 0;
  });
}

function trafficRun(prefix: string, self: string, o: TrafficOptions): Promise<TrafficRecord> {
  return new Promise((ok, fail) => {
    const c = spawn('ip', ['netns', 'exec', `${prefix}-lan`, process.execPath, self, '--role', 'traffic', JSON.stringify(o)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('exit', (code, signal) => {
      try {
        if (code !== 0) throw new Error(`traffic program exited ${code ?? signal}`);
        ok(JSON.parse(out.trim().split('\n').pop()!) as TrafficRecord);
      } catch (e) {
        fail(e as Error);
      }
    });
  });
}

/** Runs the traffic and plays the scenario's failure against it; returns the record and the failure's epoch times. */
async function withScenario(
  prefix: string,
  testbed: string,
  sc: Scenario,
  balancer: Balancer,
  say: (s: string) => void,
  traffic: () => Promise<TrafficRecord>,
): Promise<{ record: TrafficRecord; fail: { downMs: number; upMs: number } | null }> {
  const t0 = Date.now();
  const recP = traffic();
  if (!sc.fail) return { record: await recP, fail: null };
  const f = sc.fail;
  const tb = (...a: string[]): Promise<unknown> => run(testbed, ['--prefix', prefix, ...a]);
  const at = (s: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t0 + s * 1000 - Date.now())));
  await at(f.atS);
  const downMs = Date.now();
  if (f.kind === 'link') {
    await tb('link', '--uplink', String(f.uplink), 'down');
    await balancer.linkEvent(f.uplink, false);
  } else {
    await tb('shape', '--uplink', String(f.uplink), '--rate', `${f.rateMbit}mbit`, '--queue', '50', '--loss', '100');
  }
  say(`  wwan${f.uplink}: ${f.kind === 'link' ? 'link down' : '100 % loss'}`);
  await at(f.untilS);
  const upMs = Date.now();
  if (f.kind === 'link') {
    await tb('link', '--uplink', String(f.uplink), 'up');
    await balancer.linkEvent(f.uplink, true);
  } else {
    await tb('shape', '--uplink', String(f.uplink), '--rate', '10mbit', '--queue', '50');
  }
  say(`  wwan${f.uplink}: back`);
  return { record: await recP, fail: { downMs, upMs } };
}
