// What one conntrack poll costs the daemon: parsing `conntrack -L -o extended,id`
// output, and updating connections, rates and flow groups, for 1 000 to 20 000
// connections (a busy home/office router holds a few thousand).
// Run: node build.mjs bench && node dist/bench/flows.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { DEFAULT_MARK_MASK, encodeMark, markLayout } from '../src/model/mark-layout.js';
import { compileClasses } from '../src/flows/classifier.js';
import { ConnectionTable } from '../src/flows/connection-table.js';
import { parseConntrackListing } from '../src/flows/conntrack-parser.js';
import { DEFAULT_OWN_GROUP_THRESHOLDS } from '../src/flows/grouping.js';
import { parsePrefix } from '../src/model/ip-address.js';

const layout = markLayout(DEFAULT_MARK_MASK)!;
const DPORTS = [443, 443, 443, 80, 53, 3478, 22, 51820, 8080, 5060];

/** A listing of n connections from 100 LAN hosts (a quarter IPv6), counters advanced to poll `p`. */
function listing(n: number, p: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const host = i % 100;
    const v6 = i % 4 === 0;
    const udp = i % 3 === 0;
    const src = v6 ? `fd00:1::${(host + 1).toString(16)}` : `192.168.1.${host + 2}`;
    const dst = v6 ? `2001:db8:${(i % 5000).toString(16)}::1` : `203.0.${(i >> 8) % 256}.${i % 256}`;
    const nat = v6 ? src : '100.64.0.2';
    const sport = 20000 + (i % 40000);
    const dport = DPORTS[i % DPORTS.length]!;
    const up = 1000 + p * (i % 50) * 100;
    const down = 5000 + p * (i % 50) * 1000;
    const mark = encodeMark(layout, 1 + (i % 3), 0);
    const l3 = v6 ? 'ipv6     10' : 'ipv4     2';
    const proto = udp ? 'udp      17 29' : 'tcp      6 431999 ESTABLISHED';
    lines.push(
      `${l3} ${proto} src=${src} dst=${dst} sport=${sport} dport=${dport} packets=${1 + p} bytes=${up} ` +
        `src=${dst} dst=${nat} sport=${dport} dport=${sport} packets=${1 + p} bytes=${down} ${udp ? '' : '[ASSURED] '}mark=${mark} use=1 id=${1_000_000 + i}`,
    );
  }
  return lines.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Row {
  n: number;
  parseMs: number;
  updateMs: number;
  totalMinMs: number;
  totalMedianMs: number;
  groups: number;
}

function bench(n: number, polls: number): Row {
  const table = new ConnectionTable(
    {
      classes: compileClasses([]),
      layout,
      grouping: { lanPrefixes: [parsePrefix('192.168.1.0/24')!, parsePrefix('fd00:1::/64')!], measureMinAgeS: 10, own: { ...DEFAULT_OWN_GROUP_THRESHOLDS } },
      rateWindowMs: 10_000,
      minRateSpanMs: 4000,
    },
    { layout, neighbours: new Map(), domainAddresses: new Map() },
  );
  const parseTimes: number[] = [];
  const updateTimes: number[] = [];
  let groups = 0;
  for (let p = 0; p < polls; p++) {
    const text = listing(n, p);
    const t0 = performance.now();
    const { entries } = parseConntrackListing(text);
    const t1 = performance.now();
    table.ingestListing(entries, p * 2000);
    groups = table.regroup(p * 2000).length;
    const t2 = performance.now();
    // The first polls create everything; the steady state is what repeats every poll.
    if (p >= 3) {
      parseTimes.push(t1 - t0);
      updateTimes.push(t2 - t1);
    }
  }
  const totals = parseTimes.map((x, i) => x + updateTimes[i]!);
  return { n, parseMs: median(parseTimes), updateMs: median(updateTimes), totalMinMs: Math.min(...totals), totalMedianMs: median(totals), groups };
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}`;
const loadBefore = loadavg()[0]!.toFixed(1);
bench(1000, 5); // warm-up
const rows = [1000, 5000, 10_000, 20_000].map((n) => bench(n, 23));
const loadAfter = loadavg()[0]!.toFixed(1);
const table = [
  '| connections | parse ms (median) | update+regroup ms (median) | total ms (median) | total ms (min) | groups |',
  '|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.n} | ${r.parseMs.toFixed(1)} | ${r.updateMs.toFixed(1)} | ${r.totalMedianMs.toFixed(1)} | ${r.totalMinMs.toFixed(1)} | ${r.groups} |`),
].join('\n');
const text = [
  '# flows: cost of one conntrack poll',
  '',
  `Machine: ${machine}; 1-minute load average ${loadBefore} before, ${loadAfter} after (a shared machine: the minimum is the better estimate of the cost itself).`,
  '',
  'Polls 4-23 of a steady state (counters advance every poll), 100 LAN hosts, a quarter IPv6, a third UDP.',
  'Excludes running `conntrack -L` itself. Command: `node build.mjs bench && node dist/bench/flows.js`',
  '',
  table,
  '',
].join('\n');
console.log(text);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/flows.md', text);
