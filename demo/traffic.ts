/**
 * The demo's LAN traffic, run in the LAN namespace: a call (UDP, 125-byte
 * packets every 10 ms each way, echoed), a video stream (one long TCP
 * connection), a bulk download (one file after another, each on its own
 * connection; paced by the server) and web browsing (a short TCP request
 * every 500 ms), each from its LAN host's address (scenario.ts).
 * Reports a TrafficTick per second, and BreakEvent / OutageEvent lines as
 * they happen, on stdout as JSON lines. A long connection that errors,
 * closes, or stalls for STALL_MS is broken; the application reconnects, as
 * a player would. Exits when stdin closes.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { BULK_FILE_BYTES, CALL_INTERVAL_MS, CALL_PACKET_BYTES, LAN_HOSTS, PORTS, SERVER_V4, TRAFFIC } from './scenario.js';
import type { TrafficKind } from './scenario.js';
import type { CallStats, StreamStats, TrafficLine, WebStats } from './traffic-report.js';

const STALL_MS = 4000;
const WEB_EVERY_MS = 500;
const WEB_BYTES = 50_000;
const WEB_TIMEOUT_MS = 4000;
/** A pause in the echoes longer than this is an outage of the call. */
const CALL_GAP_MS = 300;

const emit = (line: TrafficLine): void => void process.stdout.write(JSON.stringify(line) + '\n');
const now = (): number => Date.now();

function startAfter(kind: TrafficKind, fn: () => void): void {
  setTimeout(fn, TRAFFIC.find((t) => t.kind === kind)!.startS * 1000);
}

function hostOf(kind: TrafficKind): string {
  const host = TRAFFIC.find((t) => t.kind === kind)!.host;
  return LAN_HOSTS.find((h) => h.name === host)!.v4;
}

// ---- call ----
const call: CallStats = { sent: 0, received: 0, rttMs: null, jitterMs: null, lossPct: 0, maxGapMs: 0, uplink: 0 };
const echoed: boolean[] = [];
const sentAt: number[] = [];
let windowRtts: number[] = [];
let lastEchoMs = 0;
let lastRtt: number | null = null;
let jitter = 0;
const sock = dgram.createSocket('udp4');
sock.on('error', () => undefined);
sock.on('message', (msg) => {
  if (msg.length < 13) return;
  const seq = msg.readUInt32BE(0);
  const rtt = performance.now() - msg.readDoubleBE(4);
  const uplink = msg[12]!;
  const t = now();
  if (lastEchoMs > 0 && t - lastEchoMs > CALL_GAP_MS) {
    emit({ type: 'outage', flow: 'call', fromMs: lastEchoMs, toMs: t, fromUplink: call.uplink, toUplink: uplink });
  }
  if (lastEchoMs > 0) call.maxGapMs = Math.max(call.maxGapMs, t - lastEchoMs);
  lastEchoMs = t;
  if (!echoed[seq]) {
    echoed[seq] = true;
    call.received++;
  }
  call.uplink = uplink;
  windowRtts.push(rtt);
  if (lastRtt !== null) jitter += (Math.abs(rtt - lastRtt) - jitter) / 16;
  lastRtt = rtt;
});
startAfter('call', () => sock.bind(0, hostOf('call'), () => {
  const packet = Buffer.alloc(CALL_PACKET_BYTES, 0x63);
  const t0 = performance.now();
  // Timers slip on a busy machine: send what is due since the start, so the call keeps its 100 kbit/s.
  setInterval(() => {
    const due = Math.min(10, Math.floor((performance.now() - t0) / CALL_INTERVAL_MS) + 1 - call.sent);
    for (let i = 0; i < due; i++) {
      const seq = call.sent++;
      packet.writeUInt32BE(seq, 0);
      packet.writeDoubleBE(performance.now(), 4);
      packet[12] = 0;
      sentAt[seq] = now();
      sock.send(packet, PORTS.call, SERVER_V4);
    }
  }, CALL_INTERVAL_MS);
}));

function callTick(): void {
  call.rttMs = windowRtts.length ? windowRtts.reduce((a, b) => a + b, 0) / windowRtts.length : null;
  call.jitterMs = lastRtt === null ? null : jitter;
  windowRtts = [];
  // Loss over the packets sent more than a second ago (their echoes had time to come).
  const cutoff = now() - 1000;
  let due = 0;
  let lost = 0;
  for (let s = 0; s < sentAt.length && sentAt[s]! < cutoff; s++) {
    due++;
    if (!echoed[s]) lost++;
  }
  call.lossPct = due ? (lost / due) * 100 : 0;
}

