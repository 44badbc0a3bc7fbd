/** bench/results/eval-bed.md from the bed runs. Pure: figures in, Markdown out. */
import type { PowerCoefficients } from '../../src/model/config.js';
import type { BedLink } from './bed-balancers.js';
import type { EnergyFigures, LimitFigures } from './bed-energy.js';
import { mdTable } from './bed-metrics.js';
import type { QuotaFigures, RunFigures } from './bed-metrics.js';
import type { TrafficOptions } from './bed-roles.js';
import type { Scenario } from './bed-scenarios.js';

export interface BedRun {
  scenario: string;
  key: string;
  balancer: string;
  figures: RunFigures;
  bytesByUplink: number[];
  /** Data cost at the prices in force when the bytes moved. */
  cost: number;
  bulkConnsByUplink: Record<string, number>;
  energy: EnergyFigures;
  /** What the balancer said it did at the scenario's event. */
  eventNote: string | null;
  /** The balancer's own account of its state at the end of the traffic (modemflowd: modem states, power). */
  endState: string;
  /** Power scenario: the modelled power against the limit. */
  limit: LimitFigures | null;
  /** Price scenario: bytes and cost before and after the change. */
  price: { before: { bytes: number[]; cost: number }; after: { bytes: number[]; cost: number } } | null;
  /** Quota scenario. */
  quota: QuotaFigures | null;
}

export interface BedReportInput {
  date: string;
  machine: string;
  command: string;
  minutes: number;
  netem: boolean;
  links: readonly BedLink[];
  coeffs: readonly PowerCoefficients[];
  scenarios: readonly Scenario[];
  runs: readonly BedRun[];
  traffic: Omit<TrafficOptions, 'seconds'>;
  quick: boolean;
  limitGraceS: number;
  warmupS: number;
  /** Runs that failed twice and are missing from the tables, with why. */
  failed: readonly string[];
}

const f1 = (x: number | null): string => (x === null ? '-' : x.toFixed(1));
const f2 = (x: number | null): string => (x === null ? '-' : x.toFixed(2));
const mb = (b: number): string => (b / 1e6).toFixed(1);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const perGb = (cost: number, bytes: number): string => (bytes > 0 ? (cost / (bytes / 1e9)).toFixed(2) : '-');

export function failoverText(r: RunFigures): string {
  if (r.failoverS === null) return r.failedProbes > 0 ? 'not until the link returned' : '-';
  if (r.failoverS === 0) return 'no outage seen';
  return `${r.failoverS.toFixed(2)} s`;
}

function eventText(sc: Scenario): string {
  const e = sc.event;
  if (!e) return sc.quotaGb ? `no event; the daemon's config gives wwan3 a quota of ${mb((sc.quotaGb.find((q) => q !== null) ?? 0) * 1e9)} MB` : 'no event';
  switch (e.kind) {
    case 'link':
      return `wwan${e.uplink} link down at ${e.atS} s, up at ${e.untilS} s`;
    case 'loss':
      return `wwan${e.uplink} drops every packet from ${e.atS} s to ${e.untilS} s, link up${sc.mwan3 ? ` (mwan3-style: to ${sc.mwan3.untilS} s of ${sc.mwan3.seconds} s, as its tracker needs about a minute)` : ''}`;
    case 'capacity':
      return `wwan${e.uplink} re-shaped to ${e.toMbit} Mbit/s at ${e.atS} s, back at ${e.untilS} s`;
    case 'power':
      return `power limit ${e.watts} W at ${e.atS} s`;
    case 'price':
      return `prices become ${e.prices.join(' / ')} per GB at ${e.atS} s`;
  }
}

