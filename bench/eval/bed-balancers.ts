/**
 * The three balancers the bed evaluation compares, each started in the
 * router namespace of a fresh bed and told of netifd's ifdown/ifup the way
 * it would be on OpenWrt: modemflowd (the real bundle, over ubus), the
 * mwan3-style ruleset with its tracker (bed-mwan3.ts), and the best single
 * link (one default route, the bed's main-table routes behind it).
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UbusBroker, UbusClient } from '../../src/ubus/index.js';
import type { AssignmentReply, ModemsReply, StatusReply } from '../../src/model/api.js';
import { publishNetifd } from '../../test/netns/fixtures/netifd.js';
import type { Rat } from '../../src/model/modem.js';
import { powerOptions, ratPower } from './bed-energy.js';
import { initialTrack, memberIpCommands, MWAN3_TRACK_DEFAULTS, mwan3Ruleset, policyUpdate, trackRound } from './bed-mwan3.js';
import type { Mwan3Member, TrackState } from './bed-mwan3.js';

const run = promisify(execFile);

export interface BedLink {
  uplink: number;
  rateMbit: number;
  pricePerGb: number;
  lossPct: number;
  mwan3Weight: number;
  /** The modem's radio: its power coefficients are the daemon's model for it (bed-energy.ts). */
  rat: Rat;
}

export interface BedContext {
  prefix: string;
  testbed: string;
  server: string;
  links: readonly BedLink[];
  /** The uplink the single-link balancer uses. */
  singleUplink: number;
  workDir: string;
  daemonBundle: string;
  /** Monthly quota per uplink, GB (null: none), for this run's daemon config. */
  quotaGb: readonly (number | null)[] | null;
  log: (s: string) => void;
}

export interface Balancer {
  readonly name: string;
  start(): Promise<void>;
  /** netifd's ifdown / ifup of an uplink (after the link itself changed). */
  linkEvent(uplink: number, up: boolean): Promise<void>;
  /** Lowers the power limit; says what the balancer did (one that has no power limit says so). */
  setPowerLimit(watts: number): Promise<string>;
  /** New SIM prices per uplink; says what the balancer did. */
  setPrices(pricesPerGb: readonly number[]): Promise<string>;
  /** Its state in a line, for the report ('' when it has nothing to say). */
  state(): Promise<string>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function inNs(ns: string, args: string[], input?: string): Promise<string> {
  if (input === undefined) return (await run('ip', ['netns', 'exec', ns, ...args], { maxBuffer: 1 << 22 })).stdout;
  return new Promise((ok, fail) => {
    const c = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`${args.join(' ')}: exit ${code}: ${err.trim()}`))));
    c.stdin.end(input);
  });
}

function modemflowConfig(ctx: BedContext, prices: readonly number[]): string {
  const modems = ctx.links.map((l, i) => {
    const p = powerOptions(ratPower(l.rat));
    const quota = ctx.quotaGb?.[i] ?? null;
    return `
config modem 'm${l.uplink}'
	option interface 'wwan${l.uplink}'
	option metrics 'netifd'
	option price_per_gb '${prices[i]}'
	list probe '${ctx.server}'
	option probe_interval '0.5'
	option down_kbps '${l.rateMbit * 1000}'
	option up_kbps '${l.rateMbit * 1000}'
	option power_base_mw '${p.baseMw}'
	option power_tx_mw_per_mbps '${p.txMwPerMbps}'
	option power_rx_mw_per_mbps '${p.rxMwPerMbps}'
${quota === null ? '' : `	option quota_gb '${quota}'\n`}`;
  });
  return `
config globals 'globals'
	option log_level 'info'
	option solve_interval '10'
	list lan 'lan'
${modems.join('')}
config class 'bulk'
	option proto 'tcp'
	list dest_port '9000'
	option qos 'B'
	option up_kbps '100'
	option down_kbps '8000'

config telemetry 'telemetry'
	option enabled '0'
`;
}

