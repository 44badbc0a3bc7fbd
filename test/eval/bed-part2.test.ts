// The pure parts the bed evaluation's second round added (bench/eval/bed-*.ts):
// the video player model, modelled energy and power against a limit, quota
// overrun, the scenario list, the report's scenario sections and the charts.
import t from 'tap';
import { againstLimit, bytesAt, energy, powerOptions, powerSeries, ratPower } from '../../bench/eval/bed-energy.js';
import type { UplinkSample } from '../../bench/eval/bed-energy.js';
import { quotaFigures } from '../../bench/eval/bed-metrics.js';
import type { RunFigures } from '../../bench/eval/bed-metrics.js';
import { bedReport } from '../../bench/eval/bed-report.js';
import { BED_TRAFFIC } from '../../bench/eval/bed-roles.js';
import type { BedRun } from '../../bench/eval/bed-report.js';
import { bedScenarios, scenarioFor } from '../../bench/eval/bed-scenarios.js';
import { bedCharts } from '../../bench/eval/bed-svg.js';
import { videoFigures } from '../../bench/eval/bed-video.js';
import type { BedLink } from '../../bench/eval/bed-balancers.js';
import { RAT_POWER } from '../../src/metrics/power-model.js';

const LINKS: BedLink[] = [
  { uplink: 1, rateMbit: 20, pricePerGb: 4, lossPct: 0, mwan3Weight: 4, rat: 'nr5g-nsa' },
  { uplink: 2, rateMbit: 10, pricePerGb: 1, lossPct: 0, mwan3Weight: 2, rat: 'lte' },
  { uplink: 3, rateMbit: 5, pricePerGb: 0.5, lossPct: 2, mwan3Weight: 1, rat: 'umts' },
];

t.test('video player: start, stalls, delivered rate', async (t) => {
  // 1000 B/s stream: 100 B per 100 ms bin when the path keeps up.
  const steady = Array.from({ length: 100 }, () => 100);
  const v = videoFigures(steady, 1000, 0, 100);
  t.equal(v.startS, 2, 'plays once 2 s are buffered');
  t.equal(v.stalls, 0);
  t.equal(v.stalledS, 0);
  t.equal(v.deliveredPct, 100);
  t.equal(v.deliveredMbps, (1000 * 8) / 1e6);
  // A 3 s gap after 4 s: the 2 s buffer runs dry once, then refills from the resumed stream.
  const gap = steady.map((b, i) => (i >= 40 && i < 70 ? 0 : b));
  const g = videoFigures(gap, 1000, 0, 100);
  t.equal(g.stalls, 1, 'one stall');
  t.ok(g.stalledS >= 1 && g.stalledS <= 3.1, `stalled ${g.stalledS} s: the gap less what the buffer covered, plus re-buffering`);
  t.equal(g.deliveredPct, 70);
  // A gap shorter than the buffer is covered.
  t.equal(videoFigures(steady.map((b, i) => (i >= 40 && i < 50 ? 0 : i >= 50 && i < 60 ? 200 : b)), 1000, 0, 100).stalls, 0, 'a 1 s gap and catch-up: no stall');
  // Never enough: never starts.
  const slow = videoFigures(Array.from({ length: 100 }, () => 10), 1000, 0, 100);
  t.equal(slow.startS, null);
  t.equal(slow.stalls, 0);
  // Stalls before the window are not counted in it; bins missing at the end count as silence.
  t.equal(videoFigures(gap, 1000, 80, 100).stalls, 0);
  t.equal(videoFigures(steady.slice(0, 50), 1000, 0, 100).deliveredPct, 50);
});