export function bedReport(x: BedReportInput): string {
  const capacity = sum(x.links.map((l) => l.rateMbit));
  const t = x.traffic;
  const parts: string[] = [];
  const mwPerMbps = (wPerKbps: number): string => (wPerKbps * 1e6).toFixed(1);
  parts.push(`# Evaluation in the network-namespace test bed (issue 15, part 2)

Measured ${x.date} on ${x.machine}${x.quick ? ' (quick run)' : ''}; the whole run took ${x.minutes.toFixed(1)} min.
Command: \`${x.command}\` (as root; \`make bench-eval\` runs it after the simulation).
Every cell is one run (one sample): mwan3's random choice of uplinks, and the timing of TCP on shared queues, differ from run to run.
${x.failed.length ? `\nRuns that failed twice and are missing below: ${x.failed.join('; ')}.\n` : ''}${x.quick ? '\nQuick run: the loss phase is shorter than the minute mwan3track needs at its defaults, so the mwan3-style failover there only says it had not noticed; run without --quick for that figure.\n' : ''}
${headline(x)}Charts: [cost per GB](eval-bed-cost.svg), [bulk throughput](eval-bed-bulk.svg), [modelled power](eval-bed-energy.svg), [failover time](eval-bed-failover.svg), [broken connections](eval-bed-broken.svg).

## Set-up
Three uplinks of test/netns/testbed.sh, each direction shaped with htb (queue 50 packets). Power: the daemon's model (src/metrics/power-model.ts) for the RAT each modem stands for, given to modemflowd as its \`power_*\` options and used for every balancer's modelled energy:

${mdTable(
  ['uplink', 'rate', 'price / GB', 'loss', 'mwan3 weight', 'RAT (power model)', 'base W', 'tx mW/Mbps', 'rx mW/Mbps'],
  x.links.map((l, i) => [
    `wwan${l.uplink}`,
    `${l.rateMbit} Mbit/s`,
    String(l.pricePerGb),
    `${l.lossPct} %`,
    String(l.mwan3Weight),
    l.rat,
    x.coeffs[i]!.baseW.toFixed(3),
    mwPerMbps(x.coeffs[i]!.txWPerKbps),
    mwPerMbps(x.coeffs[i]!.rxWPerKbps),
  ]),
)}
Sum of capacities: ${capacity} Mbit/s down. ${x.netem ? '' : 'This kernel has no sch_netem: the uplinks have no added delay or jitter (RTTs below are queueing and processing only), and loss is a random drop in the operator namespace. '}A fresh bed for every run.

Traffic from the LAN namespace, the same for every balancer: ${t.hosts.calls.length} calls, one from each of ${t.hosts.calls.join(' and ')} (UDP port 16400, ${t.callBytes}-byte datagrams every ${t.callIntervalMs} ms, echoed by the server: RTT, jitter = mean |difference of consecutive RTTs|, loss = datagrams without echo; the figures are over both calls); a live video stream (TCP 1935, the streaming class by the built-in RTMP rule, ${(t.videoBitPerS / 1e6).toFixed(1)} Mbit/s sent in 100 ms slices whether or not the path keeps up; a player that starts with 2 s buffered, stalls when the buffer runs dry and resumes at 2 s again; after a broken connection it reconnects and gets the stream from then on); ${t.bulkConns} bulk downloads (TCP 9000, files of ${mb(t.bulkFileBytes)} MB one after another, each file a new connection, as fast as the path allows); web requests (TCP 80, ${t.webBytes / 1000} kB every ${t.webEveryMs} ms); and connection probes (a new TCP connection every ${t.probeEveryMs} ms, ${t.probeTimeoutMs} ms timeout) that measure failover. A broken connection is a bulk download, web request or video connection that had been answered and then failed or stalled (4 s bulk and video, 3 s web).

Modelled energy: per modem, base power for every second its uplink device was up (netifd's ifdown, and so the daemon's sleep, takes it down in the bed), plus W per kbps times the bits its device counters moved each way (1 s samples). mwan3-style and the single link keep all three modems up: mwan3 has no notion of power, and the single link keeps the others as the kernel's fallback routes.

Balancers:
- **modemflowd**: the router bundle (dist/modemflowd.js) in the router namespace with netifd's objects on the project's ubus broker (test/netns/fixtures/netifd.ts: a modem's \`down\` really takes its link down), probes every 0.5 s, prices, rates and power coefficients as above; netifd's ifdown/ifup event on link loss; \`set_power_limit\` and \`reload\` over ubus with the project's ubus client, as test/netns/daemon.test.ts talks to it. Traffic starts once it has applied its routing and has a full short probe window (10 probes, 5 s) on every modem: a router that has been running.
- **mwan3-style**: one policy over the three interfaces (equal metric, the weights above), done as mwan3 does it (net/mwan3 mwan3.sh, mwan3track) in nftables: per new LAN connection \`numgen random mod total\` with the weights picks a mark (mmx_mask 0x3F00), saved to and restored from the conntrack mark; \`ip rule fwmark\` per interface to its table, and an \`unreachable\` rule behind it. A tracker pings the server through each interface with mwan3track's defaults (count 1, timeout 4 s, interval 10 s, down 5, up 5, reliability 1); netifd's ifdown/ifup removes/re-adds the interface at once (mwan3's hotplug). It has no power limit, price or quota.
- **single link**: everything through wwan2, the cheapest link that carries the mix without loss (wwan3 is cheaper but loses 2 %, and the call would lose its class); the bed's main-table routes via the other uplinks stay behind it (metrics), so when wwan2's link goes the kernel falls back to them.

The bed has no SQM or priority queueing: a call shares each uplink's 50-packet FIFO with whatever bulk the balancer put on that uplink, so call loss and RTT mostly show whether a balancer keeps bulk off the call's link.

Scenarios (seconds of traffic; the first ${x.warmupS} s are warm-up and left out of the rates):

${mdTable(
  ['scenario', 'seconds', 'event'],
  x.scenarios.filter((sc) => x.runs.some((r) => r.key === sc.key)).map((sc) => [`${sc.name} (\`${sc.key}\`)`, String(sc.seconds), eventText(sc)]),
)}`);

  for (const sc of x.scenarios) {
    const rows = x.runs.filter((r) => r.key === sc.key);
    if (rows.length === 0) continue;
    const windowed = rows.some((r) => r.figures.bulkDuringEventMbps !== null);
    parts.push(`## ${sc.name}

