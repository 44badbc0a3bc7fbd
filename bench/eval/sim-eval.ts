import { solveExact } from '../../src/assignment/exact.js';
import { solveHeuristic } from '../../src/assignment/heuristic.js';
import { daemonSolve } from '../../src/daemon/solver.js';
import { solveAlgU } from '../sim/alg-u.js';
import { makeScenario } from '../sim/events.js';
import type { ScenarioOptions } from '../sim/events.js';
import { conservativePolicy, everyEventPolicy, modemflowPolicy, mwan3Policy } from '../sim/policies.js';
import { simulate } from '../sim/simulate.js';
import type { RunFigures, SimPolicy } from '../sim/simulate.js';

/**
 * Part 1 of the evaluation: the thesis' dynamic simulation (002, 3.4.2),
 * every policy over the same events of each seed, the exact solver at every
 * event as the reference. Figures per policy: mean over runs of the percent
 * cost and energy against exact (the thesis' Figure 3.9), redirections and
 * handovers per minute (Figure 3.10), and ours.
 */

/** The daemon's defaults: option hysteresis 0.05, option solve_interval 60 s (src/config/schema.ts). */
export const DAEMON_HYSTERESIS = 0.05;

/** The daemon's own solver (src/daemon/solver.ts), with its time budget on the wall clock. */
const daemonSolveNow = (inst: Parameters<typeof solveHeuristic>[0]) => daemonSolve(inst, () => performance.now());

const exact = (i: Parameters<typeof solveHeuristic>[0]) => solveExact(i, { timeLimitS: 10 });

/** The rows that need HiGHS more than once per event (run on fewer seeds when time is short). */
export const BOUND_ROWS = ['exact, same service', 'exact, pins kept'];

/**
 * Every policy of the comparison. The two bounds: 'exact, same service' =
 * exact at every event, with what it leaves out placed at the best class on
 * offer (the daemon's service rule, so both carry the same traffic);
 * 'exact, pins kept' = decide() itself with HiGHS as its solver, a full
 * solve at every event and no hysteresis: the least cost any policy can
 * reach without moving a running TCP connection (the fair bound for modemflow).
 */
export function policies(seed: number, bounds = true): SimPolicy[] {
  const all = [
    everyEventPolicy('exact', exact),
    everyEventPolicy('exact, same service', exact, true),
    modemflowPolicy({ name: 'exact, pins kept', hysteresis: 0, solve: exact, pinTcp: true, fullEveryEvent: true }),
    modemflowPolicy({ hysteresis: DAEMON_HYSTERESIS, solve: daemonSolveNow, pinTcp: true }),
    modemflowPolicy({ name: 'modemflow-unpinned', hysteresis: DAEMON_HYSTERESIS, solve: daemonSolveNow, pinTcp: false }),
    everyEventPolicy('LS/RS every event', (i) => solveHeuristic(i, { variant: 'thesis' })),
    conservativePolicy('ALG_h (LS/RS, conservative)', (i) => solveHeuristic(i, { variant: 'thesis' })),
    conservativePolicy('ALG_u (conservative)', solveAlgU),
    mwan3Policy({ seed: seed * 7 + 5, weights: { umts0: 1, umts1: 1, wlan0: 2, wlan1: 2 } }),
  ];
  return bounds ? all : all.filter((p) => !BOUND_ROWS.includes(p.name));
}

export interface PolicySummary {
  policy: string;
  runs: number;
  costPct: number;
  /** Half-width of the 95 % confidence interval of costPct (normal approximation over runs). */
  costCiPct: number;
  /** Against the bounds, on the seeds they ran (NaN when they did not). */
  costVsSameServicePct: number;
  costVsPinsKeptPct: number;
  carriedPct: number;
  /** Cost per kbit carried against exact's (the policies do not carry the same traffic: refusals differ). */
  costPerKbitPct: number;
  energyPct: number;
  redirectionsPerMin: number;
  handoversPerMin: number;
  brokenPerRun: number;
  refusedPct: number;
  unservedFlowS: number;
  overPowerS: number;
  powerViolations: number;
  overCapacityS: number;
  belowClassFlowS: number;
  wallS: number;
}

export interface SimEvalResult {
  label: string;
  options: ScenarioOptions;
  powerLimitW: number | null;
  seeds: number[];
  summaries: PolicySummary[];
  raw: RunFigures[];
}

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * `boundRuns`: seeds up to this one run the bound rows too. `prior`: runs
 * already measured (of other seeds), summarised with these: a long
 * evaluation goes seed by seed and can be cut short with what it has.
 */
