/**
 * `make demo`: an emulated three-modem router running the real daemon.
 *   node dist/demo/main.js [--seconds N] [--prefix P] [--plain] [--summary-json FILE]
 * Builds the test bed (namespaces P-rt, P-lan, P-op1..3, P-inet), starts the
 * router emulator and `modemflowd` in the router namespace, servers in the
 * internet namespace and the traffic on the LAN, plays the script while
 * showing the live view, prints the summary and removes everything — also
 * on Ctrl-C or SIGTERM; a demo killed outright is cleaned up by the next
 * start. Without root it runs the solver-only demo instead.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { UbusClient } from '../src/ubus/index.js';
import { buildBed, demoPaths, teardown, whyNotHere } from './bed.js';
import { playStep, writeConfig } from './director.js';
import { frame, plainLine, decisionLine } from './live-view.js';
import type { EmulatorState, ViewSnapshot } from './live-view.js';
import { Children } from './processes.js';
import type { Child } from './processes.js';
import { BULK_KBPS, CALL_PACKET_BYTES, CALL_INTERVAL_MS, MODEMS, VIDEO_KBPS, scriptFor } from './scenario.js';
import { formatSummary, summarize } from './summary.js';
import type { DownPeriod, ModemRecord, RunRecord } from './summary.js';
import type { BreakEvent, OutageEvent, TrafficLine, TrafficTick } from './traffic-report.js';
import type { AssignmentReply, FlowsReply, ModemsReply, StatusReply } from '../src/model/api.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = join(ROOT, 'dist');

function option(flag: string): string | null {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] ?? null : null;
}
const seconds = Number(option('--seconds') ?? process.env['DEMO_SECONDS'] ?? 120);
const prefix = option('--prefix') ?? process.env['DEMO_PREFIX'] ?? 'mfd';
const summaryJson = option('--summary-json');
const tty = process.stdout.isTTY === true && !process.argv.includes('--plain');
if (!Number.isFinite(seconds) || seconds < 10 || seconds > 86400) fail(`--seconds / DEMO_SECONDS: expected 10..86400, got '${option('--seconds') ?? process.env['DEMO_SECONDS']}'`);
if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) fail(`--prefix / DEMO_PREFIX: expected 1-8 lower-case letters/digits starting with a letter, got '${prefix}'`);

function fail(msg: string): never {
  process.stderr.write(`demo: ${msg}\n`);
  process.exit(2);
}
const say = (line: string): void => void process.stdout.write(line + '\n');

const notHere = await whyNotHere();
if (notHere !== null) {
  say(`demo: the emulated router cannot run here: ${notHere}.`);
  say('demo: running the solver-only demo instead (node dist/modemflow.js demo).\n');
  const child = spawn(process.execPath, [join(DIST, 'modemflow.js'), 'demo'], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}

async function main(): Promise<void> {
  const paths = demoPaths(ROOT, prefix);
  const children = new Children();
  let bus: UbusClient | null = null;
  let cleaning: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await bus?.close().catch(() => undefined);
      // The daemon first, so that it removes its kernel state while the namespace is there.
      if (daemon) await Children.stop(daemon, 5000);
      await children.stopAll(2000);
      await teardown(paths, prefix);
    })());
  let stop: string | null = null;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (stop !== null) return;
      stop = sig;
      say(`\ndemo: ${sig}: stopping and cleaning up`);
    });
  }
  let daemon: Child | null = null;
  // Setup takes seconds on a busy machine: a Ctrl-C meanwhile goes straight to the cleanup.
  const interrupted = (): void => {
    if (stop !== null) throw new Error(`stopped by ${stop} during setup`);
  };
  try {
    say(`demo: building the test bed (prefix ${prefix}; ${seconds} s run)`);
    const bed = await buildBed(paths, prefix);
    interrupted();
    if (!bed.delay) say('demo: this kernel has no sch_netem: the uplinks get their rates (htb) but no delay; carrying on');
    const node = process.execPath;
    const log = (n: string): string => join(paths.runDir, `${n}.log`);
    const emulator = children.start('emulator', `${prefix}-rt`, [node, join(DIST, 'demo/emulator.js'), '--socket', paths.socket], log('emulator'), true);
    await Children.waitFor(emulator, 'ready', 10_000);
    bus = new UbusClient({ socketPath: paths.socket, reconnect: false, defaultTimeoutMs: 3000 });
    await bus.connect();
    interrupted();

    const quotas: Record<string, number> = {};
    await writeConfig(paths.confDir, quotas);
    const daemonJs = join(DIST, 'modemflowd.js');
    let daemonState: RunRecord['daemon'] = 'missing';
    let daemonNote: string | null = null;
    if (!existsSync(daemonJs)) {
      daemonNote = `${daemonJs} is not built (node build.mjs router): the router routes by its main table only`;
      say(`demo: ${daemonNote}`);
    } else {
      daemon = children.start('modemflowd', `${prefix}-rt`, [node, daemonJs, '-c', paths.confDir, '-s', paths.socket, '--state-dir', paths.stateDir], log('modemflowd'));
      const ready = await waitForDaemon(bus, daemon, 15_000);
      if (ready === null) daemonState = 'running';
      else {
        daemonState = 'failed';
        daemonNote = `${ready}; log: ${(await readFile(log('modemflowd'), 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ')}`;
        say(`demo: modemflowd did not come up: ${daemonNote}`);
      }
    }

    if (daemonState === 'running') {
      // Traffic that starts before the first decision stays where the main table put it (NAT pins it).
      const t0 = Date.now();
      const settled = await waitForSettled(bus, 12_000);
      say(`demo: modemflowd ${settled ? 'settled' : 'still settling'} after ${((Date.now() - t0) / 1000).toFixed(1)} s; starting the traffic`);
    }
    interrupted();
    const servers = children.start('servers', `${prefix}-inet`, [node, join(DIST, 'demo/servers.js')], log('servers'), true);
    await Children.waitFor(servers, 'ready', 10_000);
    const traffic = children.start('traffic', `${prefix}-lan`, [node, join(DIST, 'demo/traffic.js')], log('traffic'), true);
    const breaks: BreakEvent[] = [];
    const outages: OutageEvent[] = [];
    let lastTick: TrafficTick | null = null;
    const said: string[] = [];
    const note = (line: string): void => {
      said.push(`${elapsed().toFixed(0).padStart(3)} s  ${line}`);
      if (!tty) say(`[${elapsed().toFixed(0).padStart(3)} s] ${line}`);
    };
    createInterface({ input: traffic.proc.stdout! }).on('line', (l) => {
      let msg: TrafficLine;
      try {
        msg = JSON.parse(l) as TrafficLine;
      } catch {
        return;
      }
      if (msg.type === 'tick') lastTick = msg;
      else if (msg.type === 'break') {
        breaks.push(msg);
        note(`connection broken: ${msg.flow} on uplink ${msg.uplink} (${msg.reason})`);
      } else outages.push(msg);
    });

    // netifd's events tell when an uplink went down and up, whoever caused it.
    const downs: DownPeriod[] = [];
    await bus.listen('network.interface', (_type, data) => {
      const m = MODEMS.find((x) => x.iface === data['interface']);
      if (!m) return;
      if (data['action'] === 'ifdown') downs.push({ uplink: m.uplink, downMs: Date.now(), upMs: null, cause: 'ifdown' });
      else if (data['action'] === 'ifup') {
        const open = downs.find((d) => d.uplink === m.uplink && d.upMs === null);
        if (open) open.upMs = Date.now();
      }
      note(`netifd: ${data['interface']} ${data['action']}`);
    });

    const baseline = await counters(bus);
    let current = baseline;
    const bytesOf = (name: string): number => (current[name] ?? 0) - (baseline[name] ?? 0);
    let failoverDrop: RunRecord['failoverDrop'] = null;
    const quotaRecords = new Map<string, NonNullable<ModemRecord['quota']>>();
    const startMs = Date.now();
    const elapsed = (): number => (Date.now() - startMs) / 1000;
    const steps = scriptFor(seconds);
    let prev = { at: performance.now(), c: baseline };
    const seenDecisions = new Set<string>();
    while (elapsed() < seconds && stop === null) {
      await sleep(1000 - ((Date.now() - startMs) % 1000));
      if (traffic.proc.exitCode !== null) throw new Error('the traffic generator stopped (see its log)');
      while (steps.length > 0 && steps[0]!.atS <= elapsed()) {
        const step = steps.shift()!;
        note(`script: ${await playStep(step, { bus, confDir: paths.confDir, daemonRunning: () => daemonState === 'running', bytesOf, quotas, quotaRecords, onDrop: (uplink, atMs) => (failoverDrop = { uplink, atMs }) })}`);
      }
      current = await counters(bus);
      const now = performance.now();
      const dt = (now - prev.at) / 1000;
      const rates: ViewSnapshot['rates'] = {};
      for (const m of MODEMS) {
        rates[m.name] = { rxKbps: (((current[`${m.name}:rx`] ?? 0) - (prev.c[`${m.name}:rx`] ?? 0)) * 8) / 1000 / dt, txKbps: (((current[`${m.name}:tx`] ?? 0) - (prev.c[`${m.name}:tx`] ?? 0)) * 8) / 1000 / dt };
      }
      prev = { at: now, c: current };
      const snap: ViewSnapshot = {
        elapsedS: elapsed(),
        totalS: seconds,
        daemon: daemonState === 'running' ? await readDaemon(bus) : { status: null, modems: null, flows: null, assignment: null, error: daemonNote ?? 'not running' },
        emulator: ((await bus.call('demo', 'state', {}).catch(() => null)) as EmulatorState | null),
        rates,
        modemInfo: MODEMS.map((m) => ({ name: m.name, uplink: m.uplink, rateMbit: m.rateMbit, pricePerGb: m.pricePerGb })),
        traffic: lastTick,
        said,
      };
      if (tty) {
        const width = process.stdout.columns ?? 120;
        process.stdout.write('\x1b[H\x1b[2J' + frame(snap).map((l) => l.slice(0, width)).join('\n') + '\n');
      } else {
        say(plainLine(snap));
        for (const d of snap.daemon.assignment?.decisions ?? []) {
          const key = `${d.atMs}|${d.kind}|${d.group}|${d.modem}`;
          if (!seenDecisions.has(key)) {
            seenDecisions.add(key);
            say(`        decision ${decisionLine(d)}`);
          }
        }
      }
    }
    const endMs = Date.now();
    await Children.stop(traffic, 2000);
    current = await counters(bus);
    const record: RunRecord = {
      seconds: (endMs - startMs) / 1000,
      startMs,
      endMs,
      modems: MODEMS.map((m) => ({ name: m.name, uplink: m.uplink, tier: m.tier, rateMbit: m.rateMbit, pricePerGb: m.pricePerGb, overagePricePerGb: m.overagePricePerGb, bytes: bytesOf(m.name), quota: quotaRecords.get(m.name) ?? null })),
      breaks,
      outages,
      downs,
      failoverDrop,
      call: (lastTick as TrafficTick | null)?.call ?? null,
      demandKbps: 2 * ((CALL_PACKET_BYTES * 8) / CALL_INTERVAL_MS) + VIDEO_KBPS + BULK_KBPS + 800,
      daemon: daemonState,
      daemonNote,
    };
    const summary = summarize(record);
    say('');
    for (const l of formatSummary(summary, daemonNote)) say(l);
    if (summaryJson) await writeFile(summaryJson, JSON.stringify({ ...summary, stoppedBy: stop, delay: bed.delay }, null, 2) + '\n');
  } catch (e) {
    if (stop === null) {
      process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)} (logs in ${paths.runDir} until cleanup)\n`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
    say(`demo: cleaned up (namespaces ${prefix}-*, processes, ${paths.runDir})`);
  }
  if (stop !== null) process.exitCode = 130;
  process.exit();
}

/** null when the daemon answers `modemflow status`, else why not. */
async function waitForDaemon(bus: UbusClient, daemon: Child, timeoutMs: number): Promise<string | null> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (daemon.proc.exitCode !== null) return `modemflowd exited with code ${daemon.proc.exitCode}`;
    try {
      await bus.call('modemflow', 'status', {}, { timeoutMs: 1000 });
      return null;
    } catch {
      await sleep(300);
    }
  }
  return `no ubus object 'modemflow' after ${timeoutMs / 1000} s`;
}