// ---- long TCP streams: video (one connection), bulk (one file after another) ----
function stream(kind: 'video' | 'bulk', port: number, fileBytes: number | null): StreamStats {
  const stats: StreamStats = { bytes: 0, kbps: 0, uplink: 0, connections: 0 };
  let lastDataMs = 0;
  const connect = (): void => {
    stats.connections++;
    let uplink = 0;
    let done = false;
    let head = '';
    let connBytes = 0;
    const s = net.connect({ host: SERVER_V4, port, localAddress: hostOf(kind) });
    if (fileBytes !== null) s.on('connect', () => s.write(`GET ${fileBytes}\n`));
    const broke = (reason: string): void => {
      if (done) return;
      done = true;
      clearInterval(watch);
      s.destroy();
      emit({ type: 'break', atMs: now(), flow: kind, uplink, reason });
      setTimeout(connect, 500);
    };
    const watch = setInterval(() => {
      if (uplink > 0 && now() - lastDataMs > STALL_MS) broke(`no data for ${STALL_MS / 1000} s`);
    }, 500);
    s.on('data', (d: Buffer) => {
      const t = now();
      if (uplink === 0) {
        head += d.toString('latin1', 0, Math.min(d.length, 16));
        const m = /^via (\d)\n/.exec(head);
        if (!m) return;
        uplink = Number(m[1]);
      }
      if (lastDataMs > 0 && t - lastDataMs > 1000) {
        emit({ type: 'outage', flow: kind, fromMs: lastDataMs, toMs: t, fromUplink: stats.uplink, toUplink: uplink });
      }
      stats.uplink = uplink;
      lastDataMs = t;
      stats.bytes += d.length;
      connBytes += d.length;
    });
    s.on('error', (e: NodeJS.ErrnoException) => broke(e.code ?? e.message));
    s.on('close', () => {
      if (fileBytes !== null && connBytes >= fileBytes && !done) {
        // The file is complete: the next one on a new connection, placed wherever the router now sends it.
        done = true;
        clearInterval(watch);
        connect();
      } else broke('closed by the network');
    });
    // Before the first byte a connect that hangs counts as a break too.
    setTimeout(() => uplink === 0 && broke('no answer'), STALL_MS);
  };
  startAfter(kind, connect);
  return stats;
}

// ---- web ----
const web: WebStats = { ok: 0, failed: 0, byUplink: {}, lastUplink: 0 };
let lastWebOkMs = 0;
let webFailedSince = false;
let webFromUplink = 0;
function webRequest(): void {
  let uplink = 0;
  let got = 0;
  let head = true;
  let finished = false;
  const s = net.connect({ host: SERVER_V4, port: PORTS.web, localAddress: hostOf('web') });
  const finish = (ok: boolean, reason: string): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    s.destroy();
    const t = now();
    if (ok) {
      web.ok++;
      web.byUplink[String(uplink)] = (web.byUplink[String(uplink)] ?? 0) + 1;
      if (webFailedSince) emit({ type: 'outage', flow: 'web', fromMs: lastWebOkMs, toMs: t, fromUplink: webFromUplink, toUplink: uplink });
      webFailedSince = false;
      lastWebOkMs = t;
      web.lastUplink = uplink;
      webFromUplink = uplink;
    } else {
      web.failed++;
      webFailedSince = true;
      // Connected (the server named the uplink) and then lost: a broken connection.
      if (uplink > 0) emit({ type: 'break', atMs: t, flow: 'web', uplink, reason });
    }
    setTimeout(webRequest, WEB_EVERY_MS);
  };
  // Idle, not total, time: a page that arrives slowly over a busy link is slow, not broken (as the other flows' 4 s stall rule).
  let timer = setTimeout(() => finish(false, `no data for ${WEB_TIMEOUT_MS / 1000} s`), WEB_TIMEOUT_MS);
  s.on('connect', () => s.write(`GET ${WEB_BYTES}\n`));
  s.on('data', (d: Buffer) => {
    clearTimeout(timer);
    timer = setTimeout(() => finish(false, `no data for ${WEB_TIMEOUT_MS / 1000} s`), WEB_TIMEOUT_MS);
    if (head) {
      const nl = d.indexOf(10);
      const m = /^via (\d)$/.exec(d.toString('latin1', 0, nl < 0 ? 0 : nl));
      if (m) uplink = Number(m[1]);
      head = false;
      got += d.length - (nl + 1);
    } else got += d.length;
  });
  s.on('end', () => finish(got >= WEB_BYTES, `short reply (${got} of ${WEB_BYTES} bytes)`));
  s.on('error', (e: NodeJS.ErrnoException) => finish(false, e.code ?? e.message));
}
startAfter('web', webRequest);

const video = stream('video', PORTS.video, null);
const bulk = stream('bulk', PORTS.bulk, BULK_FILE_BYTES);
let last = { video: 0, bulk: 0, t: performance.now() };
setInterval(() => {
  callTick();
  const t = performance.now();
  const dt = (t - last.t) / 1000;
  video.kbps = ((video.bytes - last.video) * 8) / 1000 / dt;
  bulk.kbps = ((bulk.bytes - last.bulk) * 8) / 1000 / dt;
  last = { video: video.bytes, bulk: bulk.bytes, t };
  emit({ type: 'tick', atMs: now(), call: { ...call }, video: { ...video }, bulk: { ...bulk }, web: { ...web, byUplink: { ...web.byUplink } } });
}, 1000);

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
