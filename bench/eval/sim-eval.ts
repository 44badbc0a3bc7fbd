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

export function policies(seed: number): SimPolicy[] {
  return [
    everyEventPolicy('exact', (i) => solveExact(i, { timeLimitS: 10 })),
    modemflowPolicy({ hysteresis: DAEMON_HYSTERESIS, solve: daemonSolveNow, pinTcp: true }),
    modemflowPolicy({ name: 'modemflow+bearer-pin', hysteresis: DAEMON_HYSTERESIS, solve: daemonSolveNow, pinTcp: true, pinBearer: true }),
    modemflowPolicy({ name: 'modemflow-unpinned', hysteresis: DAEMON_HYSTERESIS, solve: daemonSolveNow, pinTcp: false }),
    everyEventPolicy('LS/RS every event', (i) => solveHeuristic(i, { variant: 'thesis' })),
    conservativePolicy('ALG_h (LS/RS, conservative)', (i) => solveHeuristic(i, { variant: 'thesis' })),
    conservativePolicy('ALG_u (conservative)', solveAlgU),
    mwan3Policy({ seed: seed * 7 + 5, weights: { umts0: 1, umts1: 1, wlan0: 2, wlan1: 2 } }),
  ];
}

export interface PolicySummary {
  policy: string;
  runs: number;
  costPct: number;
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

export async function runSimEval(label: string, options: ScenarioOptions, seeds: number[], powerLimitW: number | null, progress: (line: string) => void, clock: () => number): Promise<SimEvalResult> {
  const raw: RunFigures[] = [];
  const wall = new Map<string, number>();
  for (const [k, seed] of seeds.entries()) {
    const sc = makeScenario(seed, options);
    for (const p of policies(seed)) {
      const t0 = clock();
      let last = t0;
      const fig = await simulate(sc, p, {
        powerLimitW,
        onEvent: (done, total) => {
          const now = clock();
          if (now - last > 2000) {
            last = now;
            progress(`  ${label} run ${k + 1}/${seeds.length} ${p.name}: ${Math.round((100 * done) / total)}%`);
          }
        },
      });
      const s = (clock() - t0) / 1000;
      wall.set(p.name, (wall.get(p.name) ?? 0) + s);
      progress(`  ${label} run ${k + 1}/${seeds.length} (seed ${seed}) ${p.name}: ${s.toFixed(1)} s, ${fig.decisions} decisions`);
      raw.push(fig);
    }
  }
  const names = [...new Set(raw.map((r) => r.policy))];
  const bySeedExact = new Map(raw.filter((r) => r.policy === 'exact').map((r) => [r.seed, r]));
  const summaries = names.map((name): PolicySummary => {
    const rs = raw.filter((r) => r.policy === name);
    const pct = (f: (r: RunFigures) => number) =>
      mean(rs.flatMap((r) => {
        const e = bySeedExact.get(r.seed);
        return e && f(e) > 0 ? [(100 * (f(r) - f(e))) / f(e)] : [];
      }));
    return {
      policy: name,
      runs: rs.length,
      costPct: pct((r) => r.cost),
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
      wallS: (wall.get(name) ?? 0) / Math.max(1, rs.length),
    };
  });
  return { label, options, powerLimitW, seeds, summaries, raw };
}

function f(x: number, d = 2): string {
  return Number.isFinite(x) ? x.toFixed(d) : '-';
}

export function simTable(r: SimEvalResult): string[] {
  const lines = [
    `| policy | runs | cost vs exact % | energy vs exact % | redirections /min | handovers /min | broken TCP per run | refused % | unserved flow-s | time over P_max s (entries) | time over capacity s | flow-s below class | wall s per run |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of r.summaries) {
    lines.push(
      `| ${s.policy} | ${s.runs} | ${f(s.costPct)} | ${f(s.energyPct)} | ${f(s.redirectionsPerMin, 3)} | ${f(s.handoversPerMin, 3)} | ${f(s.brokenPerRun, 1)} | ${f(s.refusedPct)} | ${f(s.unservedFlowS, 0)} | ${f(s.overPowerS, 0)} (${f(s.powerViolations, 1)}) | ${f(s.overCapacityS, 0)} | ${f(s.belowClassFlowS, 0)} | ${f(s.wallS, 1)} |`,
    );
  }
  return lines;
}
