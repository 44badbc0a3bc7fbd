// The demo router's emulated daemons, read by modemflow's own parsers: what
// the emulator answers must be what the daemon understands from a real
// OpenWrt router (netifd, modemmanager-rpcd, a battery over ubus), and the
// generated /etc/config/modemflow must load without problems.
import t from 'tap';
import { parseConfig } from '../../src/config/index.js';
import { parseInterfaceStatus } from '../../src/metrics/providers/netifd.js';
import { matchesModem, parseMmModem } from '../../src/metrics/providers/modemmanager.js';
import { readUbusSupply } from '../../src/power/supply-reader.js';
import { demoConfig } from '../../demo/config-file.js';
import { BatteryModel, DEMO_BATTERY } from '../../demo/emu-battery.js';
import { mmDump } from '../../demo/emu-modemmanager.js';
import type { RadioState } from '../../demo/emu-modemmanager.js';
import { interfaceStatus } from '../../demo/emu-netifd.js';
import { MODEMS, modemByName } from '../../demo/scenario.js';
import { ubusBed } from '../ubus/bed.js';

type Rec = Record<string, unknown>;

t.test('netifd status of an up and a radio-lost uplink reads as the daemon expects', async (t) => {
  const m = modemByName('fast5g');
  const up = parseInterfaceStatus(m.iface, interfaceStatus({ modem: m, up: true, pending: false, adminUp: true, radioOk: true, sinceS: 0, timer: null }));
  t.ok(up.ok);
  if (up.ok) {
    t.equal(up.value.up, true);
    t.equal(up.value.l3Device, 'wan2');
    t.same(up.value.ipv4, ['100.64.2.2']);
    t.same(up.value.ipv6, ['fd64:2::2']);
    t.equal(up.value.gatewayV4, '100.64.2.1');
    t.equal(up.value.gatewayV6, 'fd64:2::1');
  }
  const down = interfaceStatus({ modem: m, up: false, pending: true, adminUp: true, radioOk: false, sinceS: 0, timer: null });
  const parsed = parseInterfaceStatus(m.iface, down);
  t.ok(parsed.ok && parsed.value.up === false && parsed.value.ipv4.length === 0, 'down: no addresses');
  // As netifd: a down interface has no l3_device, the proto's error, and the modem's sysfs device.
  t.equal(down['l3_device'], undefined);
  t.same(down['errors'], [{ subsystem: 'modemmanager', code: 'CALL_FAILED' }]);
});

t.test('modemmanager dump: each modem found by its index, RAT, operator, cell and signal as scripted', async (t) => {
  const radios = new Map<string, RadioState>(MODEMS.map((m) => [m.name, { state: 'connected', rsrpDbm: m.rsrpDbm, sinrDb: m.sinrDb }]));
  radios.get('backup')!.rsrpDbm = -109;
  const dump = mmDump(MODEMS, (m) => radios.get(m.name)!);
  const list = dump['modem'] as Rec[];
  t.equal(list.length, 3);
  for (const m of MODEMS) {
    const found = list.find((x) => matchesModem(x as never, String(m.mmIndex), { l3Device: null }));
    t.ok(found, `${m.name}: option device '${m.mmIndex}' selects it`);
    t.ok(list.some((x) => matchesModem(x as never, null, { l3Device: m.device })), `${m.name}: found by its net port ${m.device}`);
    const generic = found!['generic'] as Rec;
    const r = parseMmModem(found as never, found!['signal'] as never, found!['location'] as never, generic['sim'] as never);
    t.ok(r.ok);
    if (!r.ok) continue;
    t.equal(r.value.rat, m.rat, `${m.name}: RAT`);
    t.equal(r.value.mcc, m.operatorCode.slice(0, 3));
    t.equal(r.value.mnc, m.operatorCode.slice(3));
    t.equal(r.value.operatorName, m.operatorName);
    t.equal(r.value.signal.rsrpDbm, m.name === 'backup' ? -109 : m.rsrpDbm, `${m.name}: RSRP`);
    t.equal(r.value.signal.sinrDb, m.sinrDb);
    t.ok(r.value.cellId !== null, `${m.name}: a cell id`);
  }
  radios.get('fast5g')!.state = 'searching';
  const lost = (mmDump(MODEMS, (m) => radios.get(m.name)!)['modem'] as Rec[])[1]!;
  const r = parseMmModem(lost as never, lost['signal'] as never, lost['location'] as never, null);
  t.ok(r.ok && r.value.signal.rsrpDbm === null && r.value.registration !== 'home', 'a lost radio has no signal and is not registered');
});

t.test('battery info over the real broker: kernel units, read by the power supply reader', async (t) => {
  const bed = await ubusBed(t);
  const battery = new BatteryModel(DEMO_BATTERY);
  battery.drain(6, 60); // 6 W for a minute: 0.1 Wh
  const server = await bed.client();
  await server.addObject({ path: 'battery', methods: { info: { handler: () => battery.info() } } });
  const reading = await readUbusSupply(await bed.client(), 'battery');
  t.ok(reading.ok, reading.ok ? 'read' : reading.errors.join('; '));
  if (!reading.ok || reading.value === null) return;
  const startWh = (DEMO_BATTERY.fullWh * DEMO_BATTERY.startPct) / 100;
  t.equal(JSON.stringify(reading.value).includes('discharging'), true, 'status Discharging');
  t.ok(Math.abs(battery.pct - ((startWh - 0.1) / DEMO_BATTERY.fullWh) * 100) < 1e-9, 'drained by 0.1 Wh');
  t.equal(battery.info()['energy_now'], Math.round((startWh - 0.1) * 1e6), 'energy_now in µWh');
});

t.test('the generated /etc/config/modemflow loads without problems', async (t) => {
  const plain = parseConfig(demoConfig(), 'modemflow');
  t.ok(plain.ok, plain.ok ? 'ok' : JSON.stringify(plain.errors));
  t.same(plain.warnings, []);
  if (!plain.ok) return;
  t.same(plain.value.modems.map((m) => [m.name, m.interface, m.metrics, m.device, m.tier]), MODEMS.map((m) => [m.name, m.iface, 'modemmanager', String(m.mmIndex), m.tier]));
  t.equal(plain.value.power.ubusObject, 'battery');
  t.equal(plain.value.modems[0]!.plan.quotaGb, null, 'no quota until the script sets one');
  const withQuota = parseConfig(demoConfig({ quotaGb: { cheap: 0.0173 } }), 'modemflow');
  t.ok(withQuota.ok && withQuota.value.modems[0]!.plan.quotaGb === 0.0173, 'quota_gb of the quota step');
});
