/**
 * The demo's internet: one process in the internet namespace serving the
 * four kinds of traffic on 203.0.113.10 (no external network):
 *   UDP call:   echoes each packet, writing the uplink it arrived through at byte 12
 *   TCP video:  "via N\n", then a paced stream at VIDEO_KBPS until the client leaves
 *   TCP bulk:   "via N\n", then a paced stream at BULK_KBPS until the client leaves
 *   TCP web:    "via N\n", then for "GET BYTES\n" that many bytes, then close
 * N is the uplink the connection came through (operators NAT to 198.18.N.2).
 * Prints "ready" once listening; exits when stdin closes.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { BULK_KBPS, PORTS, SERVER_V4, VIDEO_KBPS } from './scenario.js';
import { uplinkOfPeer } from './traffic-report.js';

const TICK_MS = 20;

function paced(socket: net.Socket, kbps: number): void {
  const chunk = Buffer.alloc(Math.round((kbps * 1000 * TICK_MS) / 8000), 0x76);
  const timer = setInterval(() => {
    // A stalled path (lost modem) must not queue without bound: send only when the socket keeps up.
    if (socket.writableLength < chunk.length * 50) socket.write(chunk);
  }, TICK_MS);
  socket.on('close', () => clearInterval(timer));
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
await tcpServer(PORTS.bulk, (s) => paced(s, BULK_KBPS));
await tcpServer(PORTS.web, (s) => {
  let buf = '';
  s.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    const m = /^GET (\d{1,8})\n/.exec(buf);
    if (!m) return;
    s.end(Buffer.alloc(Number(m[1]), 0x77));
  });
});

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
