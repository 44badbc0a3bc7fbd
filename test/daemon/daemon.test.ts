// modemflowd on fake ports: the real composition root, the project's ubus
// broker with netifd objects in netifd's reply format, a fake kernel and a
// ping stand-in on a manual clock. Each input drives the expected decision,
// routing change and log line.
import t from 'tap';
import type { Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_CONFIG, conntrackLine, router, steadyDownload } from './fixtures/router.js';
import type { Router } from './fixtures/router.js';
import type { AssignmentReply, ModemsReply, StatusReply } from '../../src/model/api.js';
import { UbusError } from '../../src/ubus/index.js';
import { RAT_POWER } from '../../src/metrics/power-model.js';

const GROUP = 'h:192.168.1.20:web';

async function started(t: Test, config?: string): Promise<Router> {
  const r = await router(t, config);
  await r.start();
  await r.run(5000);
  return r;
}

function lines(r: Router, re: RegExp): string[] {
  return r.logger.entries.filter((e) => re.test(e.msg)).map((e) => e.msg);
}

async function call<T>(r: Router, method: string, args: Record<string, unknown> = {}): Promise<T> {
  return (await r.client.call('modemflow', method, args)) as T;
}

t.test('start: both modems read, routing installed, the object answers', async (t) => {
  const r = await started(t);
  const status = await call<StatusReply>(r, 'status');
  t.equal(status.config.state, 'ok');
  t.same(status.modems.map((m) => [m.name, m.state]), [['cheap', 'active'], ['fast', 'standby']], 'the cheap modem carries; the dear one waits (demand-driven activation)');
  // Both links are up: the standby modem draws its idle power too (netifd metrics: the LTE model).
  t.ok(status.power.modelledW >= 2 * RAT_POWER.lte.baseW - 0.01, `modelled ${status.power.modelledW} W counts both modems' idle power`);
  const nft = r.kernel.runner.log.filter((c) => c.program === 'nft' && c.args[0] === '-f');
  t.ok(nft.length >= 1, 'one nft transaction or more');
  t.match(nft[0]!.input ?? '', /table inet modemflow/, 'the inet modemflow table');
  t.ok(r.kernel.rules[4].some((x) => /lookup 3101/.test(x)), 'an ip rule for the first modem slot');
  t.ok(r.kernel.routes[4].some((x) => /default via 10\.61\.0\.1 dev wwan1 table 3101/.test(x)), "the cheap modem's table has its default route");
  const modems = await call<ModemsReply>(r, 'modems');
  const cheap = modems.modems.find((m) => m.name === 'cheap')!;
  t.equal(cheap.link.up, true);
  t.equal(cheap.path?.alive, true, 'probes answered');
  t.equal(cheap.slot, 1);
  t.equal(cheap.price.perGb, 2);
  t.ok(lines(r, /^modem cheap new -> active$/).length === 1 || lines(r, /^modem cheap .* -> active$/).length >= 1, 'a log line for the modem state');
});

t.test('a new flow group is placed where it fits with the least change, with its reason', async (t) => {
  const r = await started(t);
  r.conntrack.push(conntrackLine(1, 40001, 443));
  await r.run(3000);
  const a = await call<AssignmentReply>(r, 'assignment');
  t.equal(a.assignment[GROUP], 'cheap', 'the web group of the LAN host goes to the cheap modem');
  const place = a.decisions.find((d) => d.group === GROUP && d.kind === 'place');
  t.ok(place, 'a place decision');
  t.match(place!.reason, /cheapest [CSIB]-capable with room \(2\/GB\)/, 'the reason names the rule and the price');
  t.ok(lines(r, new RegExp(`^group ${GROUP} -> cheap: cheapest`)).length >= 1, 'one log line with the reason');
  const status = await call<StatusReply>(r, 'status');
  t.ok(status.counters.solvesIncremental >= 1, 'counted as an incremental solve');
  // The routing plan: new connections of this host's web class go to slot 1.
  const nftText = r.kernel.runner.log.filter((c) => c.program === 'nft').map((c) => c.input ?? '').join('\n');
  t.match(nftText, /192\.168\.1\.20/, 'the host placement reached nftables');
});

