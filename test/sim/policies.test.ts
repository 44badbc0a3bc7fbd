// Each policy of the simulation on small hand-made cases, and the
// simulator's counting of redirections, handovers and broken connections.
import t from 'tap';
import { solveHeuristic } from '../../src/assignment/heuristic.js';
import type { CurrentAssignment } from '../../src/assignment/policy.js';
import type { TfapInstance } from '../../src/model/tfap.js';
import { solveAlgU } from '../../bench/sim/alg-u.js';
import { DEFAULT_SCENARIO } from '../../bench/sim/events.js';
import type { Scenario, SimEvent } from '../../bench/sim/events.js';
import type { Network } from '../../bench/sim/networks.js';
import { everyEventPolicy, modemflowPolicy, mwan3Policy, sheddingOrder } from '../../bench/sim/policies.js';
import { simulate } from '../../bench/sim/simulate.js';
import type { StepContext } from '../../bench/sim/simulate.js';
import type { SimFlow } from '../../bench/sim/traffic.js';

function flow(id: string, over: Partial<SimFlow> = {}): SimFlow {
  return { id, user: 1, kind: 'ftp', proto: 'tcp', qos: 'B', upKbps: 0, downKbps: 100, startS: 0, endS: 100, ...over };
}

/** Two UMTS networks (a dear one, a cheap one that comes and goes) and one WLAN network. */
const NETS: Network[] = [
  { id: 'umts-1', rat: 'umts', nominalKbps: 1000, topQos: 'C', costPerKbit: 9 },
  { id: 'umts-2', rat: 'umts', nominalKbps: 1000, topQos: 'C', costPerKbit: 6 },
  { id: 'wa-1', rat: '80211a', nominalKbps: 1000, topQos: 'S', costPerKbit: 2 },
];

function scenario(events: SimEvent[], initial: Record<string, number>): Scenario {
  return { seed: 1, options: { ...DEFAULT_SCENARIO, traffic: { ...DEFAULT_SCENARIO.traffic, horizonS: 100 } }, networks: NETS, initialStates: new Map(Object.entries(initial)), events };
}

const daemon = (pinTcp: boolean) => modemflowPolicy({ hysteresis: 0.05, solve: (i) => solveHeuristic(i), pinTcp });

t.test('modemflow keeps running TCP where it is; unpinned, it moves it and the simulator counts a broken connection', async (t) => {
  // The WLAN network is at its lowest state (class B): the call and the download start on UMTS;
  // then WLAN recovers and the slow timer asks for a full solve.
  const call = flow('call', { kind: 'video', proto: 'udp', qos: 'C', downKbps: 128 });
  // Too big for WLAN at its lowest state (10 % of nominal), so it can only start on UMTS.
  const ftp = flow('ftp', { downKbps: 200 });
  const events: SimEvent[] = [
    { timeS: 0, kind: 'start', flow: call },
    { timeS: 1, kind: 'start', flow: ftp },
    { timeS: 10, kind: 'net', network: 'wa-1', state: 6 },
    { timeS: 20, kind: 'timer' },
  ];
  const sc = scenario(events, { 'umts-1': 6, 'umts-2': 6, 'wa-1': 0 });
  const pinned = await simulate(sc, daemon(true), { powerLimitW: null });
  t.equal(pinned.broken, 0, 'the pinned download stays: nothing breaks');
  t.equal(pinned.refused, 0);
  const unpinned = await simulate(sc, daemon(false), { powerLimitW: null });
  t.equal(unpinned.broken, 1, 'moving the running download to WLAN breaks it');
  t.ok(unpinned.redirections >= 1);
  t.ok(unpinned.cost < pinned.cost, 'and is cheaper, which is what the pin costs');
});

t.test('every-event policy refuses the new flow when nothing serves them all', async (t) => {
  const big = flow('big', { downKbps: 900, qos: 'C', proto: 'udp' });
  const second = flow('second', { downKbps: 900, qos: 'C', proto: 'udp' });
  const third = flow('third', { downKbps: 900, qos: 'C', proto: 'udp' });
  const sc = scenario(
    [
      { timeS: 0, kind: 'start', flow: big },
      { timeS: 1, kind: 'start', flow: second },
      { timeS: 2, kind: 'start', flow: third },
    ],
    { 'umts-1': 6, 'umts-2': 6, 'wa-1': 6 },
  );
  // Two UMTS interfaces carry two 900 kbps C flows; WLAN is only S: the third is refused.
  const fig = await simulate(sc, everyEventPolicy('LS/RS', (i) => solveHeuristic(i, { variant: 'thesis' })), { powerLimitW: null });
  t.equal(fig.refused, 1);
  t.equal(fig.flowsOffered, 3);
  t.equal(fig.unservedFlowS, 0, 'the refused flow is not counted as unserved afterwards');
});

