// Remote commands, Home Assistant discovery field by field, and the rate limit under a flood of events.
import t from 'tap';
import { ManualClock } from '../../src/os/clock.js';
import { MODEM_SENSORS, ROUTER_SENSORS } from '../../src/telemetry/ha-discovery-payload.js';
import { Broker, mosquittoMissing } from './fixtures/broker.js';
import { Collector, until } from './fixtures/collector.js';
import { rig } from './fixtures/setup.js';

const missing = await mosquittoMissing();
if (missing) t.plan(0, missing);
else {
  const broker = await Broker.start();
  t.teardown(() => broker.stop());

  t.test('commands: valid, invalid, not allowed, malformed, oversized, flood', async (t) => {
    const sub = await Collector.connect(broker.url, ['cmd/rt1/reply/+', 'cmd/rt1/events']);
    t.teardown(() => sub.close());
    const { telemetry, daemon, logger } = rig({ brokerUrl: broker.url, topicRoot: 'cmd', allowCommands: true, commands: ['set_power_limit', 'update_plan', 'solve'] });
    telemetry.start();
    t.teardown(() => telemetry.stop());
    await until(() => telemetry.status().connected, 'connected');
    await new Promise((r) => setTimeout(r, 200)); // SUBACK for cmd/+
    const send = (name: string, body: string) => sub.client.publishAsync(`cmd/rt1/cmd/${name}`, body, { qos: 1 });
    const reply = (id: string) => sub.json<{ ok: boolean; error?: string; result?: unknown; command: string; id: string; v: number }>(`cmd/rt1/reply/${id}`)[0];

    await send('set_power_limit', JSON.stringify({ id: 'r1', args: { watts: 7.5 } }));
    await send('update_plan', JSON.stringify({ id: 'r2', args: { modem: 'lte1', price_per_gb: 4, quota_gb: null } }));
    await send('set_power_limit', JSON.stringify({ id: 'r3', args: { watts: -1 } }));
    await send('reload', JSON.stringify({ id: 'r4' }));
    await send('solve', '{not json');
    await sub.until(() => ['r1', 'r2', 'r3', 'r4'].every((id) => reply(id)), 'four replies');
    t.match(reply('r1'), { v: 1, id: 'r1', command: 'set_power_limit', ok: true, result: { limitW: 7.5 } });
    t.match(reply('r2'), { ok: true, result: { modem: 'lte1', pricePerGb: 4, quotaGb: null } });
    t.match(reply('r3'), { ok: false, error: /args.watts: expected a number > 0/ });
    t.match(reply('r4'), { ok: false, error: /"reload" is not allowed on this router/ });
    t.same(daemon.calls.map((c) => c.method), ['setPowerLimit', 'updatePlan'], 'only the valid ones ran');
    t.same(daemon.calls[0]!.args, [7.5, 'mqtt:r1'], 'origin names the request');
    await sub.until(() => sub.json('cmd/rt1/events').some((e) => e.type === 'command' && e.id === null), 'the malformed one reported');
    t.match(sub.json('cmd/rt1/events').find((e) => e.id === null), { type: 'command', command: 'solve', ok: false, error: /not JSON/ });
    t.ok(logger.entries.some((e) => e.msg === 'telemetry: command' && e.fields.id === 'r1'), 'commands logged');

    // Flood: the burst of five is spent above (r1-r4 + malformed), the refill is slow: all refused now.
    const before = daemon.calls.length;
    for (let i = 0; i < 30; i++) await send('solve', JSON.stringify({ id: `f${i}` }));
    await sub.until(() => reply('f29') !== undefined, 'flood replies');
    t.equal(daemon.calls.length - before, 0, 'no flood command ran');
    t.match(reply('f0'), { ok: false, error: /rate limited/ });
  });

  t.test('commands: oversized and unknown', async (t) => {
    const sub = await Collector.connect(broker.url, ['cmd2/rt1/reply/+', 'cmd2/rt1/events']);
    t.teardown(() => sub.close());
    const { telemetry, daemon } = rig({ brokerUrl: broker.url, topicRoot: 'cmd2', allowCommands: true });
    telemetry.start();
    t.teardown(() => telemetry.stop());
    await until(() => telemetry.status().connected, 'connected');
    await new Promise((r) => setTimeout(r, 200));
    await sub.client.publishAsync('cmd2/rt1/cmd/solve', JSON.stringify({ id: 'big', args: { pad: 'x'.repeat(5000) } }), { qos: 1 });
    await sub.client.publishAsync('cmd2/rt1/cmd/reboot', JSON.stringify({ id: 'u1' }), { qos: 1 });
    await sub.until(() => sub.on('cmd2/rt1/reply/u1').length > 0 && sub.on('cmd2/rt1/events').length >= 2, 'refusals');
    t.match(sub.json('cmd2/rt1/events')[0], { type: 'command', command: 'solve', id: null, ok: false, error: /5\d{3} bytes is over the limit of 4096/ });
    t.equal(sub.on('cmd2/rt1/reply/big').length, 0, 'an oversized payload is not read, so no reply');
    t.match(sub.json('cmd2/rt1/reply/u1')[0], { ok: false, error: /unknown command "reboot"/ });
    t.equal(daemon.calls.length, 0);
  });

  t.test('commands off: nothing subscribed, nothing run', async (t) => {
    const sub = await Collector.connect(broker.url, ['off/rt1/reply/+']);
    t.teardown(() => sub.close());
    const { telemetry, daemon } = rig({ brokerUrl: broker.url, topicRoot: 'off', allowCommands: false });
    telemetry.start();
    t.teardown(() => telemetry.stop());
    await until(() => telemetry.status().connected, 'connected');
    await sub.client.publishAsync('off/rt1/cmd/solve', JSON.stringify({ id: 'x1' }), { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    t.equal(daemon.calls.length, 0);
    t.equal(sub.messages.length, 0);
  });

  t.test('Home Assistant discovery, field by field', async (t) => {
    const sub = await Collector.connect(broker.url, ['homeassistant/sensor/rt1/+/config']);
    t.teardown(() => sub.close());
    const { telemetry, daemon } = rig({ brokerUrl: broker.url, topicRoot: 'ha', haDiscovery: true, metricsIntervalS: 1 });
    telemetry.start();
    t.teardown(() => telemetry.stop());
    const total = ROUTER_SENSORS.length + 2 * MODEM_SENSORS.length;
    await sub.until(() => sub.messages.length >= total, 'every config');
    const cfg = (obj: string) => JSON.parse(sub.on(`homeassistant/sensor/rt1/${obj}/config`)[0]!.payload) as Record<string, unknown>;
    const device = { identifiers: ['modemflow_rt1'], name: 'OpenWrt', manufacturer: 'modemflow', model: 'multi-modem router', sw_version: '0.1.0' };
    const avail = { availability_topic: 'ha/rt1/status', payload_available: 'online', payload_not_available: 'offline' };
    t.same(cfg('lte0_rsrp'), { name: 'lte0 RSRP', unique_id: 'modemflow_rt1_lte0_rsrp', object_id: 'modemflow_rt1_lte0_rsrp', state_topic: 'ha/rt1/metrics/lte0', value_template: '{{ value_json.signal.rsrpDbm if value_json.signal else none }}', ...avail, device, device_class: 'signal_strength', unit_of_measurement: 'dBm', state_class: 'measurement' });
    t.match(cfg('lte0_rsrq'), { device_class: 'signal_strength', unit_of_measurement: 'dB' });
    t.match(cfg('lte1_sinr'), { device_class: 'signal_strength', unit_of_measurement: 'dB', state_topic: 'ha/rt1/metrics/lte1' });
    t.match(cfg('lte0_rx_rate'), { device_class: 'data_rate', unit_of_measurement: 'kbit/s', state_class: 'measurement' });
    t.match(cfg('lte0_tx_rate'), { device_class: 'data_rate', unit_of_measurement: 'kbit/s' });
    t.match(cfg('lte0_quota_used'), { device_class: 'data_size', unit_of_measurement: 'GB', state_class: 'total' });
    t.match(cfg('lte0_rtt'), { device_class: 'duration', unit_of_measurement: 'ms' });
    t.match(cfg('power'), { device_class: 'power', unit_of_measurement: 'W', state_topic: 'ha/rt1/state', value_template: '{{ value_json.power.modelledW }}' });
    t.notOk('device_class' in cfg('cost_rate'), 'no monetary class without a currency');
    t.notOk('unit_of_measurement' in cfg('lte0_state'));
    t.ok(sub.messages.every((m) => m.retain && m.qos === 1), 'retained, QoS 1');

    // Home Assistant restarts: everything again.
    const n = sub.messages.length;
    await sub.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await sub.until(() => sub.messages.length >= n + total, 're-sent after homeassistant/status online');

    // A modem leaves the configuration: its entities get empty retained configs.
    daemon.modemList = daemon.modemList.slice(0, 1);
    await sub.until(() => MODEM_SENSORS.every((s) => sub.on(`homeassistant/sensor/rt1/lte1_${s.key}/config`).some((m) => m.payload === '')), 'lte1 removed');
    for (const s of MODEM_SENSORS) t.equal(sub.on(`homeassistant/sensor/rt1/lte1_${s.key}/config`).at(-1)!.payload, '', `lte1_${s.key} removed`);
  });

  t.test('the rate limit holds under a flood of events', async (t) => {
    const clock = new ManualClock();
    const sub = await Collector.connect(broker.url, ['rate/#']);
    t.teardown(() => sub.close());
    const { telemetry, daemon } = rig({ brokerUrl: broker.url, topicRoot: 'rate', maxRatePerS: 5 }, {}, 2, clock);
    telemetry.start();
    t.teardown(() => telemetry.stop());
    await until(() => telemetry.status().connected, 'connected');
    for (let i = 0; i < 200; i++) daemon.emit({ type: 'decision', data: { atMs: i, kind: 'wake', group: null, modem: 'lte0', from: null, reason: `e${i}` } });
    const settle = async (n: number) => {
      await sub.until(() => sub.messages.length >= n, `${n} messages`);
      await new Promise((r) => setTimeout(r, 300));
      return sub.messages.length;
    };
    t.equal(await settle(5), 5, 'the burst: five messages (birth, state, three events), then nothing');
    for (let s = 1; s <= 3; s++) {
      clock.advance(1000);
      t.equal(await settle(5 + 5 * s), 5 + 5 * s, `five more after second ${s}`);
    }
    t.equal(telemetry.status().queued, 200 - 3 - 15 + 1, 'the rest waits in the outbox');
  });
}
