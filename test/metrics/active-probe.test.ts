// The active capacity probe: a timed download bound to a source address.
// In-process against a local server, and across a tbf-shaped veth link in
// network namespaces (the probe bundled with esbuild and run in the router
// namespace, bound to the modem's address, routed by `ip rule from`).
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runDownloadProbe } from '../../src/metrics/active-probe.js';
import { SystemClock } from '../../src/os/clock.js';
import { ExecFileRunner } from '../../src/os/exec-runner.js';
import { NetnsBed, rootSkipReason, sh } from './netns-bed.js';

const SERVER = `
const http = require('http');
const chunk = Buffer.alloc(64 * 1024, 120);
http.createServer((req, res) => {
  if (req.url !== '/big') { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const pump = () => { while (res.write(chunk)) {} };
  res.on('drain', pump);
  res.on('error', () => {});
  req.on('close', () => res.destroy());
  pump();
}).listen(8080, process.argv[1]);
`;

t.test('download probe against a local server', async (t) => {
  const chunk = Buffer.alloc(64 * 1024, 1);
  const server = createServer((req, res) => {
    if (req.url === '/missing') {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200);
    for (let i = 0; i < 40; i++) res.write(chunk);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const clock = new SystemClock();
  const ok = await runDownloadProbe(clock, { url: `http://127.0.0.1:${port}/big`, sourceAddress: '127.0.0.1' });
  t.equal(ok.ok, true);
  t.ok(ok.bytes > 0 && ok.bytes <= 40 * 64 * 1024, `${ok.bytes} bytes timed`);
  t.ok(ok.kbps !== null && ok.kbps > 0);
  const missing = await runDownloadProbe(clock, { url: `http://127.0.0.1:${port}/missing`, sourceAddress: '127.0.0.1' });
  t.same([missing.ok, missing.problem], [false, 'HTTP 404']);
  const refused = await runDownloadProbe(clock, { url: 'http://127.0.0.1:1/x', sourceAddress: '127.0.0.1' });
  t.equal(refused.ok, false);
  t.match(refused.problem, /ECONNREFUSED/);
});

t.test('download probe over a shaped link, bound to the modem address', { skip: rootSkipReason() ?? false }, async (t) => {
  const bed = new NetnsBed('ap');
  const dir = mkdtempSync(join(tmpdir(), 'mfm-ap-'));
  t.teardown(async () => {
    await bed.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const router = await bed.ns('r');
  const isp = await bed.ns('a');
  const other = await bed.ns('b');
  await bed.link(router, 'mfmra', '10.73.1.2/30', isp, 'mfma0', '10.73.1.1/30');
  await bed.link(router, 'mfmrb', '10.73.2.2/30', other, 'mfmb0', '10.73.2.1/30');
  await sh('ip', ['addr', 'add', '203.0.113.10/32', 'dev', 'lo'], isp);
  await sh('ip', ['addr', 'add', '203.0.113.10/32', 'dev', 'lo'], other);
  // Modem a: 8 Mbit/s down; modem b: unshaped. The main table points at b,
  // so only the `from` rule can take the probe through a.
  await sh('tc', ['qdisc', 'add', 'dev', 'mfma0', 'root', 'tbf', 'rate', '8mbit', 'burst', '32kbit', 'latency', '200ms'], isp);
  await sh('ip', ['route', 'add', 'default', 'via', '10.73.2.1'], router);
  await sh('ip', ['route', 'add', 'default', 'via', '10.73.1.1', 'table', '201'], router);
  await sh('ip', ['rule', 'add', 'from', '10.73.1.2', 'lookup', '201', 'priority', '1001'], router);
  const runner = new ExecFileRunner(20_000);
  const { spawn } = await import('node:child_process');
  const servers = [isp, other].map((ns) => spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, '203.0.113.10'], { stdio: 'ignore' }));
  t.teardown(() => servers.forEach((s) => s.kill('SIGKILL')));
  const bundle = join(dir, 'probe.mjs');
  await build({ entryPoints: [join(import.meta.dirname, 'helpers/active-probe-main.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
  await new Promise((r) => setTimeout(r, 500)); // servers listening
  const run = async (source: string): Promise<{ ok: boolean; kbps: number | null }> => {
    const r = await runner.run(process.execPath, [bundle, 'http://203.0.113.10:8080/big', source, '3000'], { netns: router });
    t.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { ok: boolean; kbps: number | null };
  };
  const viaA = await run('10.73.1.2');
  t.equal(viaA.ok, true);
  t.ok(viaA.kbps !== null && viaA.kbps > 5000 && viaA.kbps < 9000, `through modem a: ${Math.round(viaA.kbps ?? 0)} kbps on an 8 Mbit/s link`);
  const viaB = await run('10.73.2.2');
  t.ok(viaB.kbps !== null && viaB.kbps > 3 * 8000, `through modem b (unshaped): ${Math.round(viaB.kbps ?? 0)} kbps`);
});
