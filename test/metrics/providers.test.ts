// Each provider's parser on fixtures of the real tools' output shapes
// (written from their sources: netifd, modemmanager-rpcd + mmcli, uqmi
// commands-nas.c, QModem modem_ctrl.sh/generic.sh).
import t from 'tap';
import { NetifdProvider, parseDeviceStatistics, parseInterfaceStatus } from '../../src/metrics/providers/netifd.js';
import { ModemManagerProvider, parseMmModem } from '../../src/metrics/providers/modemmanager.js';
import { UqmiProvider, parseUqmi } from '../../src/metrics/providers/uqmi.js';
import { QmodemProvider, parseQmodem, qmodemRecords } from '../../src/metrics/providers/qmodem.js';
import { RecordingRunner } from '../../src/os/recording-runner.js';
import { FixtureUbus, fixture, fixtureText, modemConfig } from './fixture-ubus.js';

t.test('netifd: qmi proto with addresses on the dynamic _4 interface', async (t) => {
  const ubus = new FixtureUbus()
    .on('network.interface.wwan', 'status', 'netifd-wwan0.json')
    .on('network.interface.wwan_4', 'status', 'netifd-wwan0_4.json')
    .on('network.device', 'status', 'netifd-device-wwan0.json');
  const r = await new NetifdProvider(ubus).readLink(modemConfig({ name: 'm1', interface: 'wwan' }), 1000);
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.value.up, true);
  t.equal(r.value.uptimeS, 3600);
  t.equal(r.value.l3Device, 'wwan0');
  t.same(r.value.ipv4, ['10.64.12.7']);
  t.equal(r.value.gatewayV4, '10.64.12.1');
  t.same(r.value.dns, ['10.74.210.210', '10.74.210.211']);
  t.same(r.value.counters, { rxBytes: 987654321, txBytes: 123456789, rxErrors: 1, txErrors: 0, rxDropped: 3, txDropped: 0 });
  t.ok(ubus.calls.some((c) => c.startsWith('network.device status {"name":"wwan0"}')), 'statistics asked for the l3 device');
});

t.test('netifd: dhcp interface with IPv6, and a down interface', async (t) => {
  const up = parseInterfaceStatus('wan2', fixture('netifd-wan2.json'));
  t.ok(up.ok);
  if (up.ok) {
    t.same(up.value.ipv6, ['2a01:598:a001:1234::1']);
    t.equal(up.value.gatewayV6, 'fe80::1');
    t.equal(up.value.l3Device, 'usb0');
  }
  const down = parseInterfaceStatus('wan3', fixture('netifd-wan3-down.json'));
  t.ok(down.ok);
  if (down.ok) {
    t.equal(down.value.up, false);
    t.equal(down.value.uptimeS, null, 'no uptime when down');
    t.same(down.value.ipv4, []);
  }
});

t.test('netifd: vanished interface, malformed status, bad names', async (t) => {
  const p = new NetifdProvider(new FixtureUbus());
  const gone = await p.readLink(modemConfig({ name: 'm', interface: 'wwan9' }), 1000);
  t.same(gone, { ok: false, code: 'vanished', problem: "netifd interface 'wwan9': not found" });
  const bad = parseInterfaceStatus('x', { up: 'maybe' });
  t.equal(bad.ok, false);
  t.equal(!bad.ok && bad.code, 'malformed');
  t.equal(parseInterfaceStatus('x', []).ok, false);
  const evil = await p.readLink(modemConfig({ name: 'm', interface: 'wan;reboot' }), 1000);
  t.equal(!evil.ok && evil.code, 'malformed', 'names are validated before they reach ubus');
  t.equal(parseDeviceStatistics({ statistics: { rx_bytes: 'lots', tx_bytes: 1 } }), null);
  t.equal(parseDeviceStatistics({}), null);
});

