import { powerRange, solveExact } from '../../src/assignment/exact.js';
import { generateThesis, powerLimits } from '../../src/assignment/generate-thesis.js';
import type { Capacity, UseCase } from '../../src/assignment/generate-thesis.js';
import { solveHeuristic } from '../../src/assignment/heuristic.js';
import { Prng } from '../../src/assignment/prng.js';
import { QOS_RANK } from '../../src/model/qos.js';
import type { TfapInstance } from '../../src/model/tfap.js';

/**
 * Table 3.5 of the thesis (002) under two cost models: the generator's
 * independent uniform costs (src/assignment/generate-thesis.ts, unchanged),
 * and costs rising with the bearer's class and capacity, as the LS/RS
 * heuristic assumes (section 3.3.1): c = 1 + 9 x (class rank / 3 + capacity
 * share) / 2, plus uniform noise of +-0.5, kept in [1, 10] (our choice of
 * shape; the thesis names no formula). e_m and e_p of the thesis' LS/RS
 * against exact, over the 10 power limits of each instance.
 */

export type TableCostModel = 'independent' | 'rising';

export function withRisingCosts(inst: TfapInstance, seed: number): TfapInstance {
  const rng = new Prng(seed ^ 0x5eed);
  const caps = inst.interfaces.flatMap((r) => r.bearers.map((b) => b.downKbps));
  const lo = Math.min(...caps);
  const hi = Math.max(...caps);
  return {
    ...inst,
    interfaces: inst.interfaces.map((r) => ({
      ...r,
      bearers: r.bearers.map((b) => {
        const share = hi > lo ? (b.downKbps - lo) / (hi - lo) : 0.5;
        const c = 1 + (9 * (QOS_RANK[b.qos] / 3 + share)) / 2 + (rng.next() - 0.5);
        return { ...b, costPerKbit: Math.round(Math.min(10, Math.max(1, c)) * 100) / 100 };
      }),
    })),
  };
}

export interface TableRow {
  model: TableCostModel;
  useCase: UseCase;
  capacity: Capacity;
  instances: number;
  cases: number;
  emPct: number;
  epPct: number;
}

export async function runTable35(model: TableCostModel, useCase: UseCase, capacity: Capacity, instances: number, progress: (s: string) => void): Promise<TableRow> {
  const em: number[] = [];
  const ep: number[] = [];
  let used = 0;
  for (let seed = 1; used < instances && seed < instances * 20; seed++) {
    const base = generateThesis(useCase, capacity, seed);
    const inst = model === 'rising' ? withRisingCosts(base, seed) : base;
    const range = await powerRange(inst, { timeLimitS: 10 });
    if (!range) continue;
    used++;
    for (const limit of powerLimits(range.minPowerW, range.minCostPowerW)) {
      const li = { ...inst, powerLimitW: limit };
      const ex = await solveExact(li, { timeLimitS: 10 });
      const h = solveHeuristic(li, { variant: 'thesis' });
      if (ex.status !== 'ok' || h.status !== 'ok' || !ex.optimal || ex.costPerSecond <= 0) continue;
      em.push((100 * (h.costPerSecond - ex.costPerSecond)) / ex.costPerSecond);
      ep.push((100 * (h.powerW - ex.powerW)) / ex.powerW);
    }
    progress(`  Table 3.5 ${model} ${useCase},${capacity}: instance ${used}/${instances}`);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  return { model, useCase, capacity, instances: used, cases: em.length, emPct: mean(em), epPct: mean(ep) };
}