${eventText(sc)}.

${mdTable(
  [
    'balancer',
    'bulk Mbit/s',
    '% of capacity',
    ...(windowed ? ['bulk during event'] : []),
    'call RTT mean / p95 ms',
    'call jitter ms',
    'call loss %',
    'call uplinks (per call)',
    'video delivered',
    'video start s / stalls (stalled s)',
    'web ok',
    'broken conns',
    ...(sc.event?.kind === 'link' || sc.event?.kind === 'loss' ? ['failover'] : []),
  ],
  rows.map((r) => {
    const f = r.figures;
    return [
      r.balancer,
      f1(f.bulkMbps),
      `${((f.bulkMbps / capacity) * 100).toFixed(0)} %`,
      ...(windowed ? [f1(f.bulkDuringEventMbps)] : []),
      `${f1(f.call.rttMeanMs)} / ${f1(f.call.rttP95Ms)}`,
      f1(f.call.jitterMs),
      f.call.lossPct.toFixed(2),
      f.call.uplinksByCall.map((u) => u.join(',') || '-').join(' / ') || '-',
      `${f.video.deliveredPct.toFixed(0)} %`,
      f.video.startS === null ? 'never started' : `${f.video.startS.toFixed(1)} / ${f.video.stalls} (${f.video.stalledS.toFixed(1)})`,
      `${f.webOk}/${f.webTotal}`,
      String(f.breaks),
      ...(sc.event?.kind === 'link' || sc.event?.kind === 'loss' ? [failoverText(f)] : []),
    ];
  }),
)}
${mdTable(
  ['balancer', 'MB per uplink (1/2/3)', 'data cost', 'cost / GB', 'modelled energy Wh', 'mean W', 'modem up s (1/2/3)'],
  rows.map((r) => [
    r.balancer,
    r.bytesByUplink.map(mb).join(' / '),
    r.cost.toFixed(3),
    perGb(r.cost, sum(r.bytesByUplink)),
    r.energy.totalWh.toFixed(4),
    r.energy.meanW.toFixed(2),
    r.energy.upSByUplink.map((s) => s.toFixed(0)).join(' / '),
  ]),
)}${scenarioExtra(sc, rows, x)}`);
  }
  parts.push(failoverSection(x));
  return parts.join('\n');
}

/** When the power stayed within the limit for good, in seconds after it was set. */
function withinText(l: BedRun['limit'], graceS: number): string {
  if (!l) return '-';
  return l.withinAfterS === null ? 'over to the end' : `within from ${(graceS + l.withinAfterS).toFixed(0)} s`;
}

function scenarioExtra(sc: Scenario, rows: readonly BedRun[], x: BedReportInput): string {
  const e = sc.event;
  if (e?.kind === 'power') {
    return `
