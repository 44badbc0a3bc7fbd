// The collector under a ManualClock with fixture-backed providers: refresh
// per modem, rates and cycle usage from counters, and failure isolation — a
// hung provider, a modem that vanishes mid-read, malformed output: one clear
// warning naming the modem, that modem 'unknown', the others untouched.
import t from 'tap';
import { MetricsCollector } from '../../src/metrics/collector.js';
import { NetifdProvider } from '../../src/metrics/providers/netifd.js';
import { defaultRadioProviders } from '../../src/metrics/radio-select.js';
import { ManualClock } from '../../src/os/clock.js';
import { MemoryLogger } from '../../src/os/logger.js';
import { RecordingRunner } from '../../src/os/recording-runner.js';
import { FixtureUbus, fixture, fixtureText, modemConfig } from './fixture-ubus.js';
import type { ModemView } from '../../src/model/modem.js';

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

interface Bed {
  clock: ManualClock;
  logger: MemoryLogger;
  ubus: FixtureUbus;
  runner: RecordingRunner;
  collector: MetricsCollector;
  updates: ModemView[];
  counters: { rx: number; tx: number };
}

function makeBed(startMs = Date.UTC(2026, 4, 20, 12)): Bed {
  const clock = new ManualClock(startMs);
  const logger = new MemoryLogger();
  const counters = { rx: 1_000_000, tx: 500_000 };
  const device = fixture('netifd-device-wwan0.json') as { statistics: Record<string, number> };
  const ubus = new FixtureUbus()
    // m1: netifd + uqmi
    .on('network.interface.wwan', 'status', 'netifd-wwan0.json')
    .on('network.interface.wwan_4', 'status', 'netifd-wwan0_4.json')
    .on('network.device', 'status', () => ({ ...device, statistics: { ...device.statistics, rx_bytes: counters.rx, tx_bytes: counters.tx } }))
    // m2: qmodem, whose sim_info will hang
    .on('network.interface.wan2', 'status', 'netifd-wan2.json')
    .on('qmodem', 'sim_info', 'qmodem-sim.json')
    .on('qmodem', 'network_info', 'qmodem-network.json')
    .on('qmodem', 'cell_info', 'qmodem-cell-lte.json')
    // m3: ModemManager (rpcd dump), interface down
    .on('network.interface.wan3', 'status', 'netifd-wan3-down.json')
    .on('modemmanager', 'dump', 'mm-rpcd-dump.json');
  const runner = new RecordingRunner()
    .on('uqmi -s -d /dev/cdc-wdm0 --get-signal-info', { stdout: fixtureText('uqmi-signal-lte.json') })
    .on('uqmi -s -d /dev/cdc-wdm0 --get-serving-system', { stdout: fixtureText('uqmi-serving.json') })
    .on('uqmi -s -d /dev/cdc-wdm0 --get-system-info', { stdout: fixtureText('uqmi-system-lte.json') });
  const modems = [
    modemConfig({ name: 'm1', interface: 'wwan', metrics: 'uqmi', device: '/dev/cdc-wdm0' }),
    modemConfig({ name: 'm2', interface: 'wan2', metrics: 'qmodem', device: '2_1' }),
    modemConfig({ name: 'm3', interface: 'wan3', metrics: 'modemmanager', device: '1' }),
    modemConfig({ name: 'm4', interface: 'wan4', enabled: false }),
  ];
  const updates: ModemView[] = [];
  const collector = new MetricsCollector(
    { clock, logger, link: new NetifdProvider(ubus), radios: defaultRadioProviders(ubus, runner) },
    modems,
    { refreshIntervalMs: 1000, timeoutMs: 400, onUpdate: (v) => updates.push(v) },
  );
  return { clock, logger, ubus, runner, collector, updates, counters };
}

/** Move time in 100 ms slices, letting the providers' promises settle in between (the clock is synchronous, I/O is not). */
async function step(b: Bed, ms: number): Promise<void> {
  if (ms === 0) b.clock.advance(0);
  for (let left = ms; left > 0; left -= 100) {
    b.clock.advance(Math.min(100, left));
    await flush();
  }
  await flush();
}

