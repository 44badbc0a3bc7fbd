import t from 'tap';
import { BACKGROUND_FLOOR_KBPS, fitBackground } from '../../src/coordination/background-fit.js';
import type { FlowSpec, InterfaceSpec, TfapInstance } from '../../src/model/tfap.js';

function iface(id: string, downKbps: number, upKbps = 5000): InterfaceSpec {
  return { id, bearers: [{ id: `${id}/b`, qos: 'C', upKbps, downKbps, costPerKbit: 1e-6, baseW: 1, txWPerKbps: 0.0004, rxWPerKbps: 0.00005 }] };
}
const flow = (id: string, qos: FlowSpec['qos'], downKbps: number, upKbps = 100, pinned?: string): FlowSpec => ({ id, qos, downKbps, upKbps, ...(pinned ? { pinned } : {}) });
const inst = (flows: FlowSpec[], interfaces = [iface('a', 10_000), iface('b', 5000)]): TfapInstance => ({ powerLimitW: null, interfaces, flows });

t.test('room for everything: the instance is returned as it is', async (t) => {
  const i = inst([flow('call', 'C', 1500), flow('bulk', 'B', 3000)]);
  const fit = fitBackground(i);
  t.equal(fit.instance, i, 'the same object');
  t.same([fit.downFactor, fit.upFactor], [1, 1]);
});

t.test('overload: movable background shares what calls, video and pinned bulk leave', async (t) => {
  // 15 Mbit/s offered; call 1.5 + video 5 + a pinned download 3 leave 5.5 for four 3 Mbit/s downloads.
  const flows = [
    flow('call', 'C', 1500),
    flow('video', 'S', 5000),
    flow('pinned', 'B', 3000, 100, 'a'),
    ...['b1', 'b2', 'b3', 'b4'].map((id) => flow(id, 'B', 3000)),
  ];
  const fit = fitBackground(inst(flows));
  t.equal(fit.downFactor, 5500 / 12_000);
  t.equal(fit.upFactor, 1, 'uplink fits: untouched');
  const by = new Map(fit.instance.flows.map((f) => [f.id, f]));
  t.equal(by.get('call')!.downKbps, 1500, 'a call keeps its rate');
  t.equal(by.get('video')!.downKbps, 5000);
  t.equal(by.get('pinned')!.downKbps, 3000, 'a pinned connection is a fact');
  t.equal(by.get('b1')!.downKbps, 3000 * (5500 / 12_000));
  t.equal(by.get('b1')!.upKbps, 100, 'the direction that fits keeps its rate');
  const total = fit.instance.flows.reduce((s, f) => s + f.downKbps, 0);
  t.ok(Math.abs(total - 15_000) < 1e-6, 'the demand now fills the offer exactly');
});

t.test('nothing left for background: each keeps a floor and is still placed somewhere', async (t) => {
  const fit = fitBackground(inst([flow('video', 'S', 16_000), flow('b1', 'B', 3000), flow('b2', 'B', 0)]));
  t.equal(fit.downFactor, 0);
  const by = new Map(fit.instance.flows.map((f) => [f.id, f]));
  t.equal(by.get('b1')!.downKbps, BACKGROUND_FLOOR_KBPS);
  t.equal(by.get('b2')!.downKbps, 0, 'a group that wants nothing stays at nothing');
});

t.test('an interface counts its largest bearer once; no interfaces: background squeezed to the floor', async (t) => {
  const two: InterfaceSpec = { id: 'a', bearers: [iface('a', 4000).bearers[0]!, { ...iface('a', 8000).bearers[0]!, id: 'a/5g' }] };
  const fit = fitBackground(inst([flow('b1', 'B', 6000), flow('b2', 'B', 6000)], [two]));
  t.equal(fit.downFactor, 8000 / 12_000);
  t.equal(fitBackground(inst([flow('b1', 'B', 6000)], [])).instance.flows[0]!.downKbps, BACKGROUND_FLOOR_KBPS);
});