Against the limit: the modelled power of all modems in each 1 s interval from ${x.limitGraceS} s after the limit was set (the daemon acts in its next decision cycle) to the end; "within the limit from": seconds after the limit was set from which every interval stayed within it.

${mdTable(
  ['balancer', 'limit W', 'mean W after', 'intervals over the limit', 'within the limit from', 'what the balancer did', 'its state at the end'],
  rows.map((r) => [r.balancer, String(r.limit?.limitW ?? '-'), f2(r.limit?.meanW ?? null), r.limit ? `${r.limit.overPct.toFixed(0)} %` : '-', withinText(r.limit, x.limitGraceS), r.eventNote ?? '-', r.endState || '-']),
)}`;
  }
  if (e?.kind === 'price') {
    return `
Before and after the change, each at the prices in force then (mwan3-style and the single link ignore prices; their cost changes only with the price):

${mdTable(
  ['balancer', 'MB before (1/2/3)', 'cost / GB before', 'MB after (1/2/3)', 'cost / GB after', 'what the balancer did'],
  rows.map((r) =>
    r.price
      ? [
          r.balancer,
          r.price.before.bytes.map(mb).join(' / '),
          perGb(r.price.before.cost, sum(r.price.before.bytes)),
          r.price.after.bytes.map(mb).join(' / '),
          perGb(r.price.after.cost, sum(r.price.after.bytes)),
          r.eventNote ?? '-',
        ]
      : [r.balancer, '-', '-', '-', '-', '-'],
  ),
)}`;
  }
  if (sc.quotaGb) {
    return `
The quota counts both directions from the bed's start (the daemon starts with no saved usage); "over" is what the SIM carried past it by the end of the run (mwan3-style and the single link have no quota and keep using the SIM):

${mdTable(
  ['balancer', 'quota MB', 'used MB', 'over quota MB', 'quota reached after', 'its state at the end'],
  rows.map((r) =>
    r.quota
      ? [
          r.balancer,
          `${mb(r.quota.quotaBytes)} (wwan${r.quota.uplink})`,
          mb(r.quota.usedBytes),
          mb(r.quota.overBytes),
          r.quota.reachedAfterMs === null ? 'not reached' : `${(r.quota.reachedAfterMs / 1000).toFixed(0)} s`,
          r.endState || '-',
        ]
      : [r.balancer, '-', '-', '-', '-', '-'],
  ),
)}`;
  }
  return '';
}

function failoverSection(x: BedReportInput): string {
  const failures = x.scenarios.filter((s) => (s.event?.kind === 'link' || s.event?.kind === 'loss') && x.runs.some((r) => r.key === s.key));
  if (failures.length === 0) return '';
  const bal = [...new Set(x.runs.map((r) => r.balancer))];
  return `## Failover time, per failure