export async function runSimEval(
  label: string,
  options: ScenarioOptions,
  seeds: number[],
  powerLimitW: number | null,
  progress: (line: string) => void,
  clock: () => number,
  boundRuns = Infinity,
  prior: readonly RunFigures[] = [],
): Promise<SimEvalResult> {
  const raw: RunFigures[] = [...prior];
  for (const seed of seeds) {
    const sc = makeScenario(seed, options);
    for (const p of policies(seed, seed <= boundRuns)) {
      const t0 = clock();
      let last = t0;
      const fig = await simulate(sc, p, {
        powerLimitW,
        onEvent: (done, total) => {
          const now = clock();
          if (now - last > 2000) {
            last = now;
            progress(`  ${label} seed ${seed} ${p.name}: ${Math.round((100 * done) / total)}%`);
          }
        },
      });
      const s = (clock() - t0) / 1000;
      fig.wallS = s;
      progress(`  ${label} seed ${seed} ${p.name}: ${s.toFixed(1)} s, ${fig.decisions} decisions`);
      raw.push(fig);
    }
  }
  const names = [...new Set(raw.map((r) => r.policy))];
  const bySeed = (policy: string) => new Map(raw.filter((r) => r.policy === policy).map((r) => [r.seed, r]));
  const refs = { exact: bySeed('exact'), same: bySeed(BOUND_ROWS[0]!), pins: bySeed(BOUND_ROWS[1]!) };
  const summaries = names.map((name): PolicySummary => {
    const rs = raw.filter((r) => r.policy === name);
    const pcts = (f: (r: RunFigures) => number, ref = refs.exact) =>
      rs.flatMap((r) => {
        const e = ref.get(r.seed);
        return e && f(e) > 0 ? [(100 * (f(r) - f(e))) / f(e)] : [];
      });
    const pct = (f: (r: RunFigures) => number, ref = refs.exact) => mean(pcts(f, ref));
    const costs = pcts((r) => r.cost);
    const sd = Math.sqrt(mean(costs.map((x) => (x - mean(costs)) ** 2)) * (costs.length / Math.max(1, costs.length - 1)));
    return {
      policy: name,
      runs: rs.length,
      costPct: pct((r) => r.cost),
      costCiPct: costs.length > 1 ? (1.96 * sd) / Math.sqrt(costs.length) : NaN,
      costVsSameServicePct: pct((r) => r.cost, refs.same),
      costVsPinsKeptPct: pct((r) => r.cost, refs.pins),
      carriedPct: pct((r) => r.carriedKbit),
      costPerKbitPct: pct((r) => (r.carriedKbit > 0 ? r.cost / r.carriedKbit : 0)),
      energyPct: pct((r) => r.energyJ),
      redirectionsPerMin: mean(rs.map((r) => r.redirections / r.minutes)),
      handoversPerMin: mean(rs.map((r) => r.handovers / r.minutes)),
      brokenPerRun: mean(rs.map((r) => r.broken)),
      refusedPct: mean(rs.map((r) => (100 * r.refused) / Math.max(1, r.flowsOffered))),
      unservedFlowS: mean(rs.map((r) => r.unservedFlowS)),
      overPowerS: mean(rs.map((r) => r.overPowerS)),
      powerViolations: mean(rs.map((r) => r.powerViolations)),
      overCapacityS: mean(rs.map((r) => r.overCapacityS)),
      belowClassFlowS: mean(rs.map((r) => r.belowClassFlowS)),
      wallS: mean(rs.map((r) => r.wallS)),
    };
  });
  return { label, options, powerLimitW, seeds: [...new Set(raw.map((r) => r.seed))], summaries, raw };
}

function f(x: number, d = 2): string {
  return Number.isFinite(x) ? x.toFixed(d) : '-';
}

export function simTable(r: SimEvalResult): string[] {
  const lines = [
    `| policy | runs | cost vs exact % (95 % CI) | cost vs exact, same service % | cost vs exact, pins kept % | traffic carried vs exact % | cost per kbit vs exact % | energy vs exact % | redirections /min | handovers /min | broken TCP per run | refused % | unserved flow-s | time over P_max s (entries) | time over capacity s | flow-s below class | wall s per run |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of r.summaries) {
    lines.push(
      `| ${s.policy} | ${s.runs} | ${f(s.costPct)}${Number.isFinite(s.costCiPct) ? ` ± ${f(s.costCiPct)}` : ''} | ${f(s.costVsSameServicePct)} | ${f(s.costVsPinsKeptPct)} | ${f(s.carriedPct)} | ${f(s.costPerKbitPct)} | ${f(s.energyPct)} | ${f(s.redirectionsPerMin, 3)} | ${f(s.handoversPerMin, 3)} | ${f(s.brokenPerRun, 1)} | ${f(s.refusedPct)} | ${f(s.unservedFlowS, 0)} | ${f(s.overPowerS, 0)} (${f(s.powerViolations, 1)}) | ${f(s.overCapacityS, 0)} | ${f(s.belowClassFlowS, 0)} | ${f(s.wallS, 1)} |`,
    );
  }
  return lines;
}
