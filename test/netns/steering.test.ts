// End-to-end: the ruleset steers real connections in the netns test bed.
// Root only; brings the bed (prefix mfra) up once and down at the end.
import t from 'tap';
import { RoutingController } from '../../src/routing/controller.js';
import { MemoryLogger } from '../../src/os/logger.js';
import { leakyBucketPattern } from '../../src/routing/leaky-bucket.js';
import type { Placement } from '../../src/routing/plan.js';
import {
  bed, bedPlan, classIndex, opCounters, probe, probeInBackground, routerRunner, SERVER_V4, SERVER_V6, settings, skipReason, sleep, startServers, uplinkOf,
} from './fixtures/bed.js';
import type { Probe } from './fixtures/bed.js';

const P = 'mfra';
const skip = await skipReason();
if (skip) {
  t.plan(0, `netns steering tests: ${skip}`);
} else {
  await bed(P, 'up');
  t.teardown(async () => {
    await bed(P, 'down');
  });
  const servers = await startServers(P, [22, 80, 443, 554, 5001, 5060], [53, 443, 3478, 5060, 7000, 51820]);
  t.teardown(() => servers.stop());

  const ctl = new RoutingController({ runner: routerRunner(P), logger: new MemoryLogger(), settings: settings() });
  t.teardown(async () => {
    await ctl.stop();
  });

  const place = (name: string, slot: number, host: string | null = null): Placement => ({ host, classIndex: classIndex(name), target: { kind: 'slot', slot } });

  t.test('a new connection of each class leaves through the modem its placement names, IPv4 and IPv6', async (t) => {
    const placements = [
      place('ssh', 1),
      place('web', 2),
      place('dns', 3),
      place('sip', 2),
      place('realtime-media', 3),
      place('sip-tcp', 3),
      place('rtsp-rtmp', 1),
      place('vpn-udp', 1),
      place('quic', 3),
      // A host placement wins over its class' placement.
      place('web', 3, 'fd77::2'),
    ];
    const r = await ctl.start(bedPlan({ placements, defaultTarget: { kind: 'slot', slot: 2 } }));
    t.ok(r.ok, r.ok ? 'applied' : r.errors.join('; '));

    const cases: Array<{ p: Probe; uplink: number; what: string }> = [];
    for (const host of [SERVER_V4, SERVER_V6]) {
      const v6 = host === SERVER_V6;
      cases.push(
        { p: { proto: 'tcp', host, port: 22 }, uplink: 1, what: 'ssh -> 1' },
        { p: { proto: 'tcp', host, port: 80 }, uplink: v6 ? 3 : 2, what: v6 ? 'web from fd77::2 (host placement) -> 3' : 'web -> 2' },
        { p: { proto: 'udp', host, port: 53 }, uplink: 3, what: 'dns -> 3' },
        { p: { proto: 'udp', host, port: 5060 }, uplink: 2, what: 'sip -> 2' },
        { p: { proto: 'udp', host, port: 3478 }, uplink: 3, what: 'realtime-media -> 3' },
        { p: { proto: 'tcp', host, port: 5060 }, uplink: 3, what: 'sip-tcp -> 3' },
        { p: { proto: 'tcp', host, port: 554 }, uplink: 1, what: 'rtsp-rtmp -> 1' },
        { p: { proto: 'udp', host, port: 51820 }, uplink: 1, what: 'vpn-udp -> 1' },
        { p: { proto: 'udp', host, port: 443 }, uplink: 3, what: 'quic -> 3' },
        { p: { proto: 'tcp', host, port: 5001 }, uplink: 2, what: 'unplaced class (default) -> 2' },
      );
    }
    const before = [await opCounters(P, 4), await opCounters(P, 6)];
    const results = await probe(P, cases.map((c) => c.p));
    const after = [await opCounters(P, 4), await opCounters(P, 6)];
    results.forEach((res, i) => {
      const c = cases[i]!;
      t.ok(res.ok, `${c.what} (${c.p.host}) connects${res.error ? ': ' + res.error : ''}`);
      t.equal(uplinkOf(res.peer), c.uplink, `${c.what} (${c.p.host}) left through uplink ${c.uplink}`);
    });
    // The operators' counters agree: each new connection was forwarded by exactly the expected operator.
    for (const [fi, host] of [SERVER_V4, SERVER_V6].entries()) {
      const want = [0, 0, 0];
      for (const c of cases) if (c.p.host === host) want[c.uplink - 1]! += 1;
      const got = after[fi]!.map((n, k) => n - before[fi]![k]!);
      t.same(got, want, `IPv${fi === 0 ? 4 : 6} new connections per operator`);
    }
  });

  t.test('DSCP classes: marked pings take the voice, streaming and bulk placements', async (t) => {
    const r = await ctl.apply(bedPlan({ placements: [place('voice-dscp', 3), place('streaming-dscp', 1), place('bulk-dscp', 3)], defaultTarget: { kind: 'slot', slot: 2 } }));
    t.ok(r.ok);
    const { execFile } = await import('node:child_process');
    const ping = (tos: string): Promise<void> =>
      new Promise((ok, fail) =>
        execFile('ip', ['netns', 'exec', `${P}-lan`, 'ping', '-n', '-c1', '-W1', '-Q', tos, SERVER_V4], (e) => (e ? fail(e) : ok())),
      );
    const before = await opCounters(P, 4);
    await ping('184'); // DSCP 46 (EF) << 2
    const mid = await opCounters(P, 4);
    await ping('0');
    const after = await opCounters(P, 4);
    t.same(mid.map((n, k) => n - before[k]!), [0, 0, 1], 'EF ping left through uplink 3');
    t.same(after.map((n, k) => n - mid[k]!), [0, 1, 0], 'unmarked ping took the default (uplink 2)');
    await ping('136'); // AF41 (34)
    const af = await opCounters(P, 4);
    t.same(af.map((n, k) => n - after[k]!), [1, 0, 0], 'AF41 ping left through uplink 1 (streaming-dscp)');
    await ping('32'); // CS1 (8)
    const cs = await opCounters(P, 4);
    t.same(cs.map((n, k) => n - af[k]!), [0, 0, 1], 'CS1 ping left through uplink 3 (bulk-dscp)');
  });

  t.test('a split class spreads new connections in the leaky-bucket pattern', async (t) => {
    const shares = [{ slot: 1, weight: 20 }, { slot: 2, weight: 10 }, { slot: 3, weight: 5 }];
    const r = await ctl.apply(bedPlan({ placements: [{ host: null, classIndex: classIndex('web'), target: { kind: 'share', shares } }] }));
    t.ok(r.ok);
    t.equal(r.ok && r.value.nft, 'full', 'a new placement rebuilds the table (and its numgen counter)');
    const pattern = leakyBucketPattern(shares);
    t.same(pattern, [1, 1, 2, 1, 3, 1, 2], 'shares 20:10:5 give a pattern of 7');
    const results = await probe(P, Array.from({ length: 14 }, () => ({ proto: 'tcp' as const, host: SERVER_V4, port: 80 })));
    t.same(results.map((x) => uplinkOf(x.peer)), [...pattern, ...pattern], 'connections follow the pattern, twice');
  });

  t.test('an established TCP transfer survives a rebalancing that moves its class', async (t) => {
    let r = await ctl.apply(bedPlan({ placements: [place('web', 2)] }));
    t.ok(r.ok);
    // 40 chunks of 16 KiB every 50 ms: about 2 s.
    const transfer = probeInBackground(P, { proto: 'tcp', host: SERVER_V4, port: 443, cmd: 'stream 655360 16384 50', timeoutMs: 15_000 });
    await sleep(500);
    r = await ctl.apply(bedPlan({ placements: [place('web', 3)] }));
    t.ok(r.ok, 'rebalanced while the transfer runs');
    const [fresh] = await probe(P, [{ proto: 'tcp', host: SERVER_V4, port: 443 }]);
    t.equal(uplinkOf(fresh!.peer), 3, 'a new web connection takes the new modem');
    const done = await transfer;
    t.ok(done.ok, `the old transfer completed${done.error ? ': ' + done.error : ''}`);
    t.equal(done.bytes, 655360, 'every byte arrived');
    t.equal(uplinkOf(done.peer), 2, 'and it stayed on its modem');
  });

  t.test('replies to connections initiated from a modem leave through that modem', async (t) => {
    await ctl.stop();
    const lanServer = await startServers(P, [8080], [], 'lan');
    t.teardown(() => lanServer.stop());
    const fromWan = (): Promise<Array<[boolean, string | null]>> =>
      probe(
        P,
        ['100.64.1.2', '100.64.2.2', '100.64.3.2', 'fd64:3::2'].map((host) => ({ proto: 'tcp' as const, host, port: 8080, timeoutMs: 1000 })),
        false,
        'inet',
      ).then((rs) => rs.map((x) => [x.ok, x.peer]));
    // Without modemflow the reply takes the main default (uplink 1): only uplink 1 works.
    t.same((await fromWan()).map(([ok]) => ok), [true, false, false, false], 'control: asymmetric replies fail without the ruleset');
    const r = await ctl.start(bedPlan({ defaultTarget: { kind: 'slot', slot: 1 } }));
    t.ok(r.ok);
    t.same(await fromWan(), [[true, '198.18.1.1'], [true, '198.18.2.1'], [true, '198.18.3.1'], [true, '2001:db8:3::1']], 'each port forward answers through its own modem');
  });

  t.test("the router's own traffic from a modem's address uses that modem's table", async (t) => {
    const { execFile } = await import('node:child_process');
    const before = await opCounters(P, 4);
    await new Promise<void>((ok, fail) =>
      execFile('ip', ['netns', 'exec', `${P}-rt`, 'ping', '-n', '-c1', '-W1', '-I', '100.64.3.2', SERVER_V4], (e) => (e ? fail(e) : ok())),
    );
    const after = await opCounters(P, 4);
    t.same(after.map((n, k) => n - before[k]!), [0, 0, 1], 'a probe bound to modem 3 leaves through uplink 3, not the main default');
  });

  t.test('pins send one connection to its own modem and update without a rebuild', async (t) => {
    let r = await ctl.apply(bedPlan({ placements: [place('realtime-media', 1)] }));
    t.ok(r.ok);
    const tuple = { family: 4 as const, proto: 'udp', src: '192.168.77.2', dst: SERVER_V4, sport: 40001, dport: 3478 };
    r = await ctl.apply(bedPlan({ placements: [place('realtime-media', 1)], pins: [{ tuple, slot: 3 }] }));
    t.equal(r.ok && r.value.nft, 'pins', 'a pin change is an element update');
    const res = await probe(P, [
      { proto: 'udp', host: SERVER_V4, port: 3478, sport: 40001 },
      { proto: 'udp', host: SERVER_V4, port: 3478, sport: 40002 },
    ]);
    t.same(res.map((x) => uplinkOf(x.peer)), [3, 1], 'the pinned tuple goes to 3, its neighbour to its class modem');
    // The fast path: pin the neighbour too, by delta.
    const u = await ctl.updatePins({ set: [{ tuple: { ...tuple, sport: 40003 }, slot: 2 }] });
    t.same(u, { ok: true, value: { changed: 1, droppedPins: 0 } });
    const [third] = await probe(P, [{ proto: 'udp', host: SERVER_V4, port: 3478, sport: 40003 }]);
    t.equal(uplinkOf(third!.peer), 2, 'a pin added by updatePins steers its connection');
  });
}