t.test('ModemManager via modemmanager-rpcd dump: LTE modem and EN-DC modem', async (t) => {
  const ubus = new FixtureUbus().on('modemmanager', 'dump', 'mm-rpcd-dump.json');
  const mm = new ModemManagerProvider(ubus, null);
  const lte = await mm.readRadio(modemConfig({ name: 'a', interface: 'wwan', device: '0' }), 1000);
  t.ok(lte.ok);
  if (lte.ok) {
    t.equal(lte.value.rat, 'lte');
    t.equal(lte.value.mcc, '262');
    t.equal(lte.value.mnc, '01');
    t.equal(lte.value.operatorName, 'Telekom.de');
    t.equal(lte.value.registration, 'home');
    t.same(lte.value.signal, { rssiDbm: -65, rsrpDbm: -95, rsrqDb: -11, sinrDb: 12.4 });
    t.equal(lte.value.nrSignal, null, '"--" for every 5G value: no NR leg');
    t.equal(lte.value.cellId, String(0x01a2b3c4), 'hex cell id as decimal');
    t.equal(lte.value.simIccid, '8949020000000000001');
    t.equal(lte.value.simSlot, 1);
    t.equal(lte.value.band, null, 'ModemManager does not report the serving band: null, not guessed');
  }
  // Found by its net port when no device is configured.
  const endc = await mm.readRadio(modemConfig({ name: 'b', interface: 'wwan_b' }), 1000, { l3Device: 'wwan1' });
  t.ok(endc.ok);
  if (endc.ok) {
    t.equal(endc.value.rat, 'nr5g-nsa');
    t.equal(endc.value.registration, 'roaming');
    t.same(endc.value.signal, { rssiDbm: -71, rsrpDbm: -101, rsrqDb: -13, sinrDb: 6 });
    t.same(endc.value.nrSignal, { rssiDbm: null, rsrpDbm: -92, rsrqDb: -10.5, sinrDb: 18 });
    t.equal(endc.value.simSlot, null, 'primary-sim-slot "--"');
  }
  const missing = await mm.readRadio(modemConfig({ name: 'c', interface: 'x', device: '7' }), 1000);
  t.equal(!missing.ok && missing.code, 'vanished', 'a modem ModemManager no longer lists');
});

t.test('ModemManager via mmcli -J (no rpcd object): no SIM, all signal values "--"', async (t) => {
  const runner = new RecordingRunner()
    .on('mmcli -L -J', { stdout: fixtureText('mmcli-list.json') })
    .on('mmcli -m /org/freedesktop/ModemManager1/Modem/0 -J', { stdout: fixtureText('mmcli-modem0.json') })
    .on('mmcli -m /org/freedesktop/ModemManager1/Modem/2 -J', { stdout: fixtureText('mmcli-modem2-nosim.json') })
    .on('mmcli -m /org/freedesktop/ModemManager1/Modem/2 --signal-get', { stdout: fixtureText('mmcli-signal-none.json') })
    .on('mmcli -m /org/freedesktop/ModemManager1/Modem/2 --location-get', { stdout: fixtureText('mmcli-location-none.json') })
    .on('mmcli -m 0 -J', { stdout: fixtureText('mmcli-modem0.json') })
    .on('mmcli -m 0 --signal-get', { stdout: fixtureText('mmcli-signal0.json') })
    .on('mmcli -m 0 --location-get', { stdout: fixtureText('mmcli-location0.json') })
    .on('mmcli -i /org/freedesktop/ModemManager1/SIM/0 -J', { stdout: fixtureText('mmcli-sim0.json') });
  const mm = new ModemManagerProvider(new FixtureUbus(), runner);
  const nosim = await mm.readRadio(modemConfig({ name: 'n', interface: 'wwan2' }), 1000, { l3Device: 'wwan2' });
  t.ok(nosim.ok);
  if (nosim.ok) {
    t.equal(nosim.value.simIccid, null);
    t.equal(nosim.value.rat, null, 'no access technology');
    t.equal(nosim.value.mcc, null);
    t.equal(nosim.value.operatorName, null);
    t.equal(nosim.value.registration, 'unknown');
    t.same(nosim.value.signal, { rssiDbm: null, rsrpDbm: null, rsrqDb: null, sinrDb: null });
    t.equal(nosim.value.cellId, null);
  }
  t.notOk(runner.lines().some((l) => l.startsWith('mmcli -i')), 'no SIM query when generic.sim is "--"');
  const m0 = await mm.readRadio(modemConfig({ name: 'a', interface: 'wwan', device: '0' }), 1000);
  t.ok(m0.ok);
  if (m0.ok) {
    t.equal(m0.value.simIccid, '8949020000000000001');
    t.equal(m0.value.signal.rsrpDbm, -95);
  }
  t.ok(runner.lines().includes('mmcli -m 0 --signal-setup=5'), 'extended signal refresh switched on once');
  await mm.readRadio(modemConfig({ name: 'a', interface: 'wwan', device: '0' }), 1000);
  t.equal(runner.lines().filter((l) => l === 'mmcli -m 0 --signal-setup=5').length, 1);
});

