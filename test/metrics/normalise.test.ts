// One notation and one validation for what every provider reports: cell ids
// in decimal, MCC/MNC digits only, PLMN codes not as names, old uqmi's snr
// in tenths, and the new state / quality / home-network / RAT fields.
import t from 'tap';
import { parseMmModem } from '../../src/metrics/providers/modemmanager.js';
import { parseQmodem, qmodemRecords } from '../../src/metrics/providers/qmodem.js';
import { parseUqmi, snrInTenths } from '../../src/metrics/providers/uqmi.js';
import { parseQmicliSignal } from '../../src/metrics/providers/qmicli.js';
import { decimalCellId, validMcc, validMnc } from '../../src/metrics/providers/radio-common.js';
import { fixture } from './fixture-ubus.js';

const rec = (key: string, value: string) => ({ key, value });

t.test('the same cell gives the same id from ModemManager, QModem and uqmi', async (t) => {
  const eci = 0x1a2b3c4; // eNB 0x1A2B3 (107187), cell 0xC4 (196)
  const mm = parseMmModem({ generic: {} }, null, { '3gpp': { cid: '01A2B3C4', mcc: '262', mnc: '01' } }, null);
  const qm = parseQmodem([], [], [rec('network_mode', 'LTE Mode'), rec('Cell ID', '1A2B3C4')]);
  const uq = parseUqmi({ type: 'lte', rsrp: -90 }, {}, { lte: { service_status: 'available', mcc: '262', mnc: '01', enodeb_id: eci >> 8, cell_id: eci & 0xff } });
  t.equal(mm.ok && mm.value.cellId, String(eci));
  t.equal(qm.cellId, String(eci), 'QModem hands over hex: converted');
  t.equal(uq.ok && uq.value.cellId, String(eci));
  t.equal(decimalCellId('A0117F003', 'hex'), String(0xa0117f003), '36-bit NR cell ids fit');
  for (const bad of ['', 'xyz', '0x', '-1', '1.5', 'FFFFFFFFFF']) t.equal(decimalCellId(bad, 'hex'), null, `hex '${bad}' refused`);
  for (const bad of ['1A', '-5', '3.5', '99999999999999']) t.equal(decimalCellId(bad, 'decimal'), null, `decimal '${bad}' refused`);
});

t.test('QModem: a numeric ISP is the PLMN, not a name', async (t) => {
  const sim = [rec('SIM Status', 'ready'), rec('ISP', '46011')];
  const r = parseQmodem(sim, [], []);
  t.equal(r.operatorName, null);
  t.equal(r.mcc, '460');
  t.equal(r.mnc, '11');
  const six = parseQmodem([rec('SIM Status', 'ready'), rec('ISP', '310410')], [], []);
  t.same([six.mcc, six.mnc, six.operatorName], ['310', '410', null]);
  const named = parseQmodem([rec('SIM Status', 'ready'), rec('ISP', 'CHN-CT')], [], []);
  t.same([named.mcc, named.operatorName], [null, 'CHN-CT'], 'a name stays a name');
  const cellWins = parseQmodem(sim, [], [rec('network_mode', 'LTE Mode'), rec('MCC', '460'), rec('MNC', '03')]);
  t.same([cellWins.mcc, cellWins.mnc], ['460', '03'], 'the serving cell line beats the COPS code');
});

t.test('MCC/MNC: digits only, for every provider', async (t) => {
  for (const v of ['-95 dBm', '0x7F', 'NaN', '26', '2620', ' ', '000', 262.5]) t.equal(validMcc(v), null, `MCC ${JSON.stringify(v)}`);
  for (const v of ['1', '0x7F', 'NaN', '1234', '-1']) t.equal(validMnc(v), null, `MNC ${JSON.stringify(v)}`);
  t.equal(validMnc('01'), '01');
  t.equal(validMnc('001'), '001', 'a 3-digit MNC keeps its zeros');
  const hostile = ['-95 dBm', '0x7F', 'NaN'];
  for (const h of hostile) {
    const mm = parseMmModem({ generic: {} }, null, { '3gpp': { mcc: h, mnc: h } }, null);
    t.same(mm.ok && [mm.value.mcc, mm.value.mnc], [null, null], `ModemManager location ${h}`);
    const uq = parseUqmi({ type: 'lte' }, {}, { lte: { service_status: 'available', mcc: h, mnc: h } });
    t.same(uq.ok && [uq.value.mcc, uq.value.mnc], [null, null], `uqmi system-info ${h}`);
    const qm = parseQmodem([], [], [rec('network_mode', 'LTE Mode'), rec('MCC', h), rec('MNC', h)]);
    t.same([qm.mcc, qm.mnc], [null, null], `QModem ${h}`);
  }
  const serving = parseUqmi({ type: 'lte' }, { plmn_mcc: 95, plmn_mnc: 1 }, {});
  t.same(serving.ok && [serving.value.mcc, serving.value.mnc], [null, null], 'uqmi numeric MCC 95 is not an MCC');
});