t.test('energy from counter samples with the daemon power model', async (t) => {
  const c = LINKS.map((l) => ratPower(l.rat));
  t.equal(c[1]!.baseW, RAT_POWER.lte.baseW, 'the daemon model, not a copy');
  t.same(powerOptions(ratPower('lte')), { baseMw: 1288, txMwPerMbps: 438.39, rxMwPerMbps: 51.97 }, 'config options in mW');
  const s = (atMs: number, up: boolean[], tx: number[], rx: number[]): UplinkSample => ({ atMs, up, txBytes: tx, rxBytes: rx });
  // Uplink 1 up 2 s receiving 1 Mbit/s (125 000 B/s); uplink 2 up, idle; uplink 3 down.
  const samples = [s(0, [true, true, false], [0, 0, 0], [0, 0, 0]), s(1000, [true, true, false], [0, 0, 0], [125_000, 0, 0]), s(2000, [true, true, false], [0, 0, 0], [250_000, 0, 0])];
  const e = energy(samples, c);
  const j1 = c[0]!.baseW * 2 + c[0]!.rxWPerKbps * 2000;
  const j2 = c[1]!.baseW * 2;
  t.ok(Math.abs(e.whByUplink[0]! - j1 / 3600) < 1e-12, 'base for 2 s + rx per kbit');
  t.ok(Math.abs(e.whByUplink[1]! - j2 / 3600) < 1e-12, 'idle but up: base only');
  t.equal(e.whByUplink[2], 0, 'down: nothing');
  t.same(e.upSByUplink, [2, 2, 0]);
  t.ok(Math.abs(e.meanW - (j1 + j2) / 2) < 1e-9);
  const series = powerSeries(samples, c);
  t.equal(series.length, 2);
  t.ok(Math.abs(series[0]![1] - (c[0]!.baseW + c[0]!.rxWPerKbps * 1000 + c[1]!.baseW)) < 1e-9, 'W in the interval');
  const lim = againstLimit([[1000, 3], [2000, 5], [3000, 3.5], [4000, 4.5]], 4, 1500);
  t.same(lim, { limitW: 4, meanW: 13 / 3, overPct: (2 / 3) * 100, withinAfterS: null }, 'intervals ending after the limit was set; the run ended over it');
  t.equal(againstLimit([[1000, 5], [2000, 5], [3000, 3.5], [4000, 3]], 4, 500).withinAfterS, 1.5, 'within from the end of the last interval over it');
  t.equal(againstLimit([[1000, 3], [2000, 3]], 4, 500).withinAfterS, 0, 'never over');
  t.same(bytesAt(samples, 1500), [125_000, 0, 0], 'counters at the sample before');
  t.same(bytesAt(samples, -5), [0, 0, 0], 'before any sample: the first');
});

t.test('quota overrun from absolute counters', async (t) => {
  const s = (atMs: number, b3: number): UplinkSample => ({ atMs, up: [true, true, true], txBytes: [0, 0, b3 / 10], rxBytes: [0, 0, (b3 * 9) / 10] });
  const q = quotaFigures([s(0, 1e6), s(1000, 9e6), s(2000, 12e6), s(3000, 15e6)], 2, 10e6);
  t.same(q, { uplink: 3, quotaBytes: 10e6, usedBytes: 15e6, overBytes: 5e6, reachedAfterMs: 2000 });
  t.same(quotaFigures([s(0, 1e6)], 2, 10e6), { uplink: 3, quotaBytes: 10e6, usedBytes: 1e6, overBytes: 0, reachedAfterMs: null }, 'not reached');
});

