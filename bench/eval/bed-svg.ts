/** The bed evaluation's charts (bench/results/eval-bed-*.svg), grouped bars per scenario. Pure: runs in, SVG text out. */
import { barChartSvg } from './svg-bars.js';
import type { BedRun } from './bed-report.js';
import { scenarioFor } from './bed-scenarios.js';
import type { Scenario } from './bed-scenarios.js';

/** The balancers in the order they ran. */
function balancers(runs: readonly BedRun[]): string[] {
  return [...new Set(runs.map((r) => r.balancer))];
}

function chart(runs: readonly BedRun[], scenarios: readonly Scenario[], title: string, unit: string, value: (r: BedRun) => number | null): string {
  const present = scenarios.filter((s) => runs.some((r) => r.key === s.key));
  return barChartSvg({
    title,
    unit,
    groups: present.map((s) => s.key),
    series: balancers(runs).map((b) => ({
      name: b,
      values: present.map((s) => {
        const r = runs.find((x) => x.key === s.key && x.balancer === b);
        return r ? value(r) : null;
      }),
    })),
  });
}

const totalBytes = (r: BedRun): number => r.bytesByUplink.reduce((a, b) => a + b, 0);

/**
 * [file name, SVG] for each chart. Failover: link loss to new connections
 * working; a failure no connection probe noticed is drawn as 0, one that had
 * not settled before the link came back at the outage's length (a lower bound).
 */
export function bedCharts(runs: readonly BedRun[], scenarios: readonly Scenario[]): [string, string][] {
  const failures = scenarios.filter((s) => s.event?.kind === 'link' || s.event?.kind === 'loss');
  const outageS = (r: BedRun): number | null => {
    const sc = scenarios.find((s) => s.key === r.key);
    const ev = sc && scenarioFor(sc, r.balancer.startsWith('mwan3') ? 'mwan3' : 'modemflowd').event;
    return ev && 'untilS' in ev ? ev.untilS - ev.atS : null;
  };
  return [
    ['eval-bed-cost.svg', chart(runs, scenarios, 'Data cost per GB carried (one run per bar)', 'money / GB', (r) => (totalBytes(r) > 0 ? r.cost / (totalBytes(r) / 1e9) : null))],
    ['eval-bed-bulk.svg', chart(runs, scenarios, 'Bulk download throughput (sum of links: 35 Mbit/s)', 'Mbit/s', (r) => r.figures.bulkMbps)],
    ['eval-bed-energy.svg', chart(runs, scenarios, 'Modelled modem power, mean over the run', 'W', (r) => r.energy.meanW)],
    [
      'eval-bed-failover.svg',
      chart(runs, failures, 'Failover: link loss to new connections working (0: no outage seen; not settled: the outage length)', 's', (r) =>
        r.figures.failoverS !== null ? r.figures.failoverS : r.figures.failedProbes > 0 ? outageS(r) : null,
      ),
    ],
    ['eval-bed-broken.svg', chart(runs, scenarios, 'Broken connections (answered, then failed or stalled)', 'connections', (r) => r.figures.breaks)],
  ];
}