t.test('a dead path moves the groups to the other modem and flushes nothing that works', async (t) => {
  const r = await started(t);
  r.conntrack.push(conntrackLine(1, 40001, 443));
  await r.run(3000);
  r.uplinks.get('wwan1')!.rttMs = null; // probes stop answering
  await r.run(4000);
  const modems = await call<ModemsReply>(r, 'modems');
  const cheap = modems.modems.find((m) => m.name === 'cheap')!;
  t.equal(cheap.path?.alive, false, 'the path is dead within 3 probe intervals');
  t.equal(cheap.state, 'excluded');
  t.match(cheap.exclusions.map((e) => e.code).join(','), /dead-path/);
  const a = await call<AssignmentReply>(r, 'assignment');
  t.equal(a.assignment[GROUP], 'fast', 'the group now goes to the fast modem');
  const move = a.decisions.find((d) => d.kind === 'move' && d.group === GROUP);
  t.ok(move, 'a move decision');
  t.equal(move!.from, 'cheap');
  const status = await call<StatusReply>(r, 'status');
  t.ok(status.counters.redirections >= 1, 'counted as a redirection');
  t.ok(r.kernel.runner.log.some((c) => c.program === 'conntrack' && c.args[0] === '-D'), "the dead modem's connections are flushed so they restart elsewhere");
  r.uplinks.get('wwan1')!.rttMs = 30;
  await r.run(5000);
  const back = await call<ModemsReply>(r, 'modems');
  t.equal(back.modems.find((m) => m.name === 'cheap')!.path?.alive, true, 'alive again');
});

t.test('link down over netifd: the modem leaves, the other takes over', async (t) => {
  const r = await started(t);
  r.conntrack.push(conntrackLine(1, 40001, 443));
  await r.run(3000);
  r.uplinks.get('wwan1')!.up = false;
  await r.client.sendEvent('network.interface', { action: 'ifdown', interface: 'wwan1' });
  await r.run(2000);
  const status = await call<StatusReply>(r, 'status');
  t.equal(status.modems.find((m) => m.name === 'cheap')!.state, 'down');
  t.equal((await call<AssignmentReply>(r, 'assignment')).assignment[GROUP], 'fast');
  t.ok(r.logger.entries.some((e) => e.msg === 'interface event' && e.fields['interface'] === 'wwan1'), 'the netifd event was heard');
});

t.test('hysteresis: a small saving on the slow timer does not move traffic, a large one does', async (t) => {
  const r = await started(t);
  r.conntrack.push(steadyDownload(r.clock, 1, 40001, 443, 2000));
  await r.run(15_000);
  const d = r.composed!.daemon;
  const modemOfOnlyGroup = async (): Promise<string | null> => {
    const f = (await r.client.call('modemflow', 'flows', {})) as { groups: Array<{ id: string; modem: string | null; downKbps: number }> };
    t.equal(f.groups.length, 1, `one group (${f.groups.map((g) => `${g.id} ${g.downKbps} kbit/s`).join(', ')})`);
    return f.groups[0]?.modem ?? null;
  };
  t.equal(await modemOfOnlyGroup(), 'cheap', 'the download starts on the cheap modem');
  // Make the fast modem 3 % cheaper than the cheap one: not worth a move at 5 % hysteresis.
  d.updatePlan('fast', { pricePerGb: 1.94 }, 'test');
  await r.run(61_000);
  t.equal(await modemOfOnlyGroup(), 'cheap', 'kept on the cheap modem');
  const status1 = await call<StatusReply>(r, 'status');
  t.ok(status1.counters.solvesRejected >= 1, 'a full solve was rejected by the hysteresis');
  t.ok(lines(r, /^full solve kept the current assignment$/).length >= 1, 'logged');
  d.updatePlan('fast', { pricePerGb: 0.5 }, 'test');
  await r.run(61_000);
  t.equal(await modemOfOnlyGroup(), 'fast', 'moved once the saving is clear');
  const a = await call<AssignmentReply>(r, 'assignment');
  t.ok(a.lastFullSolve?.adopted, 'adopted');
  // And no flapping: another timer period changes nothing.
  const moves = a.decisions.filter((x) => x.kind === 'move').length;
  await r.run(61_000);
  const again = await call<AssignmentReply>(r, 'assignment');
  t.equal(again.decisions.filter((x) => x.kind === 'move').length, moves, 'no further moves');
});

