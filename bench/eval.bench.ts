// The evaluation of issue 15: (1) the thesis' dynamic simulation (002,
// section 3.4.2) with the exact solver, modemflow's daemon policy, the
// thesis' LS/RS and ALG_u and mwan3-style random balancing over the same
// events, under two cost models, and Table 3.5 under both cost models;
// (2) the network-namespace test bed (not built yet: see the report).
// Usage: node dist/bench/eval.js [--quick] [--runs N] [--hours H] [--instances N] [--no-sensitivity]
// (`make bench-eval`; QUICK=1 = --quick). Writes bench/results/eval-*.md and *.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Capacity, UseCase } from '../src/assignment/generate-thesis.js';
import { barChartSvg } from './eval/svg-bars.js';
import { runSimEval, simTable } from './eval/sim-eval.js';
import type { SimEvalResult } from './eval/sim-eval.js';
import { runTable35 } from './eval/table35.js';
import type { TableRow } from './eval/table35.js';
import { DEFAULT_SCENARIO } from './sim/events.js';
import type { ScenarioOptions } from './sim/events.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick') || process.env['QUICK'] === '1';
function num(flag: string, dflt: number): number {
  const i = argv.indexOf(flag);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!(v > 0)) throw new Error(`${flag}: expected a number > 0, got '${argv[i + 1]}'`);
  return v;
}
const runs = num('--runs', quick ? 2 : 100);
const hours = num('--hours', quick ? 0.25 : 3);
const instances = num('--instances', quick ? 2 : 5);
const sensitivity = !quick && !argv.includes('--no-sensitivity');
/** P_max of the simulation (chosen: the thesis names none; the exact reference draws about 1.2-1.3 W on average with these networks). */
const POWER_LIMIT_W = 1.5;

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, '../../bench/results');
mkdirSync(out, { recursive: true });
const clock = () => performance.now();
const t0 = clock();
const say = (s: string) => process.stdout.write(`[${((clock() - t0) / 1000).toFixed(0).padStart(5)} s] ${s}\n`);
const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const command = `node dist/bench/eval.js ${argv.join(' ')}${process.env['QUICK'] === '1' ? ' (QUICK=1)' : ''}`.trim();

const seeds = Array.from({ length: runs }, (_, k) => k + 1);
const withHours = (o: ScenarioOptions, h: number): ScenarioOptions => ({ ...o, traffic: { ...o.traffic, horizonS: Math.round(h * 3600) } });

const simResults: SimEvalResult[] = [];
for (const costModel of ['rising', 'independent'] as const) {
  say(`simulation, cost model ${costModel}: ${runs} run(s) of ${hours} h`);
  simResults.push(await runSimEval(`${costModel} costs`, withHours({ ...DEFAULT_SCENARIO, costModel }, hours), seeds, POWER_LIMIT_W, say, clock));
}
if (sensitivity) {
  const few = seeds.slice(0, Math.max(2, Math.round(runs / 10)));
  const variants: [string, Partial<ScenarioOptions>][] = [
    ['sojourn 20 s', { meanSojournS: 20 }],
    ['sojourn 180 s', { meanSojournS: 180 }],
    ['capacity x0.5', { capacityScale: 0.5 }],
    ['capacity x2', { capacityScale: 2 }],
    ['self-transitions 0.5', { stay: 0.5 }],
  ];
  for (const [label, over] of variants) {
    say(`sensitivity: ${label}, ${few.length} run(s) of ${hours} h`);
    simResults.push(await runSimEval(`rising costs, ${label}`, withHours({ ...DEFAULT_SCENARIO, ...over }, hours), few, POWER_LIMIT_W, say, clock));
  }
}

