/**
 * The emulator's ModemManager: a `modemmanager` object whose `dump` answers
 * as modemmanager-rpcd does (openwrt/packages net/modemmanager, rpcd
 * script): {modem: [...]}, each entry `mmcli -m N -J`'s modem object with
 * generic.sim replaced by the SIM object, plus `signal` and `location`.
 * Every value is a string, "--" for none (test/metrics/fixtures/mm-rpcd-dump.json).
 */
import type { DemoModem } from './scenario.js';
import { sysfsDevice } from './emu-netifd.js';

export interface RadioState {
  /** 'connected' | 'registered' | 'searching' (ModemManager's modem state). */
  state: 'connected' | 'registered' | 'searching';
  rsrpDbm: number;
  sinrDb: number;
}

const dash = '--';
const fixed = (n: number): string => n.toFixed(2);

export function mmModem(m: DemoModem, r: RadioState): Record<string, unknown> {
  const attached = r.state !== 'searching';
  const techs = !attached ? [] : m.rat === 'nr5g-nsa' ? ['lte', '5gnr'] : ['lte'];
  const imei = `86675804000${String(m.mmIndex).padStart(4, '0')}`;
  const lteSignal = attached
    ? { 'error-rate': dash, rsrp: fixed(r.rsrpDbm), rsrq: fixed(m.rsrqDb), rssi: fixed(r.rsrpDbm + 30), snr: fixed(r.sinrDb) }
    : { 'error-rate': dash, rsrp: dash, rsrq: dash, rssi: dash, snr: dash };
  const nrSignal =
    attached && m.rat === 'nr5g-nsa'
      ? { 'error-rate': dash, rsrp: fixed(r.rsrpDbm - 4), rsrq: fixed(m.rsrqDb + 1), snr: fixed(r.sinrDb + 2) }
      : { 'error-rate': dash, rsrp: dash, rsrq: dash, snr: dash };
  // ModemManager's signal quality is a 0-100 % scale; a linear map of RSRP -140..-44 is close to what modems report.
  const quality = attached ? Math.max(0, Math.min(100, Math.round(((r.rsrpDbm + 140) / 96) * 100))) : 0;
  return {
    '3gpp': {
      'enabled-locks': ['fixed-dialing'],
      eps: { 'initial-bearer': { 'dbus-path': dash, settings: { apn: dash, 'ip-type': dash, password: dash, user: dash } }, 'ue-mode-operation': 'csps-2' },
      imei,
      'operator-code': attached ? m.operatorCode : dash,
      'operator-name': attached ? m.operatorName : dash,
      'packet-service-state': attached ? 'attached' : 'detached',
      pco: dash,
      'registration-state': attached ? 'home' : 'searching',
    },
    cdma: { 'activation-state': dash, 'cdma1x-registration-state': dash, esn: dash, 'evdo-registration-state': dash, meid: dash, nid: dash, sid: dash },
    'dbus-path': `/org/freedesktop/ModemManager1/Modem/${m.mmIndex}`,
    generic: {
      'access-technologies': techs,
      bearers: [`/org/freedesktop/ModemManager1/Bearer/${m.mmIndex}`],
      'carrier-configuration': 'default',
      'current-bands': m.rat === 'nr5g-nsa' ? ['eutran-1', 'eutran-3', 'eutran-7', 'eutran-20', 'ngran-78'] : ['eutran-1', 'eutran-3', 'eutran-7', 'eutran-20'],
      'current-capabilities': [m.rat === 'nr5g-nsa' ? 'gsm-umts, lte, 5gnr' : 'gsm-umts, lte'],
      'current-modes': m.rat === 'nr5g-nsa' ? 'allowed: 3g, 4g, 5g; preferred: 5g' : 'allowed: 3g, 4g; preferred: 4g',
      device: sysfsDevice(m),
      'device-identifier': `demo${m.mmIndex}`,
      drivers: ['option', 'qmi_wwan'],
      'equipment-identifier': imei,
      'hardware-revision': '20000',
      manufacturer: 'Quectel',
      model: m.rat === 'nr5g-nsa' ? 'RM500Q-GL' : 'EC25-E',
      'own-numbers': [],
      plugin: 'quectel',
      ports: [`cdc-wdm${m.mmIndex} (qmi)`, `ttyUSB${m.mmIndex * 4 + 2} (at)`, `${m.device} (net)`],
      'power-state': 'on',
      'primary-port': `cdc-wdm${m.mmIndex}`,
      'primary-sim-slot': '1',
      revision: m.rat === 'nr5g-nsa' ? 'RM500QGLABR11A06M4G' : 'EC25EFAR06A06M4G',
      'signal-quality': { recent: 'yes', value: String(quality) },
      sim: {
        'dbus-path': `/org/freedesktop/ModemManager1/SIM/${m.mmIndex}`,
        properties: {
          active: 'yes',
          eid: dash,
          'emergency-numbers': [],
          'esim-status': dash,
          gid1: dash,
          gid2: dash,
          iccid: `894902000000000${String(m.mmIndex).padStart(4, '0')}`,
          imsi: `${m.operatorCode}00000000${m.mmIndex}`,
          'operator-code': m.operatorCode,
          'operator-name': m.operatorName,
          removability: dash,
          'sim-type': dash,
        },
      },
      'sim-slots': [],
      state: r.state,
      'state-failed-reason': dash,
      'supported-ip-families': ['ipv4', 'ipv6', 'ipv4v6'],
      'unlock-required': 'sim-pin2',
      'unlock-retries': ['sim-pin (3)', 'sim-puk (10)'],
    },
    signal: {
      '5g': nrSignal,
      cdma1x: { ecio: dash, 'error-rate': dash, rssi: dash },
      evdo: { ecio: dash, 'error-rate': dash, io: dash, rssi: dash, sinr: dash },
      gsm: { 'error-rate': dash, rssi: dash },
      lte: lteSignal,
      refresh: { rate: '5' },
      threshold: { 'error-rate': 'no', rssi: '0' },
      umts: { ecio: dash, 'error-rate': dash, rscp: dash, rssi: dash },
    },
    location: {
      '3gpp': attached
        ? { cid: m.cellId, lac: 'FFFE', mcc: m.operatorCode.slice(0, 3), mnc: m.operatorCode.slice(3), tac: `00${m.cellId.slice(0, 4)}` }
        : { cid: dash, lac: dash, mcc: dash, mnc: dash, tac: dash },
      'cdma-bs': { latitude: dash, longitude: dash },
      gps: { altitude: dash, latitude: dash, longitude: dash, nmea: [], utc: dash },
    },
    device: sysfsDevice(m),
  };
}

export function mmDump(modems: readonly DemoModem[], radio: (m: DemoModem) => RadioState): Record<string, unknown> {
  return { modem: modems.map((m) => mmModem(m, radio(m))) };
}