t.test('refreshes every enabled modem; rates and cycle usage from counters', async (t) => {
  const b = makeBed();
  t.same(b.ubus.calls, [], 'constructor does nothing');
  b.collector.start();
  t.teardown(() => b.collector.stop());
  await step(b, 0);
  const views = b.collector.views();
  t.same(views.map((v) => v.name), ['m1', 'm2', 'm3'], 'disabled m4 is not read');
  const m1 = b.collector.view('m1')!;
  t.equal(m1.health, 'ok');
  t.equal(m1.link.up, true);
  t.same(m1.link.ipv4, ['10.64.12.7']);
  t.equal(m1.link.sinceMs, Date.UTC(2026, 4, 20, 12) - 3600_000, 'up since now - uptime');
  t.equal(m1.radio?.rat, 'lte');
  t.equal(m1.link.rxKbps, null, 'no rate from one reading');
  t.equal(m1.capacity?.source, 'prior');
  b.counters.rx += 250_000; // 2000 kbit in 1 s
  b.counters.tx += 25_000;
  await step(b, 1000);
  const m1b = b.collector.view('m1')!;
  t.equal(m1b.link.rxKbps, 2000);
  t.equal(m1b.link.txKbps, 200);
  t.equal(m1b.cycleBytes, 275_000, 'usage counted from the first reading on');
  const m3 = b.collector.view('m3')!;
  t.equal(m3.link.up, false);
  t.equal(m3.health, 'ok', 'a down interface is a fact, not a failure');
  t.equal(m3.radio?.rat, 'nr5g-nsa', 'ModemManager still answers for the modem');
  t.ok(b.updates.length >= 6, 'a listener hears every refresh');
  t.same(b.logger.at('warn'), []);
});

t.test('a hung provider: that modem unknown after the timeout, one warning, others unaffected', async (t) => {
  const b = makeBed();
  b.collector.start();
  t.teardown(() => b.collector.stop());
  await step(b, 0);
  t.equal(b.collector.view('m2')!.health, 'ok');
  b.ubus.on('qmodem', 'sim_info', 'hang');
  await step(b, 1000); // refresh starts and hangs
  t.equal(b.collector.view('m2')!.health, 'ok', 'not yet: still within its timeout');
  await step(b, 400);
  const m2 = b.collector.view('m2')!;
  t.equal(m2.health, 'unknown');
  t.match(m2.problem, /no answer within 400 ms from netifd \(wan2\) and qmodem/);
  for (let i = 0; i < 5; i++) await step(b, 1000);
  const warns = b.logger.at('warn');
  t.equal(warns.length, 1, `one warning, not one per refresh: ${JSON.stringify(warns)}`);
  t.equal(warns[0]!.fields['modem'], 'm2');
  t.equal(b.collector.view('m1')!.health, 'ok');
  t.equal(b.collector.view('m3')!.health, 'ok');
  const m1Reads = b.runner.lines().filter((l) => l.endsWith('--get-signal-info')).length;
  t.ok(m1Reads >= 6, `m1 kept refreshing (${m1Reads} reads)`);
  // The provider answers again: the modem recovers (the stuck read is abandoned after 3 timeouts).
  b.ubus.on('qmodem', 'sim_info', 'qmodem-sim.json');
  for (let i = 0; i < 3; i++) await step(b, 1000);
  t.equal(b.collector.view('m2')!.health, 'ok');
  t.equal(b.logger.at('info').filter((e) => e.msg === 'modem metrics recovered').length, 1);
});

