/** bench/results/eval-bed.md from the bed runs. Pure: figures in, Markdown out. */
import type { BedLink } from './bed-balancers.js';
import { mdTable } from './bed-metrics.js';
import type { RunFigures } from './bed-metrics.js';
import type { TrafficOptions } from './bed-roles.js';

export interface BedRun {
  scenario: string;
  balancer: string;
  figures: RunFigures;
  bytesByUplink: number[];
  cost: number;
  bulkConnsByUplink: Record<string, number>;
}

export interface BedReportInput {
  date: string;
  machine: string;
  command: string;
  netem: boolean;
  links: readonly BedLink[];
  runs: readonly BedRun[];
  traffic: Omit<TrafficOptions, 'seconds'>;
  quick: boolean;
}

const f1 = (x: number | null): string => (x === null ? '-' : x.toFixed(1));
const mb = (b: number): string => (b / 1e6).toFixed(1);

export function failoverText(r: RunFigures): string {
  if (r.failoverS === null) return r.failedProbes > 0 ? 'not until the link returned' : '-';
  if (r.failoverS === 0) return 'no failed connection';
  return `${r.failoverS.toFixed(2)} s`;
}

export function bedReport(x: BedReportInput): string {
  const capacity = x.links.reduce((s, l) => s + l.rateMbit, 0);
  const t = x.traffic;
  const parts: string[] = [];
  parts.push(`# Evaluation in the network-namespace test bed (issue 15, part 2)

Measured ${x.date} on ${x.machine}${x.quick ? ' (quick run)' : ''}.
Command: \`${x.command}\` (as root; \`make bench-eval\` runs it after the simulation).
${x.quick ? '\nQuick run: the loss phase is shorter than the minute mwan3track needs at its defaults, so the mwan3-style failover there only says it had not noticed; run without --quick for that figure.\n' : ''}
## Set-up
Three uplinks of test/netns/testbed.sh, each direction shaped with htb (queue 50 packets):

${mdTable(
  ['uplink', 'rate', 'price / GB', 'loss', 'mwan3 weight'],
  x.links.map((l) => [`wwan${l.uplink}`, `${l.rateMbit} Mbit/s`, String(l.pricePerGb), `${l.lossPct} %`, String(l.mwan3Weight)]),
)}
Sum of capacities: ${capacity} Mbit/s down. ${x.netem ? '' : 'This kernel has no sch_netem: the uplinks have no added delay or jitter (RTTs below are queueing and processing only), and loss is a random drop in the operator namespace. '}A fresh bed for every run.

Traffic from the LAN namespace, the same for every balancer: a call (UDP port 16400, ${t.callBytes}-byte datagrams every ${t.callIntervalMs} ms, echoed by the server: RTT, jitter = mean |difference of consecutive RTTs|, loss = datagrams without echo); ${t.bulkConns} bulk downloads (TCP 9000, files of ${mb(t.bulkFileBytes)} MB one after another, each file a new connection, as fast as the path allows); web requests (TCP 80, ${t.webBytes / 1000} kB every ${t.webEveryMs} ms); and connection probes (a new TCP connection every ${t.probeEveryMs} ms, ${t.probeTimeoutMs} ms timeout) that measure failover: from the failure to the start of the first probe after the last two failed probes in a row (a lone failed probe happens on any saturated link, a dropped SYN, and is not counted as an outage). A broken connection is a bulk download or web request that had been answered and then failed or stalled (4 s bulk, 3 s web).

Balancers:
- **modemflowd**: the router bundle (dist/modemflowd.js) in the router namespace with netifd's objects on the project's ubus broker (test/netns/fixtures/netifd.ts), probes every 0.5 s, prices and rates as above; netifd's ifdown/ifup event on link loss.
- **mwan3-style**: one policy over the three interfaces (equal metric, the weights above), done as mwan3 does it (net/mwan3 mwan3.sh, mwan3track) in nftables: per new LAN connection \`numgen random mod total\` with the weights picks a mark (mmx_mask 0x3F00), saved to and restored from the conntrack mark; \`ip rule fwmark\` per interface to its table, and an \`unreachable\` rule behind it. A tracker pings the server through each interface with mwan3track's defaults (count 1, timeout 4 s, interval 10 s, down 5, up 5, reliability 1); netifd's ifdown/ifup removes/re-adds the interface at once (mwan3's hotplug).
- **single link**: everything through wwan2, the cheapest link that carries the mix without loss (wwan3 is cheaper but loses 2 %, and the call would lose its class); the bed's main-table routes via the other uplinks stay behind it (metrics), so when wwan2's link goes the kernel falls back to them.

The bed has no SQM or priority queueing: a call shares each uplink's 50-packet FIFO with whatever bulk the balancer put on that uplink, so call loss and RTT mostly show whether a balancer keeps bulk off the call's link. Each run is one sample (mwan3's random choice of the call's uplink differs from run to run).

Failures hit wwan2. "link down": the router-side device goes down (netifd sends ifdown) and comes back. "100 % loss": the operator drops every packet while the link stays up (a modem that has lost its data path), the case ping tracking is for.
`);

  const scenarios = [...new Set(x.runs.map((r) => r.scenario))];
  for (const sc of scenarios) {
    const rows = x.runs.filter((r) => r.scenario === sc);
    parts.push(`## ${sc}

${mdTable(
  ['balancer', 'bulk Mbit/s', '% of capacity', 'call RTT mean / p95 ms', 'call jitter ms', 'call loss %', 'call uplinks', 'web ok', 'broken conns', 'failover', 'MB per uplink (1/2/3)', 'data cost', 'cost / GB'],
  rows.map((r) => {
    const f = r.figures;
    const total = r.bytesByUplink.reduce((a, b) => a + b, 0);
    return [
      r.balancer,
      f1(f.bulkMbps),
      `${((f.bulkMbps / capacity) * 100).toFixed(0)} %`,
      `${f1(f.call.rttMeanMs)} / ${f1(f.call.rttP95Ms)}`,
      f1(f.call.jitterMs),
      f.call.lossPct.toFixed(2),
      f.call.uplinks.join(', ') || '-',
      `${f.webOk}/${f.webTotal}`,
      String(f.breaks),
      failoverText(f),
      r.bytesByUplink.map(mb).join(' / '),
      r.cost.toFixed(3),
      total > 0 ? (r.cost / (total / 1e9)).toFixed(2) : '-',
    ];
  }),
)}`);
  }
  return parts.join('\n');
}