const tableRows: TableRow[] = [];
const cases: [UseCase, Capacity, number][] = [];
for (const uc of (quick ? ['UC0'] : ['UC0', 'UC1', 'UC2', 'UC3']) as UseCase[]) {
  for (const cap of ['L', 'M', 'H'] as Capacity[]) cases.push([uc, cap, uc === 'UC3' ? Math.max(1, Math.round(instances / 2)) : instances]);
}
for (const model of ['independent', 'rising'] as const) {
  for (const [uc, cap, n] of cases) tableRows.push(await runTable35(model, uc, cap, n, say));
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const totalMin = ((clock() - t0) / 60000).toFixed(1);
const md: string[] = [
  '# Evaluation, part 1: the thesis\' dynamic simulation',
  '',
  `Measured ${date} on ${machine}. Run: \`${command}\` (${totalMin} min${quick ? ', QUICK: fewer and shorter runs than the thesis\' 100 x 3 h' : ''}).`,
  '',
  'Set-up (thesis 002, section 3.4.2; bench/sim/): a vehicle router with 2 UMTS and 2 WLAN interfaces, 4 UMTS, 5 802.11a and 5 802.11b',
  'networks, 5 users with video conferences, FTP and HTTP sessions, each network\'s capacity a 7-state Markov chain. Chosen where the thesis',
  'gives no number: birth-death transition matrix, mean sojourn 60 s, capacity levels 10-100 % of nominal, nominal 384/1024/512 kbps',
  '(UMTS/11a/11b) x [0.75, 1.25], classes by state, P_max ' + POWER_LIMIT_W + ' W; 3GPP TR 25.892 traffic models as read in bench/sim/traffic.ts.',
  'Policies: **exact** = HiGHS at every event (reference); **modemflow** = `decide()` of src/assignment/dynamic-policy.ts as modemflowd runs it',
  '(hysteresis 0.05, full solve forced by the 60 s slow timer, solveHeuristic improved without a budget, running TCP pinned to its interface);',
  '**modemflow+bearer-pin** = the same with an interface carrying pinned TCP kept on its network by the simulator as well (decide() in the daemon now does this itself: splitPinned keeps the bearer of a pinned interface, so the two rows agree);',
  '**modemflow-unpinned** = no NAT pins; **LS/RS every event** = the thesis\' heuristic adopted at every event; **ALG_h** = LS/RS under the thesis\'',
  'conservative policy (line 1445); **ALG_u** = utility-based selection per class C, S, I, B (bench/sim/alg-u.ts) under the same policy;',
  '**mwan3-random** = per-connection weighted random (weights 1, 1, 2, 2), no network selection.',
  'Broken TCP = a running TCP flow whose public address changes (moved to another interface, or its interface attached to another network).',
  '',
];
for (const r of simResults) {
  md.push(`## ${r.label} (${r.seeds.length} run(s) of ${(r.options.traffic.horizonS / 3600).toFixed(2)} h)`, '', ...simTable(r), '');
}
md.push('## Table 3.5 with both cost models (the thesis\' LS/RS against exact)', '');
md.push('| cost model | experiment | instances | cases | e_m % | e_p % |', '|---|---|---|---|---|---|');
for (const t of tableRows) md.push(`| ${t.model} | ${t.useCase}, ${t.capacity} | ${t.instances} | ${t.cases} | ${f(t.emPct)} | ${f(t.epPct)} |`);
const avg = (m: string) => {
  const xs = tableRows.filter((t) => t.model === m && Number.isFinite(t.emPct)).map((t) => t.emPct);
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
};
md.push('', `Mean e_m over the experiments run: independent ${f(avg('independent'))} %, rising ${f(avg('rising'))} % (thesis: 4-13 %).`, '');
md.push('![cost and energy against exact](eval-sim-cost.svg)', '', '![redirections and handovers per minute](eval-sim-moves.svg)', '');
md.push('## Part 2 (network-namespace test bed)', '', 'Not measured yet: see the README\'s evaluation section.', '');
writeFileSync(resolve(out, 'eval-sim.md'), md.join('\n'));

const main = simResults.slice(0, 2);
const names = main[0]!.summaries.map((s) => s.policy).filter((p) => p !== 'exact');
const pick = (r: SimEvalResult, p: string, k: 'costPct' | 'energyPct' | 'redirectionsPerMin' | 'handoversPerMin') => r.summaries.find((s) => s.policy === p)?.[k] ?? null;
writeFileSync(
  resolve(out, 'eval-sim-cost.svg'),
  barChartSvg({
    title: `Cost and energy against exact (mean of ${runs} run(s) of ${hours} h, ${date})`,
    unit: '% vs exact',
    groups: names,
    series: main.flatMap((r) => [
      { name: `cost, ${r.label}`, values: names.map((p) => pick(r, p, 'costPct')) },
      { name: `energy, ${r.label}`, values: names.map((p) => pick(r, p, 'energyPct')) },
    ]),
  }),
);
const allNames = main[0]!.summaries.map((s) => s.policy);
writeFileSync(
  resolve(out, 'eval-sim-moves.svg'),
  barChartSvg({
    title: `Flow redirections and horizontal handovers per minute (${main[0]!.label})`,
    unit: 'per minute',
    groups: allNames,
    series: [
      { name: 'redirections', values: allNames.map((p) => pick(main[0]!, p, 'redirectionsPerMin')) },
      { name: 'handovers', values: allNames.map((p) => pick(main[0]!, p, 'handoversPerMin')) },
    ],
  }),
);
say(`wrote bench/results/eval-sim.md, eval-sim-cost.svg, eval-sim-moves.svg (${totalMin} min)`);
say('part 2 (test bed): not implemented in this version; nothing measured.');