t.test('ModemManager: modem vanished mid-read, malformed output, hostile device option', async (t) => {
  const runner = new RecordingRunner()
    .on('mmcli -m 0 -J', { code: 1, stderr: "error: couldn't find modem" })
    .on('mmcli -m 3 -J', { stdout: '{"modem": {"generic": ' });
  const mm = new ModemManagerProvider(null, runner);
  const gone = await mm.readRadio(modemConfig({ name: 'a', interface: 'w', device: '0' }), 1000);
  t.equal(!gone.ok && gone.code, 'vanished');
  const bad = await mm.readRadio(modemConfig({ name: 'a', interface: 'w', device: '3' }), 1000);
  t.equal(!bad.ok && bad.code, 'malformed');
  const evil = await mm.readRadio(modemConfig({ name: 'a', interface: 'w', device: '0; rm -rf /' }), 1000);
  t.equal(!evil.ok && evil.code, 'malformed');
  t.equal(runner.log.length, 2, 'the hostile value never reached a command');
  const noGeneric = parseMmModem({ 'dbus-path': '/x' }, null, null, null);
  t.equal(!noGeneric.ok && noGeneric.code, 'malformed');
  const none = await new ModemManagerProvider(new FixtureUbus(), new RecordingRunner().on('mmcli', { code: 127 })).readRadio(
    modemConfig({ name: 'a', interface: 'w', device: '0' }),
    1000,
  );
  t.equal(!none.ok && none.code, 'unavailable', 'neither rpcd object nor mmcli installed');
});

t.test('uqmi: LTE, EN-DC array, 5G SA, no signal', async (t) => {
  const lte = parseUqmi(fixture('uqmi-signal-lte.json'), fixture('uqmi-serving.json'), fixture('uqmi-system-lte.json'));
  t.ok(lte.ok);
  if (lte.ok) {
    t.equal(lte.value.rat, 'lte');
    t.same(lte.value.signal, { rssiDbm: -67, rsrpDbm: -96, rsrqDb: -10, sinrDb: 11.2 });
    t.equal(lte.value.nrSignal, null);
    t.equal(lte.value.mcc, '262');
    t.equal(lte.value.mnc, '03', 'MNC from system-info keeps its leading zero');
    t.equal(lte.value.operatorName, 'o2 - de');
    t.equal(lte.value.cellId, String(120345 * 256 + 11), 'eNB id and cell id recombined into the ECI');
    t.equal(lte.value.registration, 'home');
  }
  const endc = parseUqmi(fixture('uqmi-signal-endc.json'), fixture('uqmi-serving.json'), fixture('uqmi-system-lte.json'));
  t.ok(endc.ok);
  if (endc.ok) {
    t.equal(endc.value.rat, 'nr5g-nsa');
    t.same(endc.value.signal, { rssiDbm: -70, rsrpDbm: -100, rsrqDb: -12, sinrDb: 7.4 });
    t.same(endc.value.nrSignal, { rssiDbm: null, rsrpDbm: -88, rsrqDb: -11, sinrDb: 21.5 });
  }
  const sa = parseUqmi(fixture('uqmi-signal-sa.json'), fixture('uqmi-serving.json'), fixture('uqmi-system-sa.json'));
  t.ok(sa.ok);
  if (sa.ok) {
    t.equal(sa.value.rat, 'nr5g-sa');
    t.equal(sa.value.signal.rsrpDbm, -84);
    t.equal(sa.value.cellId, String(4100200 * 256 + 7));
  }
  const none = parseUqmi(fixture('uqmi-signal-none.json'), fixture('uqmi-serving-searching.json'), fixture('uqmi-system-none.json'));
  t.ok(none.ok);
  if (none.ok) {
    t.equal(none.value.rat, null);
    t.same(none.value.signal, { rssiDbm: null, rsrpDbm: null, rsrqDb: null, sinrDb: null });
    t.equal(none.value.registration, 'searching');
    t.equal(none.value.mcc, null);
  }
  t.equal(parseUqmi([{ type: 'lte' }, 'x'], {}, {}).ok, false, 'malformed signal array');
});

