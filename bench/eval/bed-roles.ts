/**
 * The two programs the bed evaluation runs inside the namespaces (the
 * bench bundle re-executes itself with `--role server|traffic`):
 * - server (internet namespace): TCP 9000 (bulk, fallback class) and 80
 *   (web) answer "GET N\n" with "via U\n" (U = the uplink the connection
 *   came through, from the operator's NAT address) and N bytes as fast as
 *   the path takes them; TCP 1935 (a live video stream, streaming class by
 *   the built-in RTMP rule) answers "STREAM R S\n" with "via U\n" and R
 *   bytes per second in 100 ms slices for S seconds, a live source (what
 *   the path cannot take queues at the sender); UDP 16400 (a call,
 *   realtime class) echoes each datagram with the uplink appended.
 * - traffic (LAN namespace): calls (UDP, constant rate, one per call
 *   host), bulk downloads (files one after another on each of `bulkConns`
 *   connections), a video stream, web requests and short connection
 *   probes; prints one JSON TrafficRecord.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export const BED_PORTS = Object.freeze({ bulk: 9000, web: 80, video: 1935, call: 16400 });

export interface TrafficOptions {
  server: string;
  seconds: number;
  bulkConns: number;
  bulkFileBytes: number;
  webEveryMs: number;
  webBytes: number;
  callIntervalMs: number;
  callBytes: number;
  probeEveryMs: number;
  probeTimeoutMs: number;
  /** The video stream's rate, bit/s (0: no stream). */
  videoBitPerS: number;
  /** LAN source addresses: one call per call host; web, probes and the video from one host; bulk downloads spread over the others. */
  hosts: { calls: string[]; web: string; video: string; bulk: string[] };
}

/** The bed's traffic mix, the same for every balancer (the run's length comes per scenario). */
export const BED_TRAFFIC: Readonly<Omit<TrafficOptions, 'seconds'>> = Object.freeze({
  server: '203.0.113.10',
  bulkConns: 6,
  bulkFileBytes: 4_000_000,
  webEveryMs: 500,
  webBytes: 50_000,
  callIntervalMs: 20,
  callBytes: 160,
  probeEveryMs: 250,
  probeTimeoutMs: 3000,
  videoBitPerS: 3_000_000,
  hosts: { calls: ['192.168.77.2', '192.168.77.3'], web: '192.168.77.2', video: '192.168.77.2', bulk: ['192.168.77.3', '192.168.77.4', '192.168.77.5'] },
});

/** [startMs (epoch), ok 0/1, uplink, durationMs] */
export type ConnSample = [number, number, number, number];

export interface BreakRecord {
  atMs: number;
  flow: 'bulk' | 'web' | 'video';
  uplink: number;
  reason: string;
}

export interface TrafficRecord {
  t0Ms: number;
  /** Bulk bytes received in each second since t0. */
  bulkBytesPerS: number[];
  /** Bulk connections that started per uplink. */
  bulkConnsByUplink: Record<string, number>;
  breaks: BreakRecord[];
  callSent: number;
  /** [sentMs (epoch), rttMs, uplink, call] per echoed packet (call: index into hosts.calls). */
  callEchoes: [number, number, number, number][];
  /** Send time of each call packet, by sequence number (one sequence over all calls). */
  callSentAtMs: number[];
  /** The call (index into hosts.calls) of each sequence number. */
  callOfSeq: number[];
  /** Video bytes received in each 100 ms since t0. */
  videoBytesPer100Ms: number[];
  /** Uplinks that carried the video's connections, in order. */
  videoUplinks: number[];
  web: ConnSample[];
  probes: ConnSample[];
}

const uplinkOfAddress = (a: string | undefined): number => {
  const m = /^(?:::ffff:)?198\.18\.(\d)\.2$/.exec(a ?? '');
  return m ? Number(m[1]) : 0;
};

