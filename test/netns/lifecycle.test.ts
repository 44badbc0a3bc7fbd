// End-to-end: losing a modem, restart, stop and crash recovery in the netns
// test bed. Root only; brings the bed (prefix mfrb) up once.
import t from 'tap';
import type { Test } from 'tap';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { RoutingController } from '../../src/routing/controller.js';
import { MemoryLogger } from '../../src/os/logger.js';
import { markLayout } from '../../src/model/mark-layout.js';
import { ipRanges, parseRoutes, parseRules, wantedIpState } from '../../src/routing/ip-state.js';
import { validatePlan } from '../../src/routing/validate-plan.js';
import type { Placement, RoutingPlan } from '../../src/routing/plan.js';
import {
  bed, bedModem, bedPlan, classIndex, HERE, inRouter, opCounters, probe, routerRunner, SERVER_V4, SERVER_V6, settings, skipReason, startServers, uplinkOf,
} from './fixtures/bed.js';

const P = 'mfrb';
const skip = await skipReason();
if (skip) {
  t.plan(0, `netns lifecycle tests: ${skip}`);
} else {
  await bed(P, 'up');
  t.teardown(async () => {
    await bed(P, 'down');
  });
  const servers = await startServers(P, [80, 443], [7000]);
  t.teardown(() => servers.stop());

  const S = settings();
  const layout = markLayout(S.markMask)!;
  const newController = (): RoutingController => new RoutingController({ runner: routerRunner(P), logger: new MemoryLogger(), settings: S });
  const web = (slot: number): Placement => ({ host: null, classIndex: classIndex('web'), target: { kind: 'slot', slot } });
  const ctl = newController();
  t.teardown(async () => {
    await ctl.stop();
  });

  /** Exactly the plan's rules and routes are present (no duplicates, nothing extra), and one table. */
  async function assertCleanSet(t: Test, plan: RoutingPlan | null, what: string): Promise<void> {
    const v = plan ? validatePlan(plan) : null;
    for (const family of [4, 6] as const) {
      const rulesJson = await inRouter(P, 'ip', [`-${family}`, '-j', 'rule', 'list']);
      const routesJson = await inRouter(P, 'ip', [`-${family}`, '-j', 'route', 'show', 'table', 'all']);
      const ranges = ipRanges(S);
      const inRange = (JSON.parse(rulesJson) as Array<{ priority: number }>).filter((r) => r.priority >= ranges.priorityFrom && r.priority <= ranges.priorityTo);
      const rules = parseRules(rulesJson, ranges) as Set<string>;
      const routes = parseRoutes(routesJson, ranges) as Set<string>;
      const want = v && v.ok ? wantedIpState(v.value, S, layout, family) : { rules: new Set<string>(), routes: new Set<string>() };
      t.equal(inRange.length, rules.size, `${what}: IPv${family} rules have no duplicates`);
      t.same([...rules].sort(), [...want.rules].sort(), `${what}: IPv${family} rules are exactly the plan's`);
      t.same([...routes].sort(), [...want.routes].sort(), `${what}: IPv${family} routes are exactly the plan's`);
    }
    const tables = JSON.parse(await inRouter(P, 'nft', ['-j', 'list', 'tables'])) as { nftables: Array<{ table?: { name: string } }> };
    const ours = tables.nftables.filter((x) => x.table?.name === S.tableName).length;
    t.equal(ours, plan ? 1 : 0, `${what}: ${plan ? 'one' : 'no'} inet ${S.tableName} table`);
  }

  t.test('a modem whose link goes down: new connections use another modem at once, its pins are dropped', async (t) => {
    const pin = { tuple: { family: 4 as const, proto: 'tcp', src: '192.168.77.2', dst: SERVER_V4, sport: 42000, dport: 80 }, slot: 2 };
    let r = await ctl.start(bedPlan({ placements: [web(2)], pins: [pin] }));
    t.ok(r.ok);
    let [res] = await probe(P, [{ proto: 'tcp', host: SERVER_V4, port: 80 }]);
    t.equal(uplinkOf(res!.peer), 2, 'web on modem 2 before');

    await bed(P, 'link', '--uplink', '2', 'down');
    t.teardown(() => bed(P, 'link', '--uplink', '2', 'up').then(() => undefined));
    // The daemon learns it from netifd: modem 2 is down.
    r = await ctl.apply(bedPlan({ modems: [bedModem(1), bedModem(2, { up: false }), bedModem(3)], placements: [web(2)], pins: [pin] }));
    t.ok(r.ok, r.ok ? 'applied' : r.errors.join('; '));
    t.equal(r.ok && r.value.droppedPins, 1, 'the pin to the dead modem is dropped');
    const pins = JSON.parse(await inRouter(P, 'nft', ['-j', 'list', 'map', 'inet', S.tableName, 'pins4'])) as { nftables: Array<{ map?: { elem?: unknown[] } }> };
    t.equal(pins.nftables.find((x) => x.map)?.map?.elem?.length ?? 0, 0, 'no pin element left in the kernel');
    // One attempt with a 1 s budget, right after apply returned: no retry, no settling time.
    const both = await probe(P, [
      { proto: 'tcp', host: SERVER_V4, port: 80, timeoutMs: 1000 },
      { proto: 'tcp', host: SERVER_V6, port: 80, timeoutMs: 1000 },
    ]);
    for (const x of both) {
      t.ok(x.ok, `new connection succeeds within 1 s${x.error ? ': ' + x.error : ''}`);
      t.equal(uplinkOf(x.peer), 3, 'through the default modem (3), not the dead one');
    }
    await assertCleanSet(t, bedPlan({ modems: [bedModem(1), bedModem(2, { up: false }), bedModem(3)], placements: [web(2)] }), 'after losing modem 2');
  });

  t.test('a modem with 100% loss: new connections move, its existing flows are re-placed, not dropped', async (t) => {
    let r = await ctl.apply(bedPlan({ placements: [web(3)], defaultTarget: { kind: 'slot', slot: 3 } }));
    t.ok(r.ok);
    let [udp] = await probe(P, [{ proto: 'udp', host: SERVER_V4, port: 7000, sport: 43000 }]);
    t.equal(uplinkOf(udp!.peer), 3, 'a UDP flow starts on modem 3');

    await bed(P, 'shape', '--uplink', '3', '--loss', '100');
    t.teardown(() => bed(P, 'shape', '--uplink', '3', '--clear').then(() => undefined));
    // The prober sees 100% loss: modem 3 stays up (its table and source rules stay for probes) but is not usable.
    r = await ctl.apply(bedPlan({ modems: [bedModem(1), bedModem(2), bedModem(3, { usable: false })], placements: [web(3)], defaultTarget: { kind: 'slot', slot: 3 } }));
    t.ok(r.ok);
    t.same(r.ok && r.value.usableSlots, [1, 2], 'modem 3 is no longer usable');
    const [tcp] = await probe(P, [{ proto: 'tcp', host: SERVER_V4, port: 80, timeoutMs: 1000 }]);
    t.ok(tcp!.ok, 'a new web connection succeeds within 1 s');
    t.equal(uplinkOf(tcp!.peer), 1, 'on the first usable modem, as neither placement nor default is usable');
    // The old UDP flow's next packet is re-placed onto a live modem. (Its reply needs the
    // conntrack flush the controller runs when conntrack-tools are installed.)
    const before = await opCounters(P, 4);
    await probe(P, [{ proto: 'udp', host: SERVER_V4, port: 7000, sport: 43000, timeoutMs: 300 }]);
    const after = await opCounters(P, 4);
    t.same(after.map((n, k) => n - before[k]!), [1, 0, 0], 'the flow of the lossy modem now leaves through modem 1');
    const rules = await inRouter(P, 'ip', ['-4', 'rule', 'list']);
    t.match(rules, /from 100\.64\.3\.2 lookup 103/, 'modem 3 keeps its source rule so probes can see it recover');
  });

  t.test('restart reconciles without duplicates, and removes strays in our ranges', async (t) => {
    const plan = bedPlan({ placements: [web(2)] });
    let r = await ctl.apply(plan);
    t.ok(r.ok);
    // Strays a crashed older version might have left: a rule in our priority range, a route in our table range.
    await inRouter(P, 'ip', ['rule', 'add', 'priority', '1007', 'from', '10.9.9.9', 'lookup', '104']);
    await inRouter(P, 'ip', ['route', 'add', '10.9.9.0/24', 'via', '100.64.1.1', 'table', '109']);
    const again = newController();
    r = await again.start(plan);
    t.ok(r.ok);
    t.equal(r.ok && r.value.ipChanges, 2, 'exactly the two strays were removed');
    await assertCleanSet(t, plan, 'after restart');
    r = await again.start(plan);
    t.equal(r.ok && r.value.ipChanges, 0, 'a second start changes no rule or route');
  });

  t.test('SIGKILL while running, then start: one clean set', async (t) => {
    const tsImport = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
    const child = spawn(process.execPath, [...tsImport, resolve(HERE, 'crash-child.ts'), P], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => void child.kill('SIGKILL')); // in case an assertion below throws first
    const line = await new Promise<string>((ok) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) ok(out.trim());
      });
      child.once('exit', () => ok(out.trim() || 'exited'));
    });
    t.equal(line, 'applied', 'the child applied its plan');
    child.kill('SIGKILL');
    await new Promise((ok) => child.once('exit', ok));
    const plan = bedPlan({ placements: [web(1)] });
    const r = await newController().start(plan);
    t.ok(r.ok, r.ok ? 'started' : r.errors.join('; '));
    await assertCleanSet(t, plan, 'after SIGKILL + start');
    const pins = JSON.parse(await inRouter(P, 'nft', ['-j', 'list', 'map', 'inet', S.tableName, 'pins4'])) as { nftables: Array<{ map?: { elem?: unknown[] } }> };
    t.equal(pins.nftables.find((x) => x.map)?.map?.elem?.length ?? 0, 0, "the crashed run's pins are gone");
    const [res] = await probe(P, [{ proto: 'tcp', host: SERVER_V4, port: 80 }]);
    t.equal(uplinkOf(res!.peer), 1, 'and the new plan steers');
  });

  t.test('stop removes ours and leaves the client online through the main table', async (t) => {
    const r = await ctl.apply(bedPlan({ placements: [web(3)] }));
    t.ok(r.ok);
    const s = await ctl.stop();
    t.ok(s.ok);
    await assertCleanSet(t, null, 'after stop');
    const res = await probe(P, [
      { proto: 'tcp', host: SERVER_V4, port: 80 },
      { proto: 'tcp', host: SERVER_V6, port: 80 },
    ]);
    t.same(res.map((x) => [x.ok, uplinkOf(x.peer)]), [[true, 1], [true, 1]], 'both families online via the main default (uplink 1)');
    const again = await ctl.stop();
    t.ok(again.ok, 'stop is idempotent');
  });
}