t.test('a bad config keeps the last good one and says where', async (t) => {
  const r = await started(t);
  r.writeConfig(BASE_CONFIG().replace("option price_per_gb '8'", "option price_per_gb 'eight'"));
  const reply = (await r.client.call('modemflow', 'reload', {})) as { state: string; problems: Array<{ line: number | null; option: string | null; message: string }> };
  t.equal(reply.state, 'kept-last-good');
  const p = reply.problems.find((x) => x.option === 'price_per_gb');
  t.ok(p, 'the problem names the option');
  t.ok(p!.line !== null && p!.line > 0, `and the line (${p!.line})`);
  const modems = await call<ModemsReply>(r, 'modems');
  t.equal(modems.modems.find((m) => m.name === 'fast')!.price.perGb, 8, 'the old price still runs');
  t.ok(r.logger.entries.some((e) => e.level === 'error' && /modemflow:\d+: fast\.price_per_gb/.test(e.msg)), 'logged as file:line: section.option');
  const status = await call<StatusReply>(r, 'status');
  t.ok(status.warnings.some((w) => /last good/.test(w)), 'status warns');
});

t.test('reload as a diff: an unchanged modem keeps its counters; a changed price applies', async (t) => {
  const r = await started(t);
  r.uplinks.get('wwan1')!.rxBytes = 5_000_000;
  await r.run(2000);
  const before = (await call<ModemsReply>(r, 'modems')).modems.find((m) => m.name === 'cheap')!.cycleBytes;
  t.ok(before !== null && before >= 5_000_000, `bytes counted (${before})`);
  r.writeConfig(BASE_CONFIG().replace("option price_per_gb '8'", "option price_per_gb '6'"));
  const reply = (await r.client.call('modemflow', 'reload', {})) as { state: string; changed: string[] };
  t.equal(reply.state, 'ok');
  t.match(reply.changed.join(' '), /modems changed: fast/);
  await r.run(2000);
  const after = await call<ModemsReply>(r, 'modems');
  t.equal(after.modems.find((m) => m.name === 'cheap')!.cycleBytes, before, 'the unchanged modem kept its count');
  t.equal(after.modems.find((m) => m.name === 'fast')!.price.perGb, 6, 'the new price');
});

t.test('quota usage survives a restart', async (t) => {
  const r = await started(t);
  r.uplinks.get('wwan1')!.rxBytes = 7_000_000;
  await r.run(2000);
  await r.stop();
  const saved = JSON.parse(readFileSync(join(r.stateDir, 'quota.json'), 'utf8')) as { modems: Record<string, { bytes: number }> };
  t.ok(saved.modems['cheap']!.bytes >= 7_000_000, 'saved on stop');
  // Restart: the interface counters start again from a lower value (a new process reads the same device).
  await r.start();
  await r.run(3000);
  const m = (await call<ModemsReply>(r, 'modems')).modems.find((x) => x.name === 'cheap')!;
  t.ok((m.cycleBytes ?? 0) >= saved.modems['cheap']!.bytes, `restored (${m.cycleBytes})`);
});