export async function runServer(bind: string): Promise<void> {
  const serve = (sock: net.Socket): void => {
    sock.setNoDelay(true);
    sock.on('error', () => undefined);
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.off('data', onData);
      const line = buf.slice(0, nl).trim();
      const st = /^STREAM (\d+) (\d+)$/.exec(line);
      if (st) return void stream(sock, Number(st[1]), Number(st[2]));
      const m = /^GET (\d+)$/.exec(line);
      if (!m) return void sock.destroy();
      let left = Number(m[1]);
      sock.write(`via ${uplinkOfAddress(sock.remoteAddress)}\n`);
      const block = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(block.length, left);
          left -= n;
          if (!sock.write(n === block.length ? block : block.subarray(0, n))) return void sock.once('drain', pump);
        }
        sock.end();
      };
      pump();
    };
    sock.on('data', onData);
  };
  /** A live source: `bytesPerS` in 100 ms slices whether or not the path keeps up (Node queues the rest). */
  const stream = (sock: net.Socket, bytesPerS: number, seconds: number): void => {
    sock.write(`via ${uplinkOfAddress(sock.remoteAddress)}\n`);
    const slice = Buffer.alloc(Math.max(1, Math.round(bytesPerS / 10)), 0x76);
    const t0 = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      if (sock.destroyed) return void clearInterval(timer);
      // Timers slip on a busy machine: send the slices that are due.
      const due = Math.min(Math.floor((performance.now() - t0) / 100) + 1, seconds * 10);
      for (; sent < due; sent++) sock.write(slice);
      if (sent >= seconds * 10) {
        clearInterval(timer);
        sock.end();
      }
    }, 100);
    sock.once('close', () => clearInterval(timer));
  };
  const ready: Promise<void>[] = [];
  for (const port of [BED_PORTS.bulk, BED_PORTS.web, BED_PORTS.video]) {
    const srv = net.createServer(serve);
    ready.push(new Promise((ok, fail) => srv.once('error', fail).listen({ port, host: bind }, ok)));
  }
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, r) => {
    const out = Buffer.concat([msg, Buffer.from([uplinkOfAddress(r.address)])]);
    udp.send(out, r.port, r.address);
  });
  ready.push(new Promise((ok, fail) => udp.once('error', fail).bind(BED_PORTS.call, bind, ok)));
  await Promise.all(ready);
  process.stdout.write('ready\n');
}

/** One TCP fetch of `bytes`: resolves with the uplink, or rejects with why (connected = after "via"). */
function fetchOnce(
  o: TrafficOptions,
  from: string,
  port: number,
  /** Bytes to fetch, or a request line and the bytes it should bring. */
  bytes: number | { request: string; bytes: number },
  stallMs: number,
  deadlineMs: number,
  onBytes: (n: number) => void,
  onVia: (uplink: number) => void = () => undefined,
): Promise<{ ok: boolean; uplink: number; reason: string }> {
  const request = typeof bytes === 'number' ? `GET ${bytes}\n` : bytes.request;
  const want = typeof bytes === 'number' ? bytes : bytes.bytes;
  return new Promise((resolve) => {
    let uplink = 0;
    let got = 0;
    let head = '';
    let done = false;
    let last = Date.now();
    const s = net.connect({ host: o.server, port, localAddress: from });
    const finish = (ok: boolean, reason: string): void => {
      if (done) return;
      done = true;
      clearInterval(watch);
      s.destroy();
      resolve({ ok, uplink, reason });
    };
    const watch = setInterval(() => {
      if (Date.now() > deadlineMs) finish(false, 'end of run');
      else if (Date.now() - last > stallMs) finish(false, `stalled ${stallMs} ms`);
    }, 100);
    s.on('connect', () => s.write(request));
    s.on('data', (d: Buffer) => {
      last = Date.now();
      if (uplink === 0) {
        head += d.toString('latin1', 0, Math.min(d.length, 8));
        const m = /^via (\d)\n/.exec(head);
        if (!m) return;
        uplink = Number(m[1]);
        onVia(uplink);
        const rest = d.length - m[0].length;
        got += rest;
        onBytes(rest);
        return;
      }
      got += d.length;
      onBytes(d.length);
    });
    s.on('end', () => finish(got >= want, `closed after ${got} of ${want} bytes`));
    s.on('error', (e: NodeJS.ErrnoException) => finish(false, e.code ?? e.message));
  });
}

