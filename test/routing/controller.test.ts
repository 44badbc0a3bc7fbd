import t from 'tap';
import { RoutingController, domainSetElements } from '../../src/routing/controller.js';
import { MemoryLogger } from '../../src/os/logger.js';
import { markLayout } from '../../src/model/mark-layout.js';
import { buildNft, renderFullTable } from '../../src/routing/nft-ruleset.js';
import { validatePlan } from '../../src/routing/validate-plan.js';
import type { RoutingPlan } from '../../src/routing/plan.js';
import { basePlan, modem, rule, SETTINGS } from './fixtures/plans.js';
import { FakeKernel } from './fixtures/fake-ip.js';

function setup(over: { flushConntrackOnLoss?: boolean } = {}) {
  const k = new FakeKernel();
  const logger = new MemoryLogger();
  const ctl = new RoutingController({ runner: k.runner, logger, settings: SETTINGS, ...over });
  return { k, logger, ctl };
}

function fullText(plan: RoutingPlan): string {
  const v = validatePlan(plan);
  if (!v.ok) throw new Error(v.errors.join('; '));
  return renderFullTable(buildNft(v.value, markLayout(SETTINGS.markMask)!, 'modemflow'));
}

const pin = (sport: number, slot: number) => ({ tuple: { family: 4 as const, proto: 'tcp', src: '192.168.77.2', dst: '203.0.113.10', sport, dport: 80 }, slot });

t.test('start on a clean system: reads, one ip batch per family, one nft transaction', async (t) => {
  const { k, ctl } = setup();
  const plan = basePlan({ modems: [modem(1), modem(2)] });
  const r = await ctl.start(plan);
  t.same(r, { ok: true, value: { nft: 'full', ipChanges: 20, usableSlots: [1, 2], droppedPins: 0 } });
  // The two families are reconciled at once: both read, then both batches, then nft.
  t.same(k.runner.lines(), [
    'ip -4 -j rule list',
    'ip -4 -j route show table all',
    'ip -6 -j rule list',
    'ip -6 -j route show table all',
    'ip -4 -force -batch -',
    'ip -6 -force -batch -',
    'nft -f -',
  ]);
  t.equal(
    k.runner.log.find((c) => c.args.join(' ') === '-4 -force -batch -')!.input,
    [
      'route replace default via 100.64.1.1 dev wan1 table 101 proto static',
      'route replace default via 100.64.2.1 dev wan2 table 102 proto static',
      'rule add priority 1000 fwmark 0x10000/0xf0000 lookup main suppress_prefixlength 0',
      'rule add priority 1000 from 100.64.1.2 lookup main suppress_prefixlength 0',
      'rule add priority 1001 fwmark 0x10000/0xf0000 lookup 101',
      'rule add priority 1001 from 100.64.1.2 lookup 101',
      'rule add priority 1002 fwmark 0x20000/0xf0000 lookup main suppress_prefixlength 0',
      'rule add priority 1002 from 100.64.2.2 lookup main suppress_prefixlength 0',
      'rule add priority 1003 fwmark 0x20000/0xf0000 lookup 102',
      'rule add priority 1003 from 100.64.2.2 lookup 102',
      '',
    ].join('\n'),
  );
  t.equal(k.runner.log[6]!.input, fullText(plan));
  for (const c of k.runner.log) t.notOk(c.args.some((a) => /\s/.test(a)), `${c.program}: arguments are single tokens`);
});

t.test('apply changes only what differs; an unchanged plan runs no change at all', async (t) => {
  const { k, ctl } = setup();
  const plan = basePlan();
  await ctl.start(plan);
  k.runner.clear();
  let r = await ctl.apply(plan);
  t.same(r.ok && r.value, { nft: 'unchanged', ipChanges: 0, usableSlots: [1, 2, 3], droppedPins: 0 });
  t.same(k.runner.lines(), ['ip -4 -j rule list', 'ip -4 -j route show table all', 'ip -6 -j rule list', 'ip -6 -j route show table all'], 'reads only');

  // The kernel dropped a route behind our back (the device bounced): it comes back.
  k.routes[4].splice(k.routes[4].indexOf('default via 100.64.2.1 dev wan2 table 102'), 1);
  k.runner.clear();
  r = await ctl.apply(plan);
  t.equal(r.ok && r.value.ipChanges, 1);
  t.equal(k.runner.log.find((c) => c.args.includes('-batch'))!.input, 'route replace default via 100.64.2.1 dev wan2 table 102 proto static\n');
});