t.test('a corrupt quota file is reported and ignored, not half-used', async (t) => {
  const r = await router(t);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(r.stateDir, { recursive: true });
  writeFileSync(join(r.stateDir, 'quota.json'), '{"version":1,"savedMs":1,"modems":{"cheap":{"bytes":-5}}}');
  await r.start();
  await r.run(2000);
  t.ok(r.logger.entries.some((e) => e.msg === 'quota state unreadable; counting from zero' && /bytes/.test(String(e.fields['reason']))), 'warned with the field');
});

t.test('a provider that hangs marks only its modem unknown', async (t) => {
  const cfg = BASE_CONFIG().replace("option interface 'wwan2'\n\toption metrics 'netifd'", "option interface 'wwan2'\n\toption metrics 'modemmanager'");
  const r = await router(t, cfg);
  const mm = await r.bed.client();
  await mm.addObject({ path: 'modemmanager', methods: { dump: { handler: () => new Promise(() => undefined) } } });
  await r.start();
  await r.run(15_000);
  const status = await call<StatusReply>(r, 'status');
  t.equal(status.modems.find((m) => m.name === 'fast')!.state, 'unknown', 'the hanging one is unknown');
  t.equal(status.modems.find((m) => m.name === 'cheap')!.state, 'active', 'the other works on');
  t.ok(status.warnings.some((w) => /modem fast: .*no answer within/.test(w)), 'status says which provider hangs');
});

t.test('set_power_limit: argument checks, the limit in status, a decision logged', async (t) => {
  const r = await started(t);
  const res = (await r.client.call('modemflow', 'set_power_limit', { watts: 3.5 })) as { limitW: number };
  t.equal(res.limitW, 3.5);
  await r.run(500);
  const status = await call<StatusReply>(r, 'status');
  t.equal(status.power.limitW, 3.5);
  t.equal(status.power.basis, 'override');
  const a = await call<AssignmentReply>(r, 'assignment');
  t.ok(a.decisions.some((d) => d.kind === 'power' && /3\.5 W/.test(d.reason)));
  await t.rejects(r.client.call('modemflow', 'set_power_limit', { watts: -1 }), { code: 'INVALID_ARGUMENT' });
  t.ok(r.logger.entries.some((e) => e.msg === 'ubus call refused' && e.fields['argument'] === 'watts'), 'a log line names the argument');
  await t.rejects(r.client.call('modemflow', 'set_power_limit', { watts: 'x' }), { code: 'INVALID_ARGUMENT' }, 'wrong type');
  await r.client.call('modemflow', 'set_power_limit', { clear: true });
  await r.run(200);
  t.equal((await call<StatusReply>(r, 'status')).power.limitW, null, 'cleared: mains has no limit');
});

t.test('other methods: history, flows filters, solve, iface_event, bad arguments', async (t) => {
  const r = await started(t);
  r.conntrack.push(conntrackLine(1, 40001, 443));
  await r.run(3000);
  const h = (await r.client.call('modemflow', 'history', { seconds: 5 })) as { intervalS: number; samples: Array<{ t: number; modems: Record<string, unknown> }> };
  t.equal(h.intervalS, 1);
  t.ok(h.samples.length >= 4 && h.samples.length <= 5, `about 5 samples (${h.samples.length})`);
  t.ok('cheap' in h.samples[0]!.modems);
  const f = (await r.client.call('modemflow', 'flows', { modem: 'cheap' })) as { groups: Array<{ id: string; host: string }>; total: number };
  t.same(f.groups.map((g) => g.id), [GROUP]);
  const none = (await r.client.call('modemflow', 'flows', { modem: 'fast' })) as { groups: unknown[]; total: number };
  t.same([none.groups.length, none.total], [0, 1], 'filtered out, total still counts it');
  const inst = { powerLimitW: null, interfaces: [{ id: 'a', bearers: [{ id: 'b', qos: 'C', upKbps: 100, downKbps: 100, costPerKbit: 1, baseW: 1, txWPerKbps: 0, rxWPerKbps: 0 }] }], flows: [{ id: 'f', upKbps: 10, downKbps: 10, qos: 'B' }] };
  const ans = (await r.client.call('modemflow', 'solve', { instance: inst })) as { status: string; assignment: Record<string, string> };
  t.same([ans.status, ans.assignment], ['ok', { f: 'a' }]);
  await t.rejects(r.client.call('modemflow', 'solve', { instance: { interfaces: 3 } }), { code: 'INVALID_ARGUMENT' });
  await t.rejects(r.client.call('modemflow', 'history', { seconds: 0 }), { code: 'INVALID_ARGUMENT' });
  await t.rejects(r.client.call('modemflow', 'iface_event', { interface: 'wan9', action: 'ifup' }), { code: 'NOT_FOUND' });
  await t.rejects(r.client.call('modemflow', 'iface_event', { interface: 'wan;rm', action: 'ifup' }), { code: 'INVALID_ARGUMENT' });
  const ev = (await r.client.call('modemflow', 'iface_event', { interface: 'wwan2', action: 'ifup' })) as { modem: string };
  t.equal(ev.modem, 'fast');
});