t.test('uqmi: runs three commands on the configured device; errors and a vanished device', async (t) => {
  const runner = new RecordingRunner()
    .on('uqmi -s -d /dev/cdc-wdm0 --get-signal-info', { stdout: fixtureText('uqmi-signal-endc.json') })
    .on('uqmi -s -d /dev/cdc-wdm0 --get-serving-system', { stdout: fixtureText('uqmi-serving.json') })
    .on('uqmi -s -d /dev/cdc-wdm0 --get-system-info', { stdout: fixtureText('uqmi-system-lte.json') })
    .on('uqmi -s -d /dev/cdc-wdm1', { code: 255, stdout: '"Failed to connect to service"\n' })
    .on('uqmi -s -d /dev/cdc-wdm2', { code: 1, stderr: 'Failed to open device\n' })
    .on('uqmi -s -d /dev/cdc-wdm3', { stdout: 'Segmentation fault' });
  const u = new UqmiProvider(runner);
  const r = await u.readRadio(modemConfig({ name: 'a', interface: 'w', device: '/dev/cdc-wdm0' }), 1000);
  t.equal(r.ok && r.value.rat, 'nr5g-nsa');
  t.same(runner.lines(), [
    'uqmi -s -d /dev/cdc-wdm0 --get-signal-info',
    'uqmi -s -d /dev/cdc-wdm0 --get-serving-system',
    'uqmi -s -d /dev/cdc-wdm0 --get-system-info',
    'uqmi -s -d /dev/cdc-wdm0 --get-data-status',
  ]);
  const err = await u.readRadio(modemConfig({ name: 'a', interface: 'w', device: '/dev/cdc-wdm1' }), 1000);
  t.equal(!err.ok && err.code, 'vanished');
  t.match(!err.ok && err.problem, /Failed to connect to service/);
  const gone = await u.readRadio(modemConfig({ name: 'a', interface: 'w', device: '/dev/cdc-wdm2' }), 1000);
  t.equal(!gone.ok && gone.code, 'vanished');
  const junk = await u.readRadio(modemConfig({ name: 'a', interface: 'w', device: '/dev/cdc-wdm3' }), 1000);
  t.equal(!junk.ok && junk.code, 'malformed');
  const noDev = await u.readRadio(modemConfig({ name: 'a', interface: 'w' }), 1000);
  t.equal(!noDev.ok && noDev.code, 'malformed');
  const evil = await u.readRadio(modemConfig({ name: 'a', interface: 'w', device: '--help' }), 1000);
  t.equal(!evil.ok && evil.code, 'malformed');
});

t.test('QModem: EN-DC records, LTE with an empty SINR, SIM missing', async (t) => {
  const ubus = new FixtureUbus()
    .on('qmodem', 'sim_info', 'qmodem-sim.json')
    .on('qmodem', 'network_info', 'qmodem-network.json')
    .on('qmodem', 'cell_info', 'qmodem-cell-endc.json');
  const r = await new QmodemProvider(ubus).readRadio(modemConfig({ name: 'q', interface: 'wwan', device: '2_1' }), 1000);
  t.ok(r.ok);
  if (r.ok) {
    t.equal(r.value.rat, 'nr5g-nsa');
    t.same(r.value.signal, { rssiDbm: -66, rsrpDbm: -97, rsrqDb: -11, sinrDb: 9 });
    t.same(r.value.nrSignal, { rssiDbm: null, rsrpDbm: -89, rsrqDb: -12, sinrDb: 19 });
    t.equal(r.value.band, '3+78');
    t.equal(r.value.simIccid, '89490200000000000031');
    t.equal(r.value.simSlot, 1);
    t.equal(r.value.operatorName, 'Telekom.de');
    t.equal(r.value.mcc, '262');
    t.equal(r.value.mnc, '01');
    t.equal(r.value.registration, 'unknown', 'QModem does not report registration: not invented');
  }
  t.ok(ubus.calls.every((c) => c.includes('{"config_section":"2_1"}')));
  const lte = parseQmodem(qmodemRecords(fixture('qmodem-sim.json'))!, [], qmodemRecords(fixture('qmodem-cell-lte.json'))!);
  t.equal(lte.rat, 'lte');
  t.equal(lte.signal.sinrDb, null, 'empty SINR value is null');
  t.equal(lte.signal.rsrpDbm, -109);
  const miss = parseQmodem(qmodemRecords(fixture('qmodem-sim-miss.json'))!, [], qmodemRecords(fixture('qmodem-cell-empty.json'))!);
  t.equal(miss.simIccid, null);
  t.equal(miss.rat, null);
  t.equal(qmodemRecords({ result: {} }), null, 'reply without modem_info');
  const gone = await new QmodemProvider(new FixtureUbus()).readRadio(modemConfig({ name: 'q', interface: 'w', device: '2_1' }), 1000);
  t.equal(!gone.ok && gone.code, 'vanished');
});
