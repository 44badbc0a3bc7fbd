/**
 * The demo's internet: one process in the internet namespace serving the
 * four kinds of traffic on 203.0.113.10 (no external network):
 *   UDP call:   echoes each packet, writing the uplink it arrived through at byte 12
 *   TCP video:  "via N\n", then a paced stream at VIDEO_KBPS until the client leaves
 *   TCP bulk:   "via N\n", then for "GET BYTES\n" that many bytes paced at BULK_KBPS, then close
 *   TCP web:    "via N\n", then for "GET BYTES\n" that many bytes, then close
 * N is the uplink the connection came through (operators NAT to 198.18.N.2).
 * Prints "ready" once listening; exits when stdin closes.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { BULK_KBPS, PORTS, SERVER_V4, VIDEO_KBPS } from './scenario.js';
import { uplinkOfPeer } from './traffic-report.js';

const TICK_MS = 20;

/** Sends at `kbps` until the client leaves, or `totalBytes` were sent (then closes). */
function paced(socket: net.Socket, kbps: number, totalBytes = Infinity): void {
  const chunk = Buffer.alloc(Math.round((kbps * 1000 * TICK_MS) / 8000), 0x76);
  let sent = 0;
  const timer = setInterval(() => {
    // A stalled path (lost modem) must not queue without bound: send only when the socket keeps up.
    if (socket.writableLength >= chunk.length * 50) return;
    const n = Math.min(chunk.length, totalBytes - sent);
    socket.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    sent += n;
    if (sent >= totalBytes) {
      clearInterval(timer);
      socket.end();
    }
  }, TICK_MS);
  socket.on('close', () => clearInterval(timer));
}

/** Calls `fn` with the byte count of the client's "GET BYTES\n". */
function onGet(s: net.Socket, fn: (bytes: number) => void): void {
  let buf = '';
  const read = (d: Buffer): void => {
    buf += d.toString('latin1');
    const m = /^GET (\d{1,10})\n/.exec(buf);
    if (!m) return;
    s.off('data', read);
    fn(Number(m[1]));
  };
  s.on('data', read);
}

function tcpServer(port: number, onConnect: (s: net.Socket) => void): Promise<void> {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => undefined);
    s.write(`via ${uplinkOfPeer(s.remoteAddress)}\n`);
    onConnect(s);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, SERVER_V4, () => ok());
  });
}

await tcpServer(PORTS.video, (s) => paced(s, VIDEO_KBPS));
await tcpServer(PORTS.bulk, (s) => onGet(s, (bytes) => paced(s, BULK_KBPS, bytes)));
await tcpServer(PORTS.web, (s) => onGet(s, (bytes) => void s.end(Buffer.alloc(Math.min(bytes, 1 << 24), 0x77))));

const udp = dgram.createSocket('udp4');
udp.on('message', (msg, rinfo) => {
  if (msg.length >= 13) msg[12] = uplinkOfPeer(rinfo.address);
  udp.send(msg, rinfo.port, rinfo.address);
});
await new Promise<void>((ok) => udp.bind(PORTS.call, SERVER_V4, () => ok()));

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.stdout.write('ready\n');