/** Whether every modem has been read (no 'unknown') and a decision cycle ran, within timeoutMs. */
async function waitForSettled(bus: UbusClient, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const st = (await bus.call('modemflow', 'status', {}, { timeoutMs: 1000 }).catch(() => null)) as StatusReply | null;
    if (st && st.counters.cycles > 0 && st.modems.every((m) => m.state !== 'unknown' && m.state !== 'waking')) return true;
    await sleep(300);
  }
  return false;
}

async function readDaemon(bus: UbusClient): Promise<ViewSnapshot['daemon']> {
  const o = { timeoutMs: 900 };
  try {
    const [status, modems, flows, assignment] = await Promise.all([
      bus.call('modemflow', 'status', {}, o),
      bus.call('modemflow', 'modems', {}, o),
      bus.call('modemflow', 'flows', {}, o),
      bus.call('modemflow', 'assignment', {}, o),
    ]);
    return { status: status as unknown as StatusReply, modems: modems as unknown as ModemsReply, flows: flows as unknown as FlowsReply, assignment: assignment as unknown as AssignmentReply, error: null };
  } catch (e) {
    return { status: null, modems: null, flows: null, assignment: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Byte counters of every uplink through the emulated netifd: name (rx + tx), name:rx, name:tx. */
async function counters(bus: UbusClient): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of MODEMS) {
    const st = (await bus.call('network.device', 'status', { name: m.device }).catch(() => ({}))) as { statistics?: Record<string, number> };
    const rx = st.statistics?.['rx_bytes'] ?? 0;
    const tx = st.statistics?.['tx_bytes'] ?? 0;
    out[m.name] = rx + tx;
    out[`${m.name}:rx`] = rx;
    out[`${m.name}:tx`] = tx;
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