export async function runTraffic(o: TrafficOptions): Promise<TrafficRecord> {
  const t0 = Date.now();
  const end = t0 + o.seconds * 1000;
  const rec: TrafficRecord = {
    t0Ms: t0,
    bulkBytesPerS: [],
    bulkConnsByUplink: {},
    breaks: [],
    callSent: 0,
    callEchoes: [],
    callSentAtMs: [],
    callOfSeq: [],
    videoBytesPer100Ms: [],
    videoUplinks: [],
    web: [],
    probes: [],
  };
  const second = (): number => Math.floor((Date.now() - t0) / 1000);
  const addBulk = (n: number): void => {
    const k = second();
    while (rec.bulkBytesPerS.length <= k) rec.bulkBytesPerS.push(0);
    rec.bulkBytesPerS[k]! += n;
  };
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const live = (): boolean => Date.now() < end;

  // Calls: constant rate, one socket per call host; each packet carries its sequence number (one sequence over all calls).
  const calls = o.hosts.calls.map((host, k) => {
    const sock = dgram.createSocket('udp4');
    sock.on('error', () => undefined);
    sock.on('message', (m) => {
      if (m.length < 13) return;
      const seq = m.readUInt32BE(0);
      const sentAt = rec.callSentAtMs[seq];
      if (sentAt === undefined) return;
      rec.callEchoes.push([sentAt, Date.now() - sentAt, m[m.length - 1]!, k]);
    });
    return { host, sock, sent: 0 };
  });
  await Promise.all(calls.map((c) => new Promise<void>((r) => c.sock.bind(0, c.host, r))));
  const packet = Buffer.alloc(o.callBytes, 0x63);
  const callT0 = performance.now();
  const callTimer = setInterval(() => {
    // Timers slip on a busy machine: send what is due, so the rate holds.
    const dueTotal = Math.floor((performance.now() - callT0) / o.callIntervalMs) + 1;
    calls.forEach((c, k) => {
      const due = Math.min(10, dueTotal - c.sent);
      for (let i = 0; i < due && live(); i++) {
        c.sent++;
        const seq = rec.callSent++;
        packet.writeUInt32BE(seq, 0);
        rec.callSentAtMs[seq] = Date.now();
        rec.callOfSeq[seq] = k;
        c.sock.send(packet, BED_PORTS.call, o.server);
      }
    });
  }, o.callIntervalMs);

  const bulkLoop = async (_: unknown, k: number): Promise<void> => {
    const from = o.hosts.bulk[k % o.hosts.bulk.length]!;
    while (live()) {
      const via = (u: number): void => void (rec.bulkConnsByUplink[String(u)] = (rec.bulkConnsByUplink[String(u)] ?? 0) + 1);
      const r = await fetchOnce(o, from, BED_PORTS.bulk, o.bulkFileBytes, 4000, end, addBulk, via);
      if (!r.ok && live()) {
        rec.breaks.push({ atMs: Date.now(), flow: 'bulk', uplink: r.uplink, reason: r.reason });
        await sleep(500);
      }
    }
  };
  const webLoop = async (): Promise<void> => {
    while (live()) {
      const start = Date.now();
      const r = await fetchOnce(o, o.hosts.web, BED_PORTS.web, o.webBytes, 3000, end + 3000, () => undefined);
      rec.web.push([start, r.ok ? 1 : 0, r.uplink, Date.now() - start]);
      if (!r.ok && r.uplink > 0) rec.breaks.push({ atMs: Date.now(), flow: 'web', uplink: r.uplink, reason: r.reason });
      await sleep(Math.max(0, start + o.webEveryMs - Date.now()));
    }
  };
  const addVideo = (n: number): void => {
    const k = Math.floor((Date.now() - t0) / 100);
    while (rec.videoBytesPer100Ms.length <= k) rec.videoBytesPer100Ms.push(0);
    rec.videoBytesPer100Ms[k]! += n;
  };
  const videoLoop = async (): Promise<void> => {
    const bytesPerS = Math.round(o.videoBitPerS / 8);
    while (o.videoBitPerS > 0 && live()) {
      // A live stream for the rest of the run; after a break the player connects again and gets the stream from now on.
      const seconds = Math.max(1, Math.floor((end - Date.now()) / 1000));
      const want = { request: `STREAM ${bytesPerS} ${seconds}\n`, bytes: Math.round(bytesPerS / 10) * seconds * 10 };
      const r = await fetchOnce(o, o.hosts.video, BED_PORTS.video, want, 4000, end, addVideo, (u) => void rec.videoUplinks.push(u));
      if (!r.ok && live()) {
        if (r.uplink > 0) rec.breaks.push({ atMs: Date.now(), flow: 'video', uplink: r.uplink, reason: r.reason });
        await sleep(500);
      }
    }
  };
  const probeLoop = async (): Promise<void> => {
    while (live()) {
      const start = Date.now();
      // Each probe a fresh connection; fired without waiting, so a hanging one does not delay the next.
      void Promise.race([
        fetchOnce(o, o.hosts.web, BED_PORTS.web, 100, o.probeTimeoutMs, end + o.probeTimeoutMs, () => undefined),
        sleep(o.probeTimeoutMs).then(() => ({ ok: false, uplink: 0, reason: 'timeout' })),
      ]).then((r) => rec.probes.push([start, r.ok ? 1 : 0, r.uplink, Date.now() - start]));
      await sleep(o.probeEveryMs);
    }
  };
  await Promise.all([...Array.from({ length: o.bulkConns }, bulkLoop), webLoop(), videoLoop(), probeLoop()]);
  clearInterval(callTimer);
  await sleep(Math.max(1000, o.probeTimeoutMs));
  for (const c of calls) c.sock.close();
  rec.probes.sort((a, b) => a[0] - b[0]);
  return rec;
}