export function modemflowBalancer(ctx: BedContext): Balancer {
  const dir = join(ctx.workDir, 'modemflow');
  const socketPath = join(dir, 'ubus.sock');
  const logFile = join(dir, 'daemon.log');
  let broker: UbusBroker | null = null;
  let netifd: UbusClient | null = null;
  let client: UbusClient | null = null;
  let daemon: ChildProcess | null = null;
  const status = async (): Promise<StatusReply | null> => ((await client!.call('modemflow', 'status').catch(() => null)) as StatusReply | null);
  const configFile = join(dir, 'config', 'modemflow');
  return {
    name: 'modemflowd',
    async start() {
      mkdirSync(join(dir, 'config'), { recursive: true });
      writeFileSync(configFile, modemflowConfig(ctx, ctx.links.map((l) => l.pricePerGb)));
      process.env['MF_TESTBED'] = ctx.testbed;
      broker = new UbusBroker({ socketPath });
      await broker.start();
      netifd = new UbusClient({ socketPath });
      await netifd.connect();
      await publishNetifd(netifd, ctx.prefix, ctx.links.length);
      client = new UbusClient({ socketPath, defaultTimeoutMs: 5000 });
      await client.connect();
      const out = openSync(logFile, 'a');
      daemon = spawn('ip', ['netns', 'exec', `${ctx.prefix}-rt`, process.execPath, ctx.daemonBundle, '-c', join(dir, 'config'), '-s', socketPath, '--state-dir', join(dir, 'state')], {
        stdio: ['ignore', out, out],
      });
      const t0 = performance.now();
      // A guard against hanging, not a measurement.
      for (;;) {
        const s = await status();
        // Traffic starts on a running router: routing applied and a full short probe window on every modem
        // (until then no modem is known to meet a delay class, and a call's first packets take whichever is active).
        const ready = s && s.counters.routingApplies > 0 && s.modems.every((m) => m.state === 'active' || m.state === 'standby');
        const m = ready ? ((await client!.call('modemflow', 'modems').catch(() => null)) as ModemsReply | null) : null;
        if (m && m.modems.every((x) => x.path?.alive === true && x.path.short.samples >= 10)) break;
        if (performance.now() - t0 > 30_000) throw new Error(`modemflowd did not apply routing and fill a probe window on every modem in 30 s\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
        await sleep(200);
      }
    },
    async linkEvent(uplink, up) {
      await client!.sendEvent('network.interface', { action: up ? 'ifup' : 'ifdown', interface: `wwan${uplink}` });
    },
    async setPowerLimit(watts) {
      const r = await client!.call('modemflow', 'set_power_limit', { watts });
      return `set_power_limit: ${JSON.stringify(r)}`;
    },
    async state() {
      const s = await status();
      if (!s) return 'no status';
      const a = (await client!.call('modemflow', 'assignment').catch(() => null)) as AssignmentReply | null;
      const modems = s.modems.map((m) => `${m.name} ${m.state}`).join(', ');
      const power = `modelled ${s.power.modelledW.toFixed(2)} W, limit ${s.power.limitW === null ? 'none' : `${s.power.limitW} W`}`;
      return `${modems}; ${power}${a ? `; last solve ${a.status}` : ''}`;
    },
    async setPrices(prices) {
      writeFileSync(configFile, modemflowConfig(ctx, prices));
      const r = (await client!.call('modemflow', 'reload')) as { state?: string; changed?: string[] };
      return `reload: ${r.state ?? '?'}, changed ${(r.changed ?? []).join(', ') || 'nothing'}`;
    },
    async stop() {
      const d = daemon;
      if (d && d.exitCode === null) {
        const gone = new Promise((r) => d.once('exit', r));
        d.kill('SIGTERM');
        await Promise.race([gone, sleep(5000)]);
        if (d.exitCode === null) d.kill('SIGKILL');
      }
      await client?.close().catch(() => undefined);
      await netifd?.close().catch(() => undefined);
      await broker?.stop().catch(() => undefined);
    },
  };
}

export function mwan3Balancer(ctx: BedContext): Balancer {
  const rt = `${ctx.prefix}-rt`;
  const members: Mwan3Member[] = ctx.links.map((l) => ({ uplink: l.uplink, device: `wan${l.uplink}`, gatewayV4: `100.64.${l.uplink}.1`, weight: l.mwan3Weight }));
  const online = new Set(members.map((m) => m.uplink));
  /** Tracking paused while netifd has the interface down (mwan3track: disabled until ifup). */
  const paused = new Set<number>();
  const track = new Map<number, TrackState>(members.map((m) => [m.uplink, initialTrack()]));
  let stopped = false;
  const loops: Promise<void>[] = [];
  const apply = async (): Promise<void> => {
    await inNs(rt, ['nft', '-f', '-'], policyUpdate(members.filter((m) => online.has(m.uplink))));
  };
  const setOnline = async (uplink: number, on: boolean, why: string): Promise<void> => {
    if (on === online.has(uplink)) return;
    if (on) online.add(uplink);
    else online.delete(uplink);
    ctx.log(`  mwan3: wwan${uplink} ${on ? 'online' : 'offline'} (${why})`);
    await apply();
  };
  const ping = async (m: Mwan3Member): Promise<boolean> => {
    const d = MWAN3_TRACK_DEFAULTS;
    try {
      await inNs(rt, ['ping', '-n', '-c', String(d.count), '-W', String(d.timeoutS), '-s', String(d.sizeBytes), '-t', String(d.maxTtl), '-q', '-I', m.device, ctx.server]);
      return true;
    } catch {
      return false;
    }
  };
  const trackLoop = async (m: Mwan3Member): Promise<void> => {
    while (!stopped) {
      if (paused.has(m.uplink)) {
        await sleep(200);
        continue;
      }
      const ok = await ping(m);
      if (stopped) return;
      if (paused.has(m.uplink)) continue;
      const step = trackRound(track.get(m.uplink)!, ok);
      track.set(m.uplink, step.state);
      if (step.event) await setOnline(m.uplink, step.event === 'connected', `mwan3track: ${step.event}`);
      const until = performance.now() + step.sleepS * 1000;
      while (!stopped && !paused.has(m.uplink) && performance.now() < until) await sleep(200);
    }
  };
  return {
    name: 'mwan3-style',
    async start() {
      await inNs(rt, ['nft', '-f', '-'], mwan3Ruleset('lan0', '192.168.77.0/24', members));
      for (const m of members) for (const c of memberIpCommands(m)) await inNs(rt, ['ip', ...c]);
      for (const m of members) loops.push(trackLoop(m));
    },
    async linkEvent(uplink, up) {
      const m = members.find((x) => x.uplink === uplink)!;
      if (up) {
        // hotplug ifup: the interface's route back in its table, mwan3track starts over as online.
        await inNs(rt, ['ip', ...memberIpCommands(m)[0]!]);
        track.set(uplink, initialTrack());
        paused.delete(uplink);
        await setOnline(uplink, true, 'hotplug ifup');
      } else {
        paused.add(uplink);
        await setOnline(uplink, false, 'hotplug ifdown');
      }
    },
    async setPowerLimit() {
      return 'mwan3 has no power limit';
    },
    async setPrices() {
      return 'mwan3 has no notion of price';
    },
    async state() {
      return `members online: ${[...online].sort().map((u) => `wwan${u}`).join(', ') || 'none'}`;
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

export function singleLinkBalancer(ctx: BedContext): Balancer {
  const rt = `${ctx.prefix}-rt`;
  const u = ctx.singleUplink;
  const route = ['ip', '-4', 'route', 'replace', 'default', 'via', `100.64.${u}.1`, 'dev', `wan${u}`, 'metric', '5'];
  return {
    name: `single link (wwan${u})`,
    async start() {
      await inNs(rt, route);
    },
    async linkEvent(uplink, up) {
      // The kernel dropped the route with the link; the router puts it back on ifup.
      if (up && uplink === u) await inNs(rt, route);
    },
    async setPowerLimit() {
      return 'a single link has no power limit';
    },
    async setPrices() {
      return 'a single link keeps its link';
    },
    async state() {
      return '';
    },
    async stop() {},
  };
}
