/**
 * The two programs the bed evaluation runs inside the namespaces (the
 * bench bundle re-executes itself with `--role server|traffic`):
 * - server (internet namespace): TCP 9000 (bulk, fallback class) and 80
 *   (web) answer "GET N\n" with "via U\n" (U = the uplink the connection
 *   came through, from the operator's NAT address) and N bytes as fast as
 *   the path takes them; UDP 16400 (a call, realtime class) echoes each
 *   datagram with the uplink appended.
 * - traffic (LAN namespace): a call (UDP, constant rate), bulk downloads
 *   (files one after another on each of `bulkConns` connections), web
 *   requests and short connection probes; prints one JSON TrafficRecord.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export const BED_PORTS = Object.freeze({ bulk: 9000, web: 80, call: 16400 });

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
  /** LAN source addresses: the call, web and probes from one host, bulk downloads spread over the others. */
  hosts: { call: string; web: string; bulk: string[] };
}

/** [startMs (epoch), ok 0/1, uplink, durationMs] */
export type ConnSample = [number, number, number, number];

export interface BreakRecord {
  atMs: number;
  flow: 'bulk' | 'web';
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
  /** [sentMs (epoch), rttMs, uplink] per echoed packet. */
  callEchoes: [number, number, number][];
  /** Send time of each call packet, by sequence number. */
  callSentAtMs: number[];
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
      const m = /^GET (\d+)$/.exec(buf.slice(0, nl).trim());
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
  const ready: Promise<void>[] = [];
  for (const port of [BED_PORTS.bulk, BED_PORTS.web]) {
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
  bytes: number,
  stallMs: number,
  deadlineMs: number,
  onBytes: (n: number) => void,
  onVia: (uplink: number) => void = () => undefined,
): Promise<{ ok: boolean; uplink: number; reason: string }> {
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
    s.on('connect', () => s.write(`GET ${bytes}\n`));
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
    s.on('end', () => finish(got >= bytes, `closed after ${got} of ${bytes} bytes`));
    s.on('error', (e: NodeJS.ErrnoException) => finish(false, e.code ?? e.message));
  });
}

export async function runTraffic(o: TrafficOptions): Promise<TrafficRecord> {
  const t0 = Date.now();
  const end = t0 + o.seconds * 1000;
  const rec: TrafficRecord = { t0Ms: t0, bulkBytesPerS: [], bulkConnsByUplink: {}, breaks: [], callSent: 0, callEchoes: [], callSentAtMs: [], web: [], probes: [] };
  const second = (): number => Math.floor((Date.now() - t0) / 1000);
  const addBulk = (n: number): void => {
    const k = second();
    while (rec.bulkBytesPerS.length <= k) rec.bulkBytesPerS.push(0);
    rec.bulkBytesPerS[k]! += n;
  };
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const live = (): boolean => Date.now() < end;

  // Call: constant rate, each packet carries its sequence number and send time.
  const call = dgram.createSocket('udp4');
  call.on('error', () => undefined);
  call.on('message', (m) => {
    if (m.length < 13) return;
    const seq = m.readUInt32BE(0);
    const sentAt = rec.callSentAtMs[seq];
    if (sentAt === undefined) return;
    rec.callEchoes.push([sentAt, Date.now() - sentAt, m[m.length - 1]!]);
  });
  await new Promise<void>((r) => call.bind(0, o.hosts.call, r));
  const packet = Buffer.alloc(o.callBytes, 0x63);
  const callT0 = performance.now();
  const callTimer = setInterval(() => {
    // Timers slip on a busy machine: send what is due, so the rate holds.
    const due = Math.min(10, Math.floor((performance.now() - callT0) / o.callIntervalMs) + 1 - rec.callSent);
    for (let i = 0; i < due && live(); i++) {
      const seq = rec.callSent++;
      packet.writeUInt32BE(seq, 0);
      rec.callSentAtMs[seq] = Date.now();
      call.send(packet, BED_PORTS.call, o.server);
    }
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
  await Promise.all([...Array.from({ length: o.bulkConns }, bulkLoop), webLoop(), probeLoop()]);
  clearInterval(callTimer);
  await sleep(Math.max(1000, o.probeTimeoutMs));
  call.close();
  rec.probes.sort((a, b) => a[0] - b[0]);
  return rec;
}
