// Integration: the real kernel conntrack in a pair of network namespaces
// (mff-<pid>-lan: a LAN host; mff-<pid>-rtr: the router with a test server
// on an "internet" address). Needs root, iproute2, nftables and conntrack.
import t from 'tap';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { ExecFileRunner } from '../../src/os/exec-runner.js';
import { ChildProcessSpawner } from '../../src/os/spawner.js';
import { SystemClock } from '../../src/os/clock.js';
import { MemoryLogger } from '../../src/os/logger.js';
import { DEFAULT_MARK_MASK, encodeMark, markLayout } from '../../src/model/mark-layout.js';
import { classList } from '../../src/flows/classifier.js';
import { FlowTracker } from '../../src/flows/flow-tracker.js';
import type { ConnectionView } from '../../src/flows/connection-table.js';
import { connectionKey } from '../../src/flows/conntrack-entry.js';
import { parseConntrackListing } from '../../src/flows/conntrack-parser.js';

const runner = new ExecFileRunner(10_000);

async function skipReason(): Promise<string | null> {
  if (process.env.MODEMFLOW_SKIP_ROOT === '1') return 'MODEMFLOW_SKIP_ROOT=1';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const [prog, args, pkg] of [['conntrack', ['--version'], 'conntrack'], ['nft', ['--version'], 'nftables'], ['ip', ['-V'], 'iproute2']] as const) {
    const r = await runner.run(prog, [...args]);
    if (r.code === 127) return `the ${prog} binary is missing (Debian package ${pkg})`;
  }
  return null;
}

const id = String(process.pid);
const LAN = `mff-${id}-lan`;
const RTR = `mff-${id}-rtr`;
const VETH_L = `mff${id}l`;
const VETH_R = `mff${id}r`;
const TABLE = `mff${id}`;