t.test('pin changes are one small nft transaction; a failed one falls back to a full replace', async (t) => {
  const { k, logger, ctl } = setup();
  await ctl.start(basePlan({ pins: [pin(1000, 1)] }));
  k.runner.clear();
  let r = await ctl.apply(basePlan({ pins: [pin(1000, 2), pin(1001, 3)] }));
  t.equal(r.ok && r.value.nft, 'pins');
  const nft = k.runner.log.filter((c) => c.program === 'nft');
  t.equal(nft.length, 1);
  t.equal(
    nft[0]!.input,
    'delete element inet modemflow pins4 { 192.168.77.2 . tcp . 203.0.113.10 . 1000 . 80 }\n' +
      'add element inet modemflow pins4 { 192.168.77.2 . tcp . 203.0.113.10 . 1000 . 80 : goto set_2, 192.168.77.2 . tcp . 203.0.113.10 . 1001 . 80 : goto set_3 }\n',
  );

  k.nft = (c) => (c.input?.startsWith('delete element') || c.input?.startsWith('add element') ? { code: 1, stderr: 'Error: Could not process rule: No such file or directory' } : {});
  k.runner.clear();
  const next = basePlan({ pins: [pin(1001, 1)] });
  r = await ctl.apply(next);
  t.equal(r.ok && r.value.nft, 'full');
  const inputs = k.runner.log.filter((c) => c.program === 'nft').map((c) => c.input);
  t.equal(inputs.length, 2);
  t.equal(inputs[1], fullText(next), 'the whole table, pins included, replaces whatever was there');
  t.equal(logger.at('warn')[0]?.msg, 'pin update failed, replacing the table');
});

t.test('updatePins: a delta as one element transaction, no ip reads, pins to unusable modems dropped', async (t) => {
  const { k, ctl } = setup();
  t.same(await ctl.updatePins({ set: [pin(1000, 1)] }), { ok: false, errors: ['updatePins needs a successful start() or apply() first'] });
  await ctl.start(basePlan({ modems: [modem(1), modem(2), modem(3, { usable: false })], pins: [pin(1000, 1), pin(999, 2)] }));
  k.runner.clear();
  const r = await ctl.updatePins({ set: [pin(1000, 1), pin(1001, 2), pin(1002, 3), pin(999, 1)], remove: [] });
  t.same(r, { ok: true, value: { changed: 2, droppedPins: 1 } }, '1001 added, 999 moved; 1000 unchanged; 1002 to an unusable modem dropped');
  t.same(k.runner.lines(), ['nft -f -']);
  t.equal(
    k.runner.log[0]!.input,
    'delete element inet modemflow pins4 { 192.168.77.2 . tcp . 203.0.113.10 . 999 . 80 }\n' +
      'add element inet modemflow pins4 { 192.168.77.2 . tcp . 203.0.113.10 . 1001 . 80 : goto set_2, 192.168.77.2 . tcp . 203.0.113.10 . 999 . 80 : goto set_1 }\n',
  );
  k.runner.clear();
  t.same(await ctl.updatePins({ remove: [pin(1000, 1).tuple, pin(4242, 1).tuple] }), { ok: true, value: { changed: 1, droppedPins: 0 } }, 'removing an unknown tuple is a no-op');
  t.equal(k.runner.log[0]!.input, 'delete element inet modemflow pins4 { 192.168.77.2 . tcp . 203.0.113.10 . 1000 . 80 }\n');
  t.same(await ctl.updatePins({ set: [pin(1001, 2)] }), { ok: true, value: { changed: 0, droppedPins: 0 } }, 'no change, no command');
  t.same(await ctl.updatePins({ set: [pin(1000, 9)] }), { ok: false, errors: ['pins[0]: slot 9 is not a modem of the plan'] });
  t.same(await ctl.updatePins({ remove: [{ ...pin(1, 1).tuple, src: 'x' }] }), { ok: false, errors: ['remove[0]: src/dst must be IPv4 addresses'] });
  k.nft = () => ({ code: 1, stderr: 'Error: No such file or directory' });
  const failed = await ctl.updatePins({ set: [pin(1003, 1)] });
  t.notOk(failed.ok);
  k.nft = () => ({});
  const again = await ctl.apply(basePlan({ modems: [modem(1), modem(2), modem(3, { usable: false })] }));
  t.equal(again.ok && again.value.nft, 'full', 'after a failed pin update the next apply rebuilds');
});