t.test('notifications reach subscribers', async (t) => {
  const r = await started(t);
  const seen: string[] = [];
  await r.client.subscribe('modemflow', (type) => void seen.push(type));
  await r.run(200);
  r.uplinks.get('wwan1')!.rttMs = null;
  await r.run(4000);
  await r.client.call('modemflow', 'set_power_limit', { watts: 5 });
  await r.run(500);
  t.ok(seen.includes('modem'), 'modem');
  t.ok(seen.includes('decision'), 'decision');
  t.ok(seen.includes('power'), 'power');
});

t.test('stop removes the table, the rules and the routes', async (t) => {
  const r = await started(t);
  await r.stop();
  t.same([r.kernel.rules[4], r.kernel.routes[4], r.kernel.rules[6], r.kernel.routes[6]], [[], [], [], []], 'no rule or route of ours left');
  const last = r.kernel.runner.log.filter((c) => c.program === 'nft').pop();
  t.match(last?.input ?? '', /delete table inet modemflow/);
});

t.test('a plan-only reload keeps the modem, its groups and its connections', async (t) => {
  const r = await started(t);
  r.conntrack.push(conntrackLine(1, 40001, 443));
  await r.run(3000);
  t.equal((await call<AssignmentReply>(r, 'assignment')).assignment[GROUP], 'cheap');
  r.writeConfig(BASE_CONFIG().replace("option price_per_gb '2'", "option price_per_gb '2.2'\n\toption quota_gb '50'"));
  await r.client.call('modemflow', 'reload', {});
  await r.run(3000);
  t.equal((await call<AssignmentReply>(r, 'assignment')).assignment[GROUP], 'cheap', 'the group stays');
  t.notOk(r.logger.entries.some((e) => /^modem cheap active -> (unknown|down)/.test(e.msg)), 'the modem never looked gone');
  t.notOk(r.kernel.runner.log.some((c) => c.program === 'conntrack' && c.args[0] === '-D'), 'no connection flushed');
  t.equal((await call<ModemsReply>(r, 'modems')).modems.find((m) => m.name === 'cheap')!.price.quotaGb, 50, 'the new plan applies');
});

t.test('a threshold (RTT) excludes a modem for new traffic but keeps its connections', async (t) => {
  const r = await started(t, BASE_CONFIG().replace("option interface 'wwan1'", "option interface 'wwan1'\n\toption max_rtt '100'"));
  r.conntrack.push(conntrackLine(1, 40001, 443));
  await r.run(3000);
  r.uplinks.get('wwan1')!.rttMs = 400;
  await r.run(10_000);
  const cheap = (await call<ModemsReply>(r, 'modems')).modems.find((m) => m.name === 'cheap')!;
  t.equal(cheap.state, 'excluded');
  t.match(cheap.exclusions.map((e) => e.code).join(','), /rtt/);
  t.notOk(r.kernel.runner.log.some((c) => c.program === 'conntrack' && c.args[0] === '-D'), 'its connections are not flushed');
  t.equal((await call<AssignmentReply>(r, 'assignment')).assignment[GROUP], 'fast', 'the group (its new connections) goes to the other modem');
});