t.test('uqmi snr: tenths of a dB from old uqmi (integer), dB from new (fraction)', async (t) => {
  const oldText = '{"type":"lte","rssi":-67,"rsrq":-10,"rsrp":-96,"snr":70}';
  const newText = '{ "type": "lte", "rssi": -67, "rsrq": -10, "rsrp": -96, "snr": 7.000000 }';
  const endcOld = '[{"type":"lte","rssi":-70,"rsrq":-12,"rsrp":-100,"snr":-25},{"type":"5gnr","rsrp":-88,"snr":215}]';
  t.equal(snrInTenths(oldText), true);
  t.equal(snrInTenths(newText), false);
  t.equal(snrInTenths('{"type":"wcdma","rssi":-80}'), false, 'no snr: nothing to scale');
  for (const [text, want] of [[oldText, 7], [newText, 7]] as const) {
    const r = parseUqmi(JSON.parse(text), {}, {}, { snrTenths: snrInTenths(text) });
    t.equal(r.ok && r.value.signal.sinrDb, want);
  }
  const e = parseUqmi(JSON.parse(endcOld), {}, {}, { snrTenths: snrInTenths(endcOld) });
  t.equal(e.ok && e.value.signal.sinrDb, -2.5);
  t.equal(e.ok && e.value.nrSignal?.sinrDb, 21.5);
  const unscaled = parseUqmi(JSON.parse(oldText), {}, {});
  t.equal(unscaled.ok && unscaled.value.signal.sinrDb, null, 'without the hint 70 dB is out of range, not invented');
});

t.test('state, quality, home network and RAT from the signal: ModemManager', async (t) => {
  const dump = fixture('mm-rpcd-dump.json') as { modem: Array<Record<string, unknown>> };
  const m = dump.modem[0]!;
  const generic = { ...(m['generic'] as Record<string, unknown>), state: 'connected', 'signal-quality': { recent: 'yes', value: '75' }, 'access-technologies': [] };
  const sim = { properties: { iccid: '8949020000000000001', 'operator-code': '26201', 'operator-name': 'Telekom.de' } };
  const r = parseMmModem({ ...m, generic }, { lte: { rsrp: '-95.00', rsrq: '-11.00', rssi: '-65.00', snr: '12.40' }, '5g': { rsrp: '--' } }, null, sim);
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.value.state, 'connected');
  t.equal(r.value.signalQualityPct, 75);
  t.same([r.value.homeMcc, r.value.homeMnc, r.value.homeOperatorName], ['262', '01', 'Telekom.de']);
  t.equal(r.value.rat, 'lte', 'no access technology, but the signal is LTE');
  const states = ['disabled', 'enabled', 'searching', 'registered', 'connecting', 'connected', 'failed', 'locked'].map(
    (state) => {
      const x = parseMmModem({ generic: { state } }, null, null, null);
      return x.ok ? x.value.state : 'fail';
    },
  );
  t.same(states, ['disabled', 'searching', 'searching', 'registered', 'connecting', 'connected', null, null]);
  const q = parseMmModem({ generic: { 'signal-quality': { value: '140' } } }, null, null, null);
  t.equal(q.ok && q.value.signalQualityPct, null, 'quality outside 0-100 % is null');
});

t.test('uqmi data status and registration give the state', async (t) => {
  const reg = { registration: 'registered', plmn_mcc: 262, plmn_mnc: 3 };
  const on = parseUqmi({ type: 'lte' }, reg, {}, { dataStatus: 'connected' });
  const off = parseUqmi({ type: 'lte' }, reg, {}, { dataStatus: 'disconnected' });
  const search = parseUqmi({}, { registration: 'searching' }, {});
  t.same([on.ok && on.value.state, off.ok && off.value.state, search.ok && search.value.state], ['connected', 'registered', 'searching']);
});

t.test('qmicli --nas-get-signal-info: signal and the RAT only it tells', async (t) => {
  // libqmi pull request #2: Quectel RM500Q in 5G NSA.
  const text = "[/dev/cdc-wdm0] Successfully got signal info\nLTE:\n        RSSI: '-47 dBm'\n        RSRQ: '-5 dB'\n        RSRP: '-70 dBm'\n        SNR: '30.0 dB'\n5G:\n        RSRP: '-75 dBm'\n        SNR: '18.5 dB'\n        RSRQ: '-11 dB'\n";
  const r = parseQmicliSignal(text);
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.value.rat, 'nr5g-nsa');
  t.same(r.value.signal, { rssiDbm: -47, rsrpDbm: -70, rsrqDb: -5, sinrDb: 30 });
  t.same(r.value.nrSignal, { rssiDbm: null, rsrpDbm: -75, rsrqDb: -11, sinrDb: 18.5 });
  const lte = parseQmicliSignal("[/dev/cdc-wdm0] Successfully got signal info\nLTE:\n\tRSSI: '-63 dBm'\n\tRSRQ: '-9 dB'\n\tRSRP: '-92 dBm'\n\tSNR: '15.6 dB'\n");
  t.equal(lte.ok && lte.value.rat, 'lte');
  t.equal(lte.ok && lte.value.nrSignal, null);
  const wcdma = parseQmicliSignal("[/dev/cdc-wdm0] Successfully got signal info\nWCDMA:\n\tRSSI: '-80 dBm'\n\tECIO: '-6.5 dBm'\n");
  t.equal(wcdma.ok && wcdma.value.rat, 'umts');
  t.equal(wcdma.ok && wcdma.value.signal.rssiDbm, -80);
  t.equal(parseQmicliSignal('error: couldn\'t create client').ok, false);
});

t.test("option device accepts real sysfs paths with '@' (ARM boards), still refuses traversal", async (t) => {
  const { checkFormat } = await import('../../src/config/formats.js');
  t.equal(checkFormat('device', '/sys/devices/platform/bus@0/11200000.usb/usb2/2-1'), null);
  t.equal(checkFormat('device', '/sys/devices/platform/soc@0/1e1c0000.xhci/usb1/1-1'), null);
  t.not(checkFormat('device', '/sys/devices/../../etc/passwd'), null);
  t.not(checkFormat('device', '/dev/ttyUSB2;reboot'), null);
});
