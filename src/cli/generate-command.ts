import { generateModern } from '../assignment/generate-modern.js';
import { CAPACITIES, generateThesis, powerLimits, USE_CASES, type Capacity, type UseCase } from '../assignment/generate-thesis.js';
import type { CliCommand } from './io.js';

const USAGE = `usage: modemflow generate --scenario UC0|UC1|UC2|UC3|modern [--capacity L|M|H] [--seed N]
                          [--power-level K]
Prints a random TFAP instance (JSON), the same one for the same arguments.
  --scenario   the thesis' use cases UC0-UC3 (Tables 3.2-3.4), or 'modern' (2-8 LTE/5G modems)
  --capacity   bearer capacity scenario of the thesis (required for UC0-UC3)
  --seed       default 1
  --power-level K (1-10): P_max = the K-th of 10 limits equally spaced between the least
               power of any assignment (K=1) and the power of the least-cost one (K=10),
               both computed exactly (needs the highs package). Without it P_max is null.
exit: 0 ok, 1 the instance has no feasible assignment (with --power-level), 2 bad usage,
      3 --power-level without the highs package.
`;

export const generateCommand: CliCommand = async (argv, io) => {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  let scenario: string | undefined;
  let capacity: string | undefined;
  let seed = 1;
  let level: number | undefined;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    const v = argv[k + 1];
    k++;
    if (a === '--scenario') scenario = v;
    else if (a === '--capacity') capacity = v;
    else if (a === '--seed') {
      if (v === undefined || !/^\d{1,9}$/.test(v)) return fail(`--seed: expected a whole number, got ${v ?? 'nothing'}`);
      seed = Number(v);
    } else if (a === '--power-level') {
      if (v === undefined || !/^(10|[1-9])$/.test(v)) return fail(`--power-level: expected 1-10, got ${v ?? 'nothing'}`);
      level = Number(v);
    } else return fail(`unknown argument ${a}`);
  }
  function fail(msg: string): number {
    io.stderr(`modemflow generate: ${msg}\n${USAGE}`);
    return 2;
  }
  let inst;
  if (scenario === 'modern') {
    if (capacity !== undefined) return fail('--capacity applies to UC0-UC3 only');
    inst = generateModern(seed);
  } else if (USE_CASES.includes(scenario as UseCase)) {
    if (!CAPACITIES.includes(capacity as Capacity)) return fail(`--capacity: expected L, M or H, got ${capacity ?? 'nothing'}`);
    inst = generateThesis(scenario as UseCase, capacity as Capacity, seed);
  } else {
    return fail(`--scenario: expected UC0, UC1, UC2, UC3 or modern, got ${scenario ?? 'nothing'}`);
  }
  if (level !== undefined) {
    let range;
    try {
      const { powerRange } = await import('../assignment/exact.js');
      range = await powerRange(inst, { timeLimitS: 60 });
    } catch (err) {
      io.stderr(`modemflow generate: --power-level needs the highs package: ${err instanceof Error ? err.message : String(err)}\n`);
      return 3;
    }
    if (!range) {
      io.stderr('modemflow generate: this instance has no assignment serving every flow; no power range (try another seed)\n');
      io.stdout(`${JSON.stringify(inst, null, 2)}\n`);
      return 1;
    }
    const limits = powerLimits(range.minPowerW, range.minCostPowerW);
    inst.powerLimitW = limits[Math.min(level, limits.length) - 1]!;
  }
  io.stdout(`${JSON.stringify(inst, null, 2)}\n`);
  return 0;
};