Failover is measured from the failure to the start of the first connection probe after the last two probes in a row that failed (a lone failed probe happens on any saturated link, a dropped SYN, and is not counted as an outage), over the probes that could finish before the link came back. "no outage seen": no two probes in a row failed, i.e. new connections kept working throughout; "not until the link returned": the probes still failed when the failure ended. The two failures differ in what tells a balancer: a link that goes down is announced (netifd's ifdown, and the kernel drops the routes through the device, so even plain main-table routing falls back at once); 100 % loss on a link that stays up is silent, and only probing the path finds it (modemflowd: its own probes every 0.5 s; mwan3track: a ping every 10 s, offline after 5 failed in a row).

${mdTable(
  ['failure', ...bal],
  failures.map((sc) => [sc.name, ...bal.map((b) => {
    const r = x.runs.find((y) => y.key === sc.key && y.balancer === b);
    return r ? `${failoverText(r.figures)} (${r.figures.failedProbes} probes failed)` : '-';
  })]),
)}`;
}

/** The headline figures, one row per question, one column per balancer (README copies this table). */
export function headline(x: BedReportInput): string {
  const bal = [...new Set(x.runs.map((r) => r.balancer))];
  const capacity = sum(x.links.map((l) => l.rateMbit));
  const cell = (key: string, f: (r: BedRun) => string): string[] =>
    bal.map((b) => {
      const r = x.runs.find((y) => y.key === key && y.balancer === b);
      return r ? f(r) : '-';
    });
  const name = (key: string): string => x.scenarios.find((s) => s.key === key)?.name ?? key;
  const rows: string[][] = [];
  const has = (key: string): boolean => x.runs.some((r) => r.key === key);
  if (has('steady')) {
    rows.push([`steady: bulk Mbit/s (of ${capacity})`, ...cell('steady', (r) => `${f1(r.figures.bulkMbps)} (${((r.figures.bulkMbps / capacity) * 100).toFixed(0)} %)`)]);
    rows.push(['steady: call loss / mean RTT', ...cell('steady', (r) => `${r.figures.call.lossPct.toFixed(1)} % / ${f1(r.figures.call.rttMeanMs)} ms`)]);
    rows.push([
      'steady: video delivered, start, stalls',
      ...cell('steady', (r) => {
        const v = r.figures.video;
        return v.startS === null ? `${v.deliveredPct.toFixed(0)} %, never started` : `${v.deliveredPct.toFixed(0)} %, ${v.startS.toFixed(1)} s, ${v.stalls}`;
      }),
    ]);
    rows.push(['steady: data cost per GB', ...cell('steady', (r) => perGb(r.cost, sum(r.bytesByUplink)))]);
    rows.push(['steady: modelled modem power, mean W', ...cell('steady', (r) => r.energy.meanW.toFixed(2))]);
  }
  for (const key of ['link', 'loss']) if (has(key)) rows.push([`${name(key)}: broken connections, failover`, ...cell(key, (r) => `${r.figures.breaks}, ${failoverText(r.figures)}`)]);
  if (has('capacity')) rows.push([`${name('capacity')}: bulk Mbit/s during the drop`, ...cell('capacity', (r) => f1(r.figures.bulkDuringEventMbps))]);
  if (has('power')) rows.push([`${name('power')}: modelled W after it, intervals over, within the limit from`, ...cell('power', (r) => (r.limit ? `${r.limit.meanW.toFixed(2)} W, ${r.limit.overPct.toFixed(0)} %, ${withinText(r.limit, x.limitGraceS)}` : '-'))]);
  if (has('price')) rows.push([`${name('price')}: cost per GB before -> after`, ...cell('price', (r) => (r.price ? `${perGb(r.price.before.cost, sum(r.price.before.bytes))} -> ${perGb(r.price.after.cost, sum(r.price.after.bytes))}` : '-'))]);
  if (has('quota')) rows.push([`${name('quota')}: MB over the quota`, ...cell('quota', (r) => (r.quota ? mb(r.quota.overBytes) : '-'))]);
  return rows.length ? `\n## Headline (one run each)\n\n${mdTable(['', ...bal], rows)}\n` : '';
}
