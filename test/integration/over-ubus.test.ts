// The metrics providers and the power executor over the real ubus stack: a ubusd-compatible broker
// on a unix socket, "netifd" and "modemmanager-rpcd" published by our object
// server with the daemons' recorded replies, and the real UbusClient as the
// providers' UbusCaller. This is how the daemon composes them; the providers'
// own tests use a fixture-backed caller.
import t from 'tap';
import { UbusClient } from '../../src/ubus/index.js';
import type { UbusCaller } from '../../src/model/ports.js';
import { NetifdProvider } from '../../src/metrics/providers/netifd.js';
import { ModemManagerProvider } from '../../src/metrics/providers/modemmanager.js';
import { PowerActionExecutor } from '../../src/power/executor.js';
import { ubusBed } from '../ubus/bed.js';
import { fixture, modemConfig } from '../metrics/fixture-ubus.js';

t.test('netifd and ModemManager providers read through broker, client and object server', async (t) => {
  const bed = await ubusBed(t);
  const daemons = await bed.client();
  const status = (name: string) => () => fixture(`netifd-${name}.json`) as Record<string, unknown>;
  const wwan0 = await daemons.addObject({ path: 'network.interface.wwan0', methods: { status: { handler: status('wwan0') } } });
  await daemons.addObject({ path: 'network.interface.wwan0_4', methods: { status: { handler: status('wwan0_4') } } });
  const deviceCalls: unknown[] = [];
  await daemons.addObject({
    path: 'network.device',
    methods: {
      status: {
        args: { name: 'string' },
        handler: (args) => {
          deviceCalls.push(args['name']);
          return fixture('netifd-device-wwan0.json') as Record<string, unknown>;
        },
      },
    },
  });
  await daemons.addObject({
    path: 'modemmanager',
    // rpcd replies later than the call arrives: an async handler.
    methods: { dump: { handler: async () => fixture('mm-rpcd-dump.json') as Record<string, unknown> } },
  });

  const client: UbusClient = await bed.client();
  const caller: UbusCaller = client; // the client is the port the providers take
  const modem = modemConfig({ name: 'lte1', interface: 'wwan0' });

  const link = await new NetifdProvider(caller).readLink(modem, 2000);
  t.ok(link.ok, 'link read');
  if (link.ok) {
    t.equal(link.value.up, true);
    t.equal(link.value.l3Device, 'wwan0');
    t.same(link.value.ipv4, ['10.64.12.7'], 'address merged from the wwan0_4 sub-interface');
    t.equal(link.value.gatewayV4, '10.64.12.1');
    t.equal(link.value.counters?.rxBytes, 987654321, 'counters from network.device status');
  }
  t.same(deviceCalls, ['wwan0'], 'network.device was asked for the l3 device by name');

  const radio = await new ModemManagerProvider(caller, null).readRadio(modem, 2000, { l3Device: 'wwan0' });
  t.ok(radio.ok, radio.ok ? 'radio read' : `radio read: ${radio.problem}`);
  if (radio.ok) {
    t.ok(radio.value.rat !== null, `RAT from ModemManager (${radio.value.rat})`);
    t.ok(radio.value.mcc !== null && radio.value.mnc !== null, 'operator codes');
  }

  await wwan0.remove();
  const gone = await new NetifdProvider(caller).readLink(modem, 2000);
  t.same(gone.ok ? 'ok' : gone.code, 'vanished', 'a removed interface object is reported vanished (ubus NOT_FOUND)');
});

t.test('power actions reach netifd over ubus: sleep is `down`, wake is `up`; a missing interface fails cleanly', async (t) => {
  const bed = await ubusBed(t);
  const netifd = await bed.client();
  const seen: string[] = [];
  await netifd.addObject({
    path: 'network.interface.wwan1',
    methods: {
      down: { handler: () => void seen.push('down') },
      up: { handler: () => void seen.push('up') },
    },
  });
  const executor = new PowerActionExecutor(await bed.client(), { ubusTimeoutMs: 2000 });
  const sleep = await executor.apply({ kind: 'sleep', modem: 'lte2', interface: 'wwan1', reason: 'idle for 5 min' });
  const wake = await executor.apply({ kind: 'wake', modem: 'lte2', interface: 'wwan1', reason: 'demand' });
  t.same([sleep.code, wake.code], ['ok', 'ok']);
  t.same(seen, ['down', 'up'], 'netifd saw the calls in order');
  const missing = await executor.apply({ kind: 'wake', modem: 'lte3', interface: 'wwan9', reason: 'demand' });
  t.equal(missing.code, 'ubus-failed');
  t.match(missing.error ?? '', /wwan9/, 'the error names the interface');
});