t.test('losing a modem flushes its connections (conntrack) and drops its pins', async (t) => {
  const { k, ctl } = setup();
  await ctl.start(basePlan({ pins: [pin(1000, 2)] }));
  k.runner.clear();
  const r = await ctl.apply(basePlan({ modems: [modem(1), modem(2, { usable: false }), modem(3)], pins: [pin(1000, 2)] }));
  t.same(r.ok && [r.value.nft, r.value.usableSlots, r.value.droppedPins], ['full', [1, 3], 1]);
  t.same(k.runner.lines().filter((l) => l.startsWith('conntrack')), ['conntrack -D --mark 0x20000/0xf0000']);
  t.same(k.runner.lines().slice(-2), ['nft -f -', 'conntrack -D --mark 0x20000/0xf0000'], 'after the ruleset stopped steering to it');

  // Without conntrack-tools: warn once, carry on.
  const s = setup();
  s.k.conntrack = () => ({ code: 127, stderr: 'spawn conntrack ENOENT' });
  await s.ctl.start(basePlan());
  await s.ctl.apply(basePlan({ modems: [modem(1), modem(2, { up: false }), modem(3)] }));
  const r2 = await s.ctl.apply(basePlan({ modems: [modem(1), modem(2, { up: false }), modem(3, { up: false })] }));
  t.ok(r2.ok);
  t.equal(s.logger.at('warn').filter((e) => e.msg.startsWith('conntrack tool missing')).length, 1);
  t.equal(s.k.runner.lines().filter((l) => l.startsWith('conntrack')).length, 1, 'not tried again');

  const off = setup({ flushConntrackOnLoss: false });
  await off.ctl.start(basePlan());
  await off.ctl.apply(basePlan({ modems: [modem(1), modem(2, { up: false }), modem(3)] }));
  t.equal(off.k.runner.lines().filter((l) => l.startsWith('conntrack')).length, 0, 'can be turned off');
});

t.test('a table rebuild keeps what dnsmasq put into the domain sets', async (t) => {
  const { k, ctl } = setup();
  const plan = basePlan({ classes: [rule({ name: 'video', domains: ['video.example'] }), rule({ name: 'default' })] });
  k.nft = (c) =>
    c.args.join(' ') === '-j list set inet modemflow dom_c1_4'
      ? { stdout: JSON.stringify({ nftables: [{ metainfo: {} }, { set: { name: 'dom_c1_4', elem: ['192.0.2.7', { elem: { val: '192.0.2.8', timeout: 60 } }, '1.2.3.4; flush ruleset'] } }] }) }
      : c.args[0] === '-j'
        ? { code: 1, stderr: 'Error: No such file or directory' }
        : {};
  const r = await ctl.start(plan);
  t.ok(r.ok);
  const full = k.runner.log.find((c) => c.program === 'nft' && c.args[0] === '-f')!.input!;
  t.match(full, /\nadd element inet modemflow dom_c1_4 \{ 192\.0\.2\.7, 192\.0\.2\.8 \}\n/, 'valid addresses carried over, junk dropped');
  t.notMatch(full, /dom_c1_6 \{ /, 'an empty or missing set carries nothing');
  t.same(domainSetElements('not json'), []);
});

t.test('stop removes our table, rules and routes, and is safe to repeat', async (t) => {
  const { k, ctl } = setup();
  await ctl.start(basePlan());
  k.rules[4].push('priority 32000 from 10.0.0.1 lookup main'); // not ours: outside the range
  k.runner.clear();
  const r = await ctl.stop();
  t.same(r, { ok: true, value: undefined });
  t.equal(k.runner.log[0]!.input, 'table inet modemflow {}\ndelete table inet modemflow\n');
  t.same(k.rules[4], ['priority 32000 from 10.0.0.1 lookup main']);
  t.same([k.rules[6], k.routes[4], k.routes[6]], [[], [], []]);
  t.ok((await ctl.stop()).ok);
});

t.test('bad input and failing commands are values, not throws', async (t) => {
  const { k, ctl } = setup();
  const bad = await ctl.start(basePlan({ defaultTarget: { kind: 'slot', slot: 7 } }));
  t.same(bad, { ok: false, errors: ['defaultTarget: slot 7 is not a modem of the plan'] });
  t.equal(k.runner.log.length, 0, 'nothing ran');

  const mask = new RoutingController({ runner: k.runner, logger: new MemoryLogger(), settings: { ...SETTINGS, markMask: 0xff } });
  t.same(await mask.start(basePlan()), { ok: false, errors: ['mark_mask 0xff must hold 12 contiguous bits'] });

  k.nft = () => ({ code: 1, stderr: 'Error: Could not process rule: Operation not supported' });
  const r = await ctl.start(basePlan());
  t.same(r, { ok: false, errors: ['nft -f failed: Error: Could not process rule: Operation not supported'] });
  k.nft = () => ({});
  k.runner.clear();
  const again = await ctl.apply(basePlan());
  t.equal(again.ok && again.value.nft, 'full', 'after a failed transaction the next apply rebuilds');
});