async function must(args: string[], input?: string): Promise<void> {
  const r = await runner.run('ip', args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
}

async function mustIn(ns: string, program: string, args: string[], input?: string): Promise<void> {
  const r = await runner.run(program, args, { netns: ns, ...(input === undefined ? {} : { input }) });
  if (r.code !== 0) throw new Error(`${program} ${args.join(' ')} in ${ns} failed (${r.code}): ${r.stderr}`);
}

function nodeIn(ns: string, code: string): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// Echo servers on the router's "internet" addresses: TCP 22 (ssh class), TCP 8080 (marked as web), UDP 5060 (sip).
const SERVER = `
import net from 'node:net'; import dgram from 'node:dgram';
for (const port of [22, 8080]) net.createServer((c) => { c.on('data', () => {}); c.on('error', () => {}); }).listen(port, '::');
const u = dgram.createSocket({ type: 'udp6' }); u.on('message', (m, r) => u.send(m, r.port, r.address)); u.bind(5060);
setTimeout(() => process.exit(0), 30000);
`;

// The LAN host: steady uploads (64 kB every 50 ms, about 10 Mbit/s) and a SIP-like UDP exchange.
const CLIENT = `
import net from 'node:net'; import dgram from 'node:dgram';
const chunk = Buffer.alloc(65536, 1);
for (const [host, port] of [['203.0.113.1', 22], ['2001:db8:77::1', 22], ['203.0.113.1', 8080]]) {
  const c = net.connect(port, host); c.on('error', () => {});
  c.on('connect', () => setInterval(() => c.write(chunk), 50));
}
const u = dgram.createSocket('udp4'); setInterval(() => u.send(Buffer.alloc(200), 5060, '203.0.113.1'), 100);
setTimeout(() => process.exit(0), 30000);
`;

const why = await skipReason();

t.test('a real connection appears with bytes, rates and the right class', { skip: why ?? false }, async (t) => {
  const children: ChildProcess[] = [];
  let tracker: FlowTracker | null = null;
  t.teardown(async () => {
    tracker?.stop();
    for (const c of children) c.kill('SIGKILL');
    await runner.run('ip', ['netns', 'del', LAN]);
    await runner.run('ip', ['netns', 'del', RTR]);
  });

  await must(['netns', 'add', LAN]);
  await must(['netns', 'add', RTR]);
  await must(['link', 'add', VETH_L, 'netns', LAN, 'type', 'veth', 'peer', 'name', VETH_R, 'netns', RTR]);
  await must(['-n', LAN, 'addr', 'add', '192.168.77.2/24', 'dev', VETH_L]);
  await must(['-n', LAN, 'addr', 'add', 'fd77::2/64', 'dev', VETH_L, 'nodad']);
  await must(['-n', RTR, 'addr', 'add', '192.168.77.1/24', 'dev', VETH_R]);
  await must(['-n', RTR, 'addr', 'add', 'fd77::1/64', 'dev', VETH_R, 'nodad']);
  // The server's addresses lie outside the LAN prefixes, like the internet behind a router.
  await must(['-n', RTR, 'addr', 'add', '203.0.113.1/32', 'dev', 'lo']);
  await must(['-n', RTR, 'addr', 'add', '2001:db8:77::1/128', 'dev', 'lo']);
  for (const [ns, dev] of [[LAN, VETH_L], [RTR, VETH_R]] as const) {
    await must(['-n', ns, 'link', 'set', 'lo', 'up']);
    await must(['-n', ns, 'link', 'set', dev, 'up']);
  }
  await must(['-n', LAN, 'route', 'add', '203.0.113.0/24', 'via', '192.168.77.1']);
  await must(['-n', LAN, '-6', 'route', 'add', '2001:db8:77::/48', 'via', 'fd77::1']);

  // What src/routing's ruleset does for a class: store class index and modem slot in the ct mark.
  const layout = markLayout(DEFAULT_MARK_MASK)!;
  const webIndex = classList([]).findIndex((r) => r.name === 'web') + 1;
  const mark = encodeMark(layout, 3, webIndex);
  await mustIn(RTR, 'nft', ['-f', '-'], `table inet ${TABLE} {
  chain pre {
    type filter hook prerouting priority -150; policy accept;
    ct state new tcp dport 8080 ct mark set 0x${mark.toString(16)}
  }
}
`);

  const logger = new MemoryLogger();
  tracker = new FlowTracker(
    { runner, spawner: new ChildProcessSpawner(), clock: new SystemClock(), logger },
    { source: 'conntrack', events: true, netns: RTR, pollIntervalMs: 250, rateWindowMs: 2000, measureMinAgeS: 1, lanPrefixes: ['192.168.77.0/24', 'fd77::/64'], classes: [] },
  );
  const started = await tracker.start();
  t.ok(started.ok, 'tracker started');
  t.equal(tracker.status().accounting, 'on', 'nf_conntrack_acct on in the router namespace');

  children.push(nodeIn(RTR, SERVER));
  await new Promise((r) => setTimeout(r, 500));
  children.push(nodeIn(LAN, CLIENT));

  const find = (v: ConnectionView[], pred: (c: ConnectionView) => boolean): ConnectionView | undefined => v.find(pred);
  const ssh4 = (c: ConnectionView): boolean => c.entry.proto === 'tcp' && c.entry.orig.dst === '203.0.113.1' && c.entry.orig.dport === 22;
  const ssh6 = (c: ConnectionView): boolean => c.entry.proto === 'tcp' && c.entry.orig.dst === '2001:db8:77::1';
  const web = (c: ConnectionView): boolean => c.entry.orig.dport === 8080;
  const sip = (c: ConnectionView): boolean => c.entry.proto === 'udp' && c.entry.orig.dport === 5060;
  const ready = (v: ConnectionView[]): boolean =>
    [ssh4, ssh6, web, sip].every((p) => (find(v, p)?.upKbps ?? 0) > 0) && (find(v, ssh4)?.ageMs ?? 0) >= 1500;
  const deadline = Date.now() + 15_000;
  let view = tracker.connections();
  while (!ready(view) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    view = tracker.connections();
  }
  t.ok(ready(view), 'all four connections seen with traffic');

  const s4 = find(view, ssh4)!;
  t.same([s4.className, s4.classSource], ['ssh', 'rules'], 'TCP 22 over IPv4: ssh, from the rules');
  t.ok((s4.entry.origCounters?.bytes ?? 0) > 100_000, `IPv4 bytes counted up (${s4.entry.origCounters?.bytes})`);
  t.ok((s4.upKbps ?? 0) > 1000, `IPv4 upload rate ${Math.round(s4.upKbps ?? 0)} kbit/s`);
  t.equal(s4.entry.orig.src, '192.168.77.2');
  const s6 = find(view, ssh6)!;
  t.same([s6.className, s6.entry.family], ['ssh', 6], 'TCP 22 over IPv6: ssh');
  t.ok((s6.entry.origCounters?.bytes ?? 0) > 100_000, `IPv6 bytes counted (${s6.entry.origCounters?.bytes})`);
  const w = find(view, web)!;
  t.same([w.className, w.classSource], ['web', 'mark'], 'TCP 8080: the class the kernel put in the ct mark');
  t.equal(w.entry.mark, mark);
  const u = find(view, sip)!;
  t.equal(u.className, 'sip');

  const groups = tracker.groups();
  const ids = groups.map((g) => g.id);
  t.ok(ids.some((i) => i === 'h:192.168.77.2:sip' || i.startsWith('c:udp:192.168.77.2:')), 'the SIP exchange is grouped');
  const webGroup = groups.find((g) => g.id === 'h:192.168.77.2:web' || (g.key.kind === 'connection' && g.key.className === 'web'))!;
  t.ok(webGroup, 'a web group exists');
  t.equal(webGroup.currentSlot, 3, 'the slot comes from the mark');
  // The kernel's own listing (what the procfs source reads on a router without the conntrack package) parses
  // to the same connections, IPv6 written out in full there.
  const proc = await runner.run('cat', ['/proc/net/nf_conntrack'], { netns: RTR });
  t.equal(proc.code, 0, '/proc/net/nf_conntrack readable in the namespace');
  const fromProc = parseConntrackListing(proc.stdout);
  t.same(fromProc.skipped, [], 'every /proc line parsed');
  const procKeys = new Set(fromProc.entries.map((e) => connectionKey(e)));
  for (const c of [s4, s6, w, u]) t.ok(procKeys.has(c.key), `${c.key} is in /proc too`);
  t.ok(fromProc.entries.some((e) => e.family === 6 && (e.origCounters?.bytes ?? 0) > 0), 'IPv6 with counters in /proc');

  const st = tracker.status();
  t.ok(st.events > 0, `conntrack -E delivered ${st.events} events line by line`);
  t.equal(st.skippedLines, 0, 'every line of real output parsed');
  t.equal(st.lastPollOk, true);
});