t.test('a modem that vanishes mid-read, and malformed output', async (t) => {
  const b = makeBed();
  b.collector.start();
  t.teardown(() => b.collector.stop());
  await step(b, 0);
  // The QMI device disappears (modem re-enumerating): uqmi cannot open it.
  b.runner.on('uqmi -s -d /dev/cdc-wdm0 --get-serving-system', { code: 1, stderr: 'Failed to open device\n', stdout: '' });
  await step(b, 1000);
  let m1 = b.collector.view('m1')!;
  t.equal(m1.health, 'unknown');
  t.match(m1.problem, /uqmi: .*--get-serving-system: exit 1: Failed to open device/);
  t.equal(m1.radio, null, 'no stale radio values');
  t.equal(m1.link.up, true, 'netifd still has the link');
  // The netifd interface goes too.
  b.ubus.off('network.interface.wwan', 'status');
  await step(b, 1000);
  m1 = b.collector.view('m1')!;
  t.equal(m1.link.up, false);
  t.equal(m1.link.sinceMs, b.clock.now(), 'down since it was first seen down');
  t.match(m1.problem, /netifd: netifd interface 'wwan': not found/);
  // ModemManager prints garbage for m3.
  b.ubus.on('modemmanager', 'dump', { modem: 'not-a-list' });
  await step(b, 1000);
  const m3 = b.collector.view('m3')!;
  t.equal(m3.health, 'unknown');
  t.match(m3.problem, /modemmanager: modemmanager dump has no 'modem' array/);
  t.equal(b.collector.view('m2')!.health, 'ok', 'the QModem modem is untouched');
  const warned = b.logger.at('warn').map((e) => e.fields['modem']);
  t.same(warned, ['m1', 'm1', 'm3'], 'one warning per modem and distinct problem');
});

t.test('auto picks what answers; netifd-only when nothing does', async (t) => {
  const clock = new ManualClock();
  const ubus = new FixtureUbus()
    .on('network.interface.wan2', 'status', 'netifd-wan2.json')
    .on('network.interface.wwan', 'status', 'netifd-wwan0.json')
    .on('qmodem', 'sim_info', 'qmodem-sim.json')
    .on('qmodem', 'network_info', 'qmodem-network.json')
    .on('qmodem', 'cell_info', 'qmodem-cell-endc.json');
  const runner = new RecordingRunner().on('mmcli', { code: 127 });
  const logger = new MemoryLogger();
  const c = new MetricsCollector(
    { clock, logger, link: new NetifdProvider(ubus), radios: defaultRadioProviders(ubus, runner) },
    [modemConfig({ name: 'q', interface: 'wan2', device: '2_1' }), modemConfig({ name: 'plain', interface: 'wwan' })],
    { timeoutMs: 400 },
  );
  c.start();
  t.teardown(() => c.stop());
  clock.advance(0);
  await flush();
  t.equal(c.view('q')!.radio?.rat, 'nr5g-nsa', 'QModem found for a section-name device');
  t.equal(c.view('plain')!.radio, null, 'no radio provider: netifd only');
  t.equal(c.view('plain')!.health, 'ok');
  t.same(logger.at('warn'), []);
});

t.test('cycle usage restarts at the billing day', async (t) => {
  const b = makeBed(Date.UTC(2026, 4, 31, 23, 59, 58)); // plan billing_day 1: the cycle ends at June 1st 00:00 UTC
  b.collector.start();
  t.teardown(() => b.collector.stop());
  await step(b, 0);
  b.collector.restoreCycleBytes('m1', 7e9, Date.UTC(2026, 4, 1));
  t.equal(b.collector.view('m1')!.cycleBytes, 7e9, 'usage restored from storage');
  b.collector.restoreCycleBytes('m1', 1, Date.UTC(2026, 3, 1));
  t.equal(b.collector.view('m1')!.cycleBytes, 7e9, 'usage of another cycle is ignored');
  b.counters.rx += 1000;
  await step(b, 1000);
  t.equal(b.collector.view('m1')!.cycleBytes, 7e9 + 1000, 'still May');
  b.counters.rx += 1000;
  await step(b, 1000);
  t.equal(b.collector.view('m1')!.cycleBytes, 1000, 'June: a new cycle counts from zero (this reading\'s interval crossed midnight)');
  b.counters.rx += 500;
  await step(b, 1000);
  t.equal(b.collector.view('m1')!.cycleBytes, 1500);
});
