// buildBearers: the solver's interface list from modem views, and a reason
// for every modem left out (provider-level reasons only).
import t from 'tap';
import { buildBearers, bearerIdOf } from '../../src/metrics/bearers.js';
import type { ModemView } from '../../src/model/modem.js';
import { modemConfig } from './fixture-ubus.js';

const NOW = Date.UTC(2026, 4, 20, 12);

function view(name: string, over: Partial<ModemView> = {}): ModemView {
  return {
    name,
    link: {
      interface: name,
      up: true,
      sinceMs: NOW - 60_000,
      l3Device: name,
      ipv4: ['10.0.0.2'],
      ipv6: [],
      gatewayV4: '10.0.0.1',
      gatewayV6: null,
      dns: [],
      rxBytes: 0,
      txBytes: 0,
      rxKbps: 0,
      txKbps: 0,
      rxErrors: 0,
      txErrors: 0,
      rxDropped: 0,
      txDropped: 0,
    },
    radio: {
      mcc: '262',
      mnc: '01',
      operatorName: 'Telekom.de',
      rat: 'lte',
      band: null,
      cellId: null,
      signal: { rssiDbm: -65, rsrpDbm: -95, rsrqDb: -11, sinrDb: 12 },
      nrSignal: null,
      registration: 'home',
      simIccid: null,
      simSlot: null,
      state: 'connected',
      signalQualityPct: 80,
      homeMcc: '262',
      homeMnc: '01',
      homeOperatorName: 'Telekom.de',
    },
    path: { alive: true, lastReplyMs: NOW, short: { rttMs: 45, jitterMs: 4, lossPct: 0, samples: 10 }, long: { rttMs: 44, jitterMs: 4, lossPct: 0, samples: 120 } },
    capacity: { upKbps: 5000, downKbps: 30000, confidence: 0.6, source: 'passive' },
    health: 'ok',
    problem: null,
    cycleBytes: 1e9,
    ...over,
  };
}

t.test('bearers with QoS, price, power and capacity; exclusions with reasons', async (t) => {
  const configs = [
    modemConfig({ name: 'ok', interface: 'ok', plan: { pricePerGb: 4, quotaGb: 20, billingDay: 1, overQuota: 'stop', overagePricePerGb: null } }),
    modemConfig({ name: 'down', interface: 'down' }),
    modemConfig({ name: 'sick', interface: 'sick' }),
    modemConfig({ name: 'full', interface: 'full', plan: { pricePerGb: 4, quotaGb: 10, billingDay: 1, overQuota: 'stop', overagePricePerGb: null } }),
    modemConfig({ name: 'nocap', interface: 'nocap' }),
    modemConfig({ name: 'off', interface: 'off', enabled: false }),
    modemConfig({ name: 'new', interface: 'new' }),
    modemConfig({ name: 'slow', interface: 'slow', power: { baseW: 2, txWPerKbps: 0.001, rxWPerKbps: 0.0001 } }),
  ];
  const views = [
    view('ok'),
    view('down', { link: { ...view('down').link, up: false } }),
    view('sick', { health: 'unknown', problem: 'uqmi: --get-signal-info: timed out after 3000 ms' }),
    view('full', { cycleBytes: 10.5e9 }),
    view('nocap', { capacity: { upKbps: 0, downKbps: 0, confidence: 0.2, source: 'prior' } }),
    view('slow', { path: { alive: true, lastReplyMs: NOW, short: { rttMs: 420, jitterMs: 80, lossPct: 0, samples: 10 }, long: { rttMs: 400, jitterMs: 70, lossPct: 3, samples: 120 } } }),
  ];
  const { interfaces, excluded } = buildBearers(views, configs, NOW);
  t.same(interfaces.map((i) => i.id), ['ok', 'slow']);
  const ok = interfaces[0]!.bearers[0]!;
  t.equal(ok.id, 'ok/26201');
  t.equal(ok.qos, 'C');
  t.equal(ok.downKbps, 30000);
  t.equal(ok.upKbps, 5000);
  t.equal(ok.costPerKbit, 4 / 8e6, '1 GB of 20 used on the 20th: behind pace, base price');
  t.equal(ok.baseW, 1.288);
  const slow = interfaces[1]!.bearers[0]!;
  t.equal(slow.qos, 'I');
  t.equal(slow.baseW, 2, 'per-modem power override');
  t.same(
    excluded.map((e) => [e.modem, e.code]),
    [
      ['down', 'down'],
      ['sick', 'unknown'],
      ['full', 'quota'],
      ['nocap', 'no-capacity'],
      ['off', 'disabled'],
      ['new', 'unknown'],
    ],
  );
  t.match(excluded.find((e) => e.modem === 'sick')!.reason, /timed out/);
  t.match(excluded.find((e) => e.modem === 'full')!.reason, /quota 10 GB used \(10\.50 GB\)/);
  t.equal(excluded.find((e) => e.modem === 'full')!.bearerId, 'full/26201');
  t.equal(excluded.find((e) => e.modem === 'down')!.reason, 'interface down is down');
});

t.test('a path with no answer yet is offered as background; bearer ids survive RAT changes', async (t) => {
  const { interfaces } = buildBearers([view('m', { path: null })], [modemConfig({ name: 'm', interface: 'm' })], NOW);
  t.equal(interfaces[0]!.bearers[0]!.qos, 'B');
  const nsa = view('m');
  nsa.radio = { ...nsa.radio!, rat: 'nr5g-nsa' };
  t.equal(bearerIdOf(nsa), bearerIdOf(view('m')));
  t.equal(bearerIdOf(view('m', { radio: null })), 'm/sim');
});