/** 25 downloads of a LAN host adding up to `totalKbps`. */
function manyDownloads(r: Router, totalKbps: number): void {
  for (let i = 0; i < 25; i++) r.conntrack.push(steadyDownload(r.clock, 100 + i, 41000 + i, 9000, totalKbps / 25));
}

t.test('a download that fills its modem spreads its host\'s new bulk connections to the next modem', async (t) => {
  const r = await started(t);
  // Port 9000 matches no class: the fallback class, background (B). 19 Mbit/s fills the cheap modem's 20,
  // over connections below the heavy threshold (1 Mbit/s) so that they stay in the host's group.
  manyDownloads(r, 19_000);
  await r.run(30_000);
  const f = (await r.client.call('modemflow', 'flows', {})) as { groups: Array<{ id: string; modem: string | null; shares?: Array<{ modem: string; weight: number }> }> };
  const bulk = f.groups.find((g) => g.id === 'h:192.168.1.20:default');
  t.ok(bulk, 'the host\'s background group');
  t.same(bulk?.shares?.map((s) => s.modem), ['cheap', 'fast'], 'its new connections go to the cheap modem and the fast one');
  t.equal(bulk?.modem, 'cheap', 'named by its cheapest modem');
  const spread = (await call<AssignmentReply>(r, 'assignment')).decisions.find((d) => d.kind === 'spread');
  t.match(spread?.reason ?? '', /^over cheap, fast: \d+ kbit\/s fills \d+ kbit\/s free: adding fast$/, 'a decision with its reason');
  t.ok(lines(r, /^bulk spread$/).length >= 1, 'one log line');
  const nftText = r.kernel.runner.log.filter((c) => c.program === 'nft').map((c) => c.input ?? '').join('\n');
  t.match(nftText, /numgen inc mod \d+ vmap/, 'a share chain in nftables: new connections alternate by weight');
});

t.test('spread_bulk 0: the download stays on one modem', async (t) => {
  const r = await started(t, BASE_CONFIG().replace("option hysteresis '0.05'", "option hysteresis '0.05'\n\toption spread_bulk '0'"));
  manyDownloads(r, 19_000);
  await r.run(30_000);
  const f = (await r.client.call('modemflow', 'flows', {})) as { groups: Array<{ id: string; modem: string | null; shares?: unknown }> };
  const bulk = f.groups.find((g) => g.id === 'h:192.168.1.20:default');
  t.equal(bulk?.shares, undefined, 'no shares');
  t.not(bulk?.modem ?? null, null, 'placed on one modem');
});

t.test('a new call goes to a standby modem that meets its class, not to the active one below it', async (t) => {
  const r = await started(t);
  // cheap (active) answers in 400 ms: interactive at best; fast (standby, up) in 30 ms meets conversational.
  r.uplinks.get('wwan1')!.rttMs = 400;
  await r.run(15_000);
  const modems = (await call<ModemsReply>(r, 'modems')).modems;
  t.same(modems.map((m) => [m.name, m.state]), [['cheap', 'active'], ['fast', 'standby']], 'nothing asks for fast yet');
  const nft = r.kernel.runner.log.filter((c) => c.program === 'nft' && c.args[0] === '-f').map((c) => c.input ?? '');
  const last = nft[nft.length - 1] ?? '';
  // Built-in classes in order: voice-dscp 1, sip 2, sip-tcp 3, realtime-media 4, ..., web 11; slots cheap 1, fast 2.
  t.match(last, /chain place_c4 \{[^}]*goto set_2/, 'realtime-media (C): new hosts to fast');
  t.match(last, /chain place_c11 \{[^}]*goto set_1/, 'web (I): new hosts stay on cheap');
});
