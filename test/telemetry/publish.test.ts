// Topics and payloads of each kind against the documented schema, on a real mosquitto.
import t from 'tap';
import { Broker, mosquittoMissing } from './fixtures/broker.js';
import { Collector, until } from './fixtures/collector.js';
import { modemEvent } from './fixtures/daemon.js';
import { rig } from './fixtures/setup.js';

const missing = await mosquittoMissing();
if (missing) t.plan(0, missing);
else {
  const broker = await Broker.start();
  t.teardown(() => broker.stop());

  t.test('status, state, metrics and events', async (t) => {
    const sub = await Collector.connect(broker.url, ['modemflow/#']);
    t.teardown(() => sub.close());
    const { telemetry, daemon, logger } = rig({ brokerUrl: broker.url, stateIntervalS: 1, metricsIntervalS: 1 });
    telemetry.start();
    t.teardown(() => telemetry.stop());
    await sub.until(() => sub.on('modemflow/rt1/metrics/lte1').length > 0 && sub.on('modemflow/rt1/state').length > 0, 'state and metrics');
    t.equal(telemetry.status().connected, true);

    const status = sub.on('modemflow/rt1/status');
    t.equal(status[0]?.payload, 'online', 'birth message');
    t.equal(status[0]?.qos, 1);

    const state = sub.json('modemflow/rt1/state')[0]!;
    t.equal(state.v, 1);
    t.type(state.ts, 'number');
    t.match(state, {
      version: '0.1.0',
      config: { state: 'ok', errors: 0, warnings: 0 },
      power: { source: 'vehicle', limitW: 12, modelledW: 4.871, batteryPct: 71 },
      cost: { perHour: 0.0123, cycleTotal: 30.86 },
      modems: [{ name: 'lte0', state: 'active', usable: true, tier: 'primary', reason: null }, { name: 'lte1' }],
      assignment: { status: 'ok', groups: 3, active: { lte0: 'lte0-lte', lte1: 'lte1-lte' }, powerLimitW: 12, lastFullSolve: { adopted: false, status: 'ok' } },
      counters: { solvesFull: 60, routingErrors: 0 },
      telemetry: { queued: 0, dropped: 0 },
    });
    t.same(Object.keys(state).sort(), ['assignment', 'config', 'cost', 'counters', 'dryRun', 'modems', 'power', 'telemetry', 'ts', 'uptimeS', 'v', 'version', 'warnings']);

    const metrics = sub.on('modemflow/rt1/metrics/lte0')[0]!;
    t.equal(metrics.qos, 0, 'metrics at QoS 0');
    t.equal(metrics.retain, false);
    t.equal(metrics.properties?.messageExpiryInterval, 2, 'MQTT 5 message expiry: two metric intervals');
    const m = JSON.parse(metrics.payload) as Record<string, unknown>;
    t.match(m, {
      v: 1, modem: 'lte0', interface: 'wwan0', state: 'active', usable: true, up: true, rat: 'lte', operator: 'Telekom.de',
      signal: { rssiDbm: -71, rsrpDbm: -97, rsrqDb: -11, sinrDb: 13.4 }, nrSignal: null,
      path: { alive: true, rttMs: 43.2, jitterMs: 5.9, lossPct: 0 },
      rates: { rxKbps: 4210.5, txKbps: 830.3 },
      capacity: { upKbps: 12000, downKbps: 48000, confidence: 0.6, source: 'passive' },
      load: { upKbps: 310, downKbps: 2900 },
      quota: { usedGb: 12.346, quotaGb: 50, usedShare: 0.2469, cycleShare: 0.35, daysLeft: 20 },
      price: { perGb: 2.5, state: 'normal' },
      powerState: 'on',
    });

    daemon.emit(modemEvent('lte1', 'down', 1_767_225_600_000));
    daemon.emit({ type: 'decision', data: { atMs: 1_767_225_601_000, kind: 'place', group: 'h1:I', modem: 'lte0', from: null, reason: 'fits' } });
    daemon.emit({ type: 'decision', data: { atMs: 1_767_225_602_000, kind: 'full-solve', group: null, modem: null, from: null, reason: 'adopted: saving 7%' } });
    daemon.emit({ type: 'power', data: { limitW: 8, previousW: 12, basis: 'energy', explanation: 'battery 40%', atMs: 1_767_225_603_000 } });
    daemon.emit({ type: 'config', data: { state: 'ok', problems: [{ severity: 'warning', file: 'f', line: 3, section: 's', option: 'o', message: 'm' }], changed: ['telemetry'], atMs: 1_767_225_604_000 } });
    await sub.until(() => sub.on('modemflow/rt1/events').length >= 4, 'four events');
    const events = sub.json('modemflow/rt1/events');
    t.same(events, [
      { v: 1, ts: 1_767_225_600_000, type: 'modem', modem: 'lte1', state: 'down', previous: 'active', reason: 'netifd: interface down' },
      { v: 1, ts: 1_767_225_602_000, type: 'decision', kind: 'full-solve', modem: null, group: null, from: null, reason: 'adopted: saving 7%' },
      { v: 1, ts: 1_767_225_603_000, type: 'power', limitW: 8, previousW: 12, basis: 'energy', explanation: 'battery 40%' },
      { v: 1, ts: 1_767_225_604_000, type: 'config', state: 'ok', changed: ['telemetry'], errors: 0, warnings: 1 },
    ], 'events in order, placements left out');
    t.ok(sub.on('modemflow/rt1/events').every((e) => e.qos === 1), 'events at QoS 1');

    // A path that stops answering is an event at the next metrics round.
    daemon.modemList[0]!.path = { ...daemon.modemList[0]!.path!, alive: false };
    await sub.until(() => sub.json('modemflow/rt1/events').some((e) => e.type === 'path'), 'path event');
    t.match(sub.json('modemflow/rt1/events').find((e) => e.type === 'path'), { type: 'path', modem: 'lte0', alive: false });

    // The state is retained: a late subscriber gets it at once.
    const late = await Collector.connect(broker.url, ['modemflow/rt1/state', 'modemflow/rt1/status']);
    t.teardown(() => late.close());
    await late.until(() => late.on('modemflow/rt1/state').length > 0 && late.on('modemflow/rt1/status').length > 0, 'retained state and status');
    t.equal(late.on('modemflow/rt1/state')[0]!.retain, true);
    t.equal(late.on('modemflow/rt1/status')[0]!.payload, 'online');

    await telemetry.stop();
    await sub.until(() => sub.on('modemflow/rt1/status').at(-1)?.payload === 'offline', 'offline on a clean stop');
    t.equal(daemon.listenerCount, 0, 'event listener removed on stop');
    t.equal(logger.at('error').length, 0, 'no errors logged');
  });

  t.test('MQTT 3.1.1 when asked: no properties', async (t) => {
    const sub = await Collector.connect(broker.url, ['v4/#']);
    t.teardown(() => sub.close());
    const { telemetry, logger } = rig({ brokerUrl: broker.url, topicRoot: 'v4', mqttVersion: '3.1.1', metricsIntervalS: 1 });
    telemetry.start();
    t.teardown(() => telemetry.stop());
    await sub.until(() => sub.on('v4/rt1/metrics/lte0').length > 0, 'metrics');
    t.equal(sub.on('v4/rt1/metrics/lte0')[0]!.properties?.messageExpiryInterval, undefined);
    t.ok(logger.entries.some((e) => e.msg === 'telemetry: connected' && e.fields.mqtt === '3.1.1'));
  });

  t.test('device id derived from hostname and base MAC', async (t) => {
    const sub = await Collector.connect(broker.url, ['derived/+/status']);
    t.teardown(() => sub.close());
    const { telemetry } = rig({ brokerUrl: broker.url, topicRoot: 'derived', deviceId: null });
    telemetry.start();
    t.teardown(() => telemetry.stop());
    await sub.until(() => sub.messages.length > 0, 'status');
    t.equal(sub.messages[0]!.topic, 'derived/OpenWrt-123456/status');
    await until(() => telemetry.status().connected, 'connected');
  });
}