t.test('ALG_u places class by class, cheapest first at cost priority 3, and reports what fits nowhere', async (t) => {
  const inst: TfapInstance = {
    powerLimitW: null,
    interfaces: [
      { id: 'umts0', bearers: [{ id: 'dear', qos: 'C', upKbps: 500, downKbps: 500, costPerKbit: 9, baseW: 0.1, txWPerKbps: 0, rxWPerKbps: 0 }, { id: 'cheap', qos: 'C', upKbps: 500, downKbps: 500, costPerKbit: 6, baseW: 0.1, txWPerKbps: 0, rxWPerKbps: 0 }] },
      { id: 'wlan0', bearers: [{ id: 'w', qos: 'I', upKbps: 500, downKbps: 500, costPerKbit: 1, baseW: 0.1, txWPerKbps: 0, rxWPerKbps: 0 }] },
    ],
    flows: [
      { id: 'web', upKbps: 0, downKbps: 200, qos: 'I' },
      { id: 'call', upKbps: 0, downKbps: 300, qos: 'C' },
    ],
  };
  const ans = solveAlgU(inst);
  t.equal(ans.status, 'ok');
  t.equal(ans.activation['umts0'], 'cheap', 'the call takes the cheaper C bearer');
  t.equal(ans.assignment['call'], 'umts0');
  t.equal(ans.assignment['web'], 'wlan0', 'the I flow goes to the cheapest bearer of class I or better');
  const tooBig = solveAlgU({ ...inst, flows: [...inst.flows, { id: 'huge', upKbps: 0, downKbps: 900, qos: 'C' }] });
  t.equal(tooBig.status, 'infeasible');
  t.match(tooBig.reason, /huge/);
});

t.test('mwan3-style: new connections drawn with the member weights, nothing ever moved', async (t) => {
  const p = mwan3Policy({ seed: 9, weights: { umts0: 1, umts1: 0, wlan0: 3, wlan1: 0 } });
  const inst: TfapInstance = {
    powerLimitW: null,
    interfaces: ['umts0', 'umts1', 'wlan0', 'wlan1'].map((id) => ({ id, bearers: [{ id: `${id}-n`, qos: 'C', upKbps: 1, downKbps: 1, costPerKbit: 1, baseW: 0, txWPerKbps: 0, rxWPerKbps: 0 }] })),
    flows: [],
  };
  let current: CurrentAssignment = { activation: {}, assignment: {} };
  const n = 4000;
  for (let k = 0; k < n; k++) {
    const f = flow(`f${k}`);
    const ctx: StepContext = { timeS: k, event: { timeS: k, kind: 'start', flow: f }, instance: inst, flows: new Map(), current };
    const next = await p.step(ctx);
    for (const [id, ifId] of Object.entries(current.assignment)) if (next.assignment[id] !== ifId) t.fail(`${id} moved`);
    current = next;
  }
  const on = (ifId: string) => Object.values(current.assignment).filter((x) => x === ifId).length / n;
  t.equal(on('umts1') + on('wlan1'), 0, 'weight 0 gets nothing');
  t.ok(Math.abs(on('wlan0') - 0.75) < 0.03, `wlan0 share ${on('wlan0')} for weight 3 of 4`);
  t.equal(Object.keys(current.activation).length, 4, 'every member is up');
});

