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
/** Runs (the first seeds) on which the two exact bounds run too: they cost two more HiGHS solves per event. */
const boundRuns = Math.min(runs, num('--bound-runs', runs));
/** Use cases of Table 3.5 (UC0..UC3). */
const useCases = (() => {
  const i = argv.indexOf('--use-cases');
  const list = i < 0 ? (quick ? ['UC0'] : ['UC0', 'UC1', 'UC2', 'UC3']) : (argv[i + 1] ?? '').split(',');
  for (const u of list) if (!['UC0', 'UC1', 'UC2', 'UC3'].includes(u)) throw new Error(`--use-cases: expected UC0..UC3 separated by commas, got '${u}'`);
  return list as UseCase[];
})();
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
const tableRows: TableRow[] = [];

/** Writes what has been measured so far (after each part: a long run that is cut short still leaves its figures). */
function writeReport(done: boolean): void {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const totalMin = ((clock() - t0) / 60000).toFixed(1);
  const md: string[] = [
    '# Evaluation, part 1: the thesis\' dynamic simulation',
    '',
    `Measured ${date} on ${machine}. Run: \`${command}\` (${totalMin} min${done ? '' : ', in progress: not every part has run yet'}${quick ? ', QUICK: fewer and shorter runs than the thesis\' 100 x 3 h' : ''}).`,
    '',
    'Set-up (thesis 002, section 3.4.2; bench/sim/): a vehicle router with 2 UMTS and 2 WLAN interfaces, 4 UMTS, 5 802.11a and 5 802.11b',
    'networks, 5 users with video conferences, FTP and HTTP sessions, each network\'s capacity a 7-state Markov chain. Chosen where the thesis',
    'gives no number: birth-death transition matrix, mean sojourn 60 s, capacity levels 10-100 % of nominal, nominal 384/1024/512 kbps',
    '(UMTS/11a/11b) x [0.75, 1.25], classes by state, P_max ' + POWER_LIMIT_W + ' W; 3GPP TR 25.892 traffic models as read in bench/sim/traffic.ts.',
    'Admission (every policy but mwan3, which knows no classes): a new flow its policy leaves unplaced or places below its class is refused,',
    'as in the thesis; a running flow that loses its class is left out (exact, LS/RS) or carried at the best class on offer (decide(): the daemon\'s rule).',
    'Policies: **exact** = HiGHS at every event (the thesis\' reference); **exact, same service** = the same, with what it leaves out carried at the best',
    'class on offer where there is room, as the daemon does, so both carry the same kind of traffic; **exact, pins kept** = `decide()` itself with',
    'HiGHS as its solver, a full solve at every event, no hysteresis, running TCP pinned: the least cost without breaking a connection (the fair bound);',
    '**modemflow** = `decide()` of src/assignment/dynamic-policy.ts as modemflowd runs it (hysteresis 0.05, full solve forced by the 60 s slow timer,',
    'the daemon\'s solver `daemonSolve` with its 200 ms budget, running TCP pinned to its interface and its network);',
    '**modemflow-unpinned** = no NAT pins; **LS/RS every event** = the thesis\' heuristic adopted at every event; **ALG_h** = LS/RS under the thesis\'',
    'conservative policy (line 1445); **ALG_u** = utility-based selection per class C, S, I, B (bench/sim/alg-u.ts) under the same policy;',
    '**mwan3-random** = per-connection weighted random (weights 1, 1, 2, 2), no network selection.',
    'Broken TCP = a running TCP flow whose public address changes (moved to another interface, or its interface attached to another network).',
    '',
  ];
  for (const r of simResults) {
    md.push(`## ${r.label} (${r.seeds.length} run(s) of ${(r.options.traffic.horizonS / 3600).toFixed(2)} h)`, '', ...simTable(r), '');
    const row = (p: string) => r.summaries.find((x) => x.policy === p);
    const same = row('exact, same service');
    const pins = row('exact, pins kept');
    const mf = row('modemflow');
    if (same && pins && mf) {
      md.push(
        `Where modemflow's ${f(mf.costPct)} % over exact comes from (on the ${pins.runs} run(s) with the bounds): carrying what exact refuses or leaves out, at the best class on offer, ${f(same.costPct)} %;` +
          ` then keeping running TCP where it is, ${f(pins.costVsSameServicePct)} % over that; then the daemon's policy and heuristic, ${f(mf.costVsPinsKeptPct)} % over exact with pins kept.`,
        '',
      );
    }
  }
  md.push('## Table 3.5 with both cost models (the thesis\' LS/RS against exact)', '');
  md.push('| cost model | experiment | instances | cases | e_m % | e_p % |', '|---|---|---|---|---|---|');
  for (const t of [...tableRows].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0))) md.push(`| ${t.model} | ${t.useCase}, ${t.capacity} | ${t.instances} | ${t.cases} | ${f(t.emPct)} | ${f(t.epPct)} |`);
  const avg = (m: string) => {
    const xs = tableRows.filter((t) => t.model === m && Number.isFinite(t.emPct)).map((t) => t.emPct);
    return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  };
  md.push('', `Mean e_m over the experiments run: independent ${f(avg('independent'))} %, rising ${f(avg('rising'))} % (thesis: 4-13 %).`, '');
  const inBand = (m: string) => tableRows.filter((t) => t.model === m && Number.isFinite(t.emPct) && t.emPct >= 4 && t.emPct <= 13).length;
  const rowsOf = (m: string) => tableRows.filter((t) => t.model === m && Number.isFinite(t.emPct)).length;
  md.push(`Experiments with e_m inside the thesis' 4-13 %: independent ${inBand('independent')} of ${rowsOf('independent')}, rising ${inBand('rising')} of ${rowsOf('rising')}.`, '');
  md.push('![cost and energy against exact](eval-sim-cost.svg)', '', '![redirections and handovers per minute](eval-sim-moves.svg)', '');
  md.push('## Part 2 (network-namespace test bed)', '', 'See [eval-bed.md](eval-bed.md) (`node dist/bench/eval-bed.js`).', '');
  writeFileSync(resolve(out, 'eval-sim.md'), md.join('\n'));
  // Every run's figures, so that other summaries can be drawn without running again.
  writeFileSync(resolve(out, 'eval-sim-raw.json'), JSON.stringify({ date, machine, command, powerLimitW: POWER_LIMIT_W, hours, results: simResults.map((r) => ({ label: r.label, raw: r.raw })), table35: tableRows }) + '\n');

  if (simResults.length > 0) {
    const main = simResults.slice(0, 2);
    const names = main[0]!.summaries.map((s) => s.policy).filter((p) => p !== 'exact');
    const pick = (r: SimEvalResult, p: string, k: 'costPct' | 'energyPct' | 'redirectionsPerMin' | 'handoversPerMin') => r.summaries.find((s) => s.policy === p)?.[k] ?? null;
    writeFileSync(
      resolve(out, 'eval-sim-cost.svg'),
      barChartSvg({
        title: `Cost and energy against exact (mean of ${main[0]!.seeds.length} run(s) of ${hours} h, ${date})`,
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
  }
  say(`wrote bench/results/eval-sim.md, eval-sim-cost.svg, eval-sim-moves.svg (${totalMin} min)`);
}

// Table 3.5 first: it is short, and the cost-model question needs it whatever the simulation's length.
const cases: [UseCase, Capacity, number][] = [];
for (const uc of useCases) {
  for (const cap of ['L', 'M', 'H'] as Capacity[]) cases.push([uc, cap, uc === 'UC3' ? Math.max(1, Math.round(instances / 2)) : instances]);
}
// Both cost models case by case, so that a run cut short still compares them on the same cases.
for (const [uc, cap, n] of cases) {
  for (const model of ['independent', 'rising'] as const) tableRows.push(await runTable35(model, uc, cap, n, say));
  writeReport(false);
}

// Seed by seed, both cost models in turn, the report rewritten after each: a run cut short keeps what it measured
// with as many runs of each cost model.
const models = ['rising', 'independent'] as const;
say(`simulation, cost models ${models.join(' and ')}: ${runs} run(s) of ${hours} h each, the exact bounds on the first ${boundRuns}`);
for (const seed of seeds) {
  for (const [k, costModel] of models.entries()) {
    const prior = simResults[k]?.raw ?? [];
    simResults[k] = await runSimEval(`${costModel} costs`, withHours({ ...DEFAULT_SCENARIO, costModel }, hours), [seed], POWER_LIMIT_W, say, clock, boundRuns, prior);
  }
  writeReport(false);
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
    simResults.push(await runSimEval(`rising costs, ${label}`, withHours({ ...DEFAULT_SCENARIO, ...over }, hours), few, POWER_LIMIT_W, say, clock, 0));
    writeReport(false);
  }
}

writeReport(true);