t.test('scenarios, report and charts', async (t) => {
  for (const quick of [false, true]) {
    const sc = bedScenarios(quick, LINKS);
    t.same(sc.map((s) => s.key), ['steady', 'link', 'loss', 'capacity', 'power', 'price', 'quota']);
    for (const s of sc) {
      const e = s.event;
      if (e) t.ok(e.atS < s.seconds && (!('untilS' in e) || (e.untilS > e.atS && e.untilS < s.seconds)), `${s.key}: the event fits the run`);
    }
    const price = sc.find((s) => s.key === 'price')!.event!;
    t.ok(price.kind === 'price' && price.prices[2]! > Math.max(...LINKS.map((l) => l.pricePerGb)), 'the cheapest SIM becomes the dearest');
    t.same(sc.find((s) => s.key === 'quota')!.quotaGb!.map((q) => q !== null), [false, false, true], 'quota on the cheapest SIM');
    const loss = sc.find((s) => s.key === 'loss')!;
    t.equal(scenarioFor(loss, 'modemflowd'), loss, 'modemflowd runs the scenario as it is');
    const longer = scenarioFor(loss, 'mwan3');
    if (quick) t.equal(longer, loss, 'quick: no longer run');
    else t.ok(longer.seconds > loss.seconds && longer.event!.kind === 'loss' && longer.event!.untilS - longer.event!.atS >= 70, 'mwan3-style: long enough for its tracker (5 rounds of 10 s + 4 s timeouts)');
  }
  const sc = bedScenarios(true, LINKS);
  const fig = (over: Partial<RunFigures>): RunFigures => ({
    bulkMbps: 10,
    bulkDuringEventMbps: null,
    video: { deliveredMbps: 3, deliveredPct: 100, stalls: 0, stalledS: 0, startS: 2 },
    call: { sent: 10, lossPct: 0, rttMeanMs: 5, rttP95Ms: 9, jitterMs: 1, uplinks: [2], uplinksByCall: [[2], [2, 1]] },
    webOk: 3,
    webTotal: 3,
    webMedianMs: 20,
    breaks: 0,
    failoverS: null,
    failedProbes: 0,
    ...over,
  });
  const run = (key: string, balancer: string, over: Partial<BedRun> = {}): BedRun => ({
    scenario: sc.find((s) => s.key === key)!.name,
    key,
    balancer,
    figures: fig({}),
    bytesByUplink: [0, 1e9, 0],
    cost: 1,
    bulkConnsByUplink: {},
    energy: { whByUplink: [0, 1, 0], totalWh: 1, upSByUplink: [10, 10, 10], meanW: 4.5 },
    eventNote: null,
    endState: '',
    limit: null,
    price: null,
    quota: null,
    ...over,
  });
  const runs = [
    run('steady', 'modemflowd'),
    run('loss', 'modemflowd', { figures: fig({ failoverS: 0, bulkDuringEventMbps: 8 }) }),
    run('loss', 'mwan3-style', { figures: fig({ failoverS: null, failedProbes: 30, breaks: 4 }) }),
    run('power', 'modemflowd', { limit: { limitW: 4, meanW: 3.5, overPct: 0, withinAfterS: 0 }, eventNote: 'set_power_limit: {"limitW":4}', endState: 'm1 asleep' }),
    run('price', 'mwan3-style', { price: { before: { bytes: [1e9, 0, 0], cost: 4 }, after: { bytes: [0, 0, 1e9], cost: 8 } } }),
    run('quota', 'modemflowd', { quota: { uplink: 3, quotaBytes: 4e6, usedBytes: 5e6, overBytes: 1e6, reachedAfterMs: 7000 } }),
  ];
  const md = bedReport({
    date: '2026-11-30 23:00 UTC',
    machine: 'test',
    command: 'node dist/bench/eval-bed.js --quick',
    minutes: 4.2,
    netem: false,
    links: LINKS,
    coeffs: LINKS.map((l) => ratPower(l.rat)),
    scenarios: sc,
    runs,
    traffic: { ...BED_TRAFFIC, hosts: { ...BED_TRAFFIC.hosts, bulk: ['192.168.77.3'] } },
    quick: true,
    limitGraceS: 5,
    warmupS: 3,
    failed: [],
  });
  t.match(md, /\| modemflowd \| 4 \| 3\.50 \| 0 % \| within from 5 s \| set_power_limit: \{"limitW":4\} \| m1 asleep \|/, 'power against the limit');
  t.match(md, /\| mwan3-style \| 1000\.0 \/ 0\.0 \/ 0\.0 \| 4\.00 \| 0\.0 \/ 0\.0 \/ 1000\.0 \| 8\.00 \|/, 'cost per GB before and after');
  t.match(md, /\| modemflowd \| 4\.0 \(wwan3\) \| 5\.0 \| 1\.0 \| 7 s \|/, 'quota overrun');
  t.match(md, /\| 100 % loss, link up \| no outage seen \(0 probes failed\) \| not until the link returned \(30 probes failed\) \|/, 'failover per failure');
  t.match(md, /\| 2 \/ 2,1 \|/, 'call uplinks per call');
  t.notMatch(md, /link down and back \(`link`\)/, 'scenarios without runs are left out');
  t.match(md, /## Headline \(one run each\)\n\n\|  \| modemflowd \| mwan3-style \|\n/, 'a headline table, one column per balancer');
  t.match(md, /\| quota reached \(wwan3: 4 MB\): MB over the quota \| 1\.0 \| - \|\n\nCharts:/, 'quota headline; a blank line ends the table');
  const charts = bedCharts(runs, sc);
  t.same(charts.map(([n]) => n), ['eval-bed-cost.svg', 'eval-bed-bulk.svg', 'eval-bed-energy.svg', 'eval-bed-failover.svg', 'eval-bed-broken.svg']);
  for (const [n, svg] of charts) t.match(svg, /^<svg [^]*<\/svg>\n$/, `${n} is one SVG`);
  const failoverSvg = charts.find(([n]) => n === 'eval-bed-failover.svg')![1];
  t.match(failoverSvg, /mwan3-style, loss: 7\.00 s/, 'a failure that never settled is drawn at the outage length');
  t.notMatch(failoverSvg, />steady</, 'only failure scenarios');
});