t.test('admission: a new flow placed below its class is refused, as an unplaced one; mwan3, which knows no classes, is exempt', async (t) => {
  // WLAN at class S only, UMTS down to its lowest state (class B, 100 kbps): a call gets no C bearer anywhere.
  const call = flow('call', { kind: 'video', proto: 'udp', qos: 'C', downKbps: 50 });
  const web = flow('web', { kind: 'http', qos: 'I', downKbps: 50 });
  const sc = scenario(
    [
      { timeS: 0, kind: 'start', flow: call },
      { timeS: 1, kind: 'start', flow: web },
    ],
    { 'umts-1': 0, 'umts-2': 0, 'wa-1': 6 },
  );
  const fig = await simulate(sc, daemon(true), { powerLimitW: null });
  t.equal(fig.refused, 1, 'the call is refused: the daemon would carry it at S, below its class');
  t.equal(fig.flowsOffered, 2);
  t.equal(fig.belowClassFlowS, 0, 'nothing was carried below its class');
  t.ok(fig.carriedKbit > 0, 'the web flow is carried');
  const m = await simulate(sc, mwan3Policy({ seed: 1, weights: { umts0: 1, umts1: 1, wlan0: 1, wlan1: 1 } }), { powerLimitW: null });
  t.equal(m.refused, 0);
});

t.test('shedding order: flows no bearer carries at their class first, then the newest, then the least strict and largest', async (t) => {
  const inst: TfapInstance = {
    powerLimitW: null,
    interfaces: [{ id: 'umts0', bearers: [{ id: 'n', qos: 'S', upKbps: 1000, downKbps: 1000, costPerKbit: 1, baseW: 0, txWPerKbps: 0, rxWPerKbps: 0 }] }],
    flows: [
      { id: 'call', upKbps: 0, downKbps: 10, qos: 'C' },
      { id: 'small-b', upKbps: 0, downKbps: 10, qos: 'B' },
      { id: 'big-b', upKbps: 0, downKbps: 500, qos: 'B' },
      { id: 'stream', upKbps: 0, downKbps: 500, qos: 'S' },
      { id: 'new', upKbps: 0, downKbps: 10, qos: 'S' },
    ],
  };
  const newFlow = flow('new', { qos: 'S', downKbps: 10 });
  t.same(sheddingOrder({ instance: inst, event: { timeS: 0, kind: 'start', flow: newFlow } }), ['call', 'new', 'big-b', 'small-b', 'stream']);
  t.same(sheddingOrder({ instance: inst, event: { timeS: 0, kind: 'timer' } }), ['call', 'big-b', 'small-b', 'stream', 'new'], 'the larger of a class first');
});

t.test('exact, same service: what the reference leaves out is carried at the best class on offer where there is room', async (t) => {
  const call = flow('call', { kind: 'video', proto: 'udp', qos: 'C', downKbps: 50 });
  const sc = scenario(
    [
      { timeS: 0, kind: 'start', flow: call },
      { timeS: 1, kind: 'net', network: 'umts-1', state: 0 },
      { timeS: 1, kind: 'net', network: 'umts-2', state: 0 },
    ],
    { 'umts-1': 6, 'umts-2': 6, 'wa-1': 6 },
  );
  const solve = (i: TfapInstance) => solveHeuristic(i, { variant: 'thesis' });
  const plain = await simulate(sc, everyEventPolicy('plain', solve), { powerLimitW: null });
  const same = await simulate(sc, everyEventPolicy('same', solve, true), { powerLimitW: null });
  t.equal(plain.refused, 0, 'admitted on UMTS at class C');
  t.ok(plain.unservedFlowS > 0, 'then left out once UMTS loses class C');
  t.equal(same.unservedFlowS, 0, 'carried on');
  t.ok(same.belowClassFlowS > 0, 'below its class (S on WLAN)');
});

t.test('modemflow with a solver that answers later (HiGHS) decides as with the same answers given at once', async (t) => {
  const a = flow('a', { downKbps: 300 });
  const b = flow('b', { kind: 'video', proto: 'udp', qos: 'C', downKbps: 300 });
  const sc = scenario(
    [
      { timeS: 0, kind: 'start', flow: a },
      { timeS: 1, kind: 'start', flow: b },
      { timeS: 5, kind: 'net', network: 'wa-1', state: 6 },
      { timeS: 10, kind: 'timer' },
    ],
    { 'umts-1': 6, 'umts-2': 6, 'wa-1': 0 },
  );
  const sync = await simulate(sc, modemflowPolicy({ hysteresis: 0, solve: (i) => solveHeuristic(i), pinTcp: true, fullEveryEvent: true }), { powerLimitW: null });
  const later = await simulate(sc, modemflowPolicy({ hysteresis: 0, solve: async (i) => solveHeuristic(i), pinTcp: true, fullEveryEvent: true }), { powerLimitW: null });
  t.same(later, sync);
  t.ok(sync.decisions >= 4);
});
