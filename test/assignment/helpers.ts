// Shared helpers of the assignment tests (not a test file itself).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TfapInstance } from '../../src/model/tfap.js';
import { Prng } from '../../src/assignment/prng.js';
import { meetsQos, QOS_CLASSES } from '../../src/model/qos.js';

export function fixture(name: string): TfapInstance {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, 'fixtures', name), 'utf8')) as TfapInstance;
}

export const fixturePath = (name: string): string => resolve(import.meta.dirname, 'fixtures', name);

export interface BruteResult {
  /** Least cost among assignments within P_max, or undefined if none. */
  minCost?: number;
  /** Least power among assignments that serve every flow, or undefined if none. */
  minPowerW?: number;
}

/**
 * Brute force over every bearer choice per interface (or off) and every
 * flow -> interface map: the reference for tiny instances.
 */
export function bruteForce(inst: TfapInstance): BruteResult {
  const m = inst.interfaces.length;
  const v = inst.flows.length;
  const choice = new Array<number>(m).fill(-1);
  const where = new Array<number>(v).fill(0);
  const out: BruteResult = {};
  const limit = inst.powerLimitW ?? Infinity;
  const evalAssignment = (): void => {
    let cost = 0;
    let power = 0;
    const up = new Array<number>(m).fill(0);
    const down = new Array<number>(m).fill(0);
    const used = new Array<boolean>(m).fill(false);
    for (let z = 0; z < v; z++) {
      const f = inst.flows[z]!;
      const i = where[z]!;
      if (choice[i]! < 0) return;
      if (f.pinned !== undefined && f.pinned !== inst.interfaces[i]!.id) return;
      const b = inst.interfaces[i]!.bearers[choice[i]!]!;
      if (!meetsQos(b.qos, f.qos)) return;
      up[i]! += f.upKbps;
      down[i]! += f.downKbps;
      used[i] = true;
      cost += b.costPerKbit * (f.upKbps + f.downKbps);
    }
    for (let i = 0; i < m; i++) {
      if (choice[i]! < 0) continue;
      if (!used[i]) return; // idle but associated: same as off, counted there
      const b = inst.interfaces[i]!.bearers[choice[i]!]!;
      if (up[i]! > b.upKbps || down[i]! > b.downKbps) return;
      power += b.baseW + b.txWPerKbps * up[i]! + b.rxWPerKbps * down[i]!;
    }
    out.minPowerW = Math.min(out.minPowerW ?? Infinity, power);
    if (power <= limit + 1e-9 * Math.max(1, limit)) out.minCost = Math.min(out.minCost ?? Infinity, cost);
  };
  const flowsRec = (z: number): void => {
    if (z === v) return evalAssignment();
    for (let i = 0; i < m; i++) {
      where[z] = i;
      flowsRec(z + 1);
    }
  };
  const bearerRec = (i: number): void => {
    if (i === m) return flowsRec(0);
    for (let j = -1; j < inst.interfaces[i]!.bearers.length; j++) {
      choice[i] = j;
      bearerRec(i + 1);
    }
  };
  bearerRec(0);
  return out;
}

/** The tiny instances of seeds 1..count that have a feasible assignment, with their brute-force optimum. */
export function* feasibleTinyInstances(count = 60): Generator<{ seed: number; inst: TfapInstance; bf: BruteResult & { minPowerW: number } }> {
  for (let seed = 1; seed <= count; seed++) {
    const inst = tinyInstance(seed);
    const bf = bruteForce(inst);
    if (bf.minPowerW === undefined) continue;
    yield { seed, inst, bf: { ...bf, minPowerW: bf.minPowerW } };
  }
}

/** A tiny random instance for brute-force comparisons. */
export function tinyInstance(seed: number): TfapInstance {
  const rng = new Prng(seed);
  const m = rng.range(2, 3);
  const interfaces = Array.from({ length: m }, (_, i) => ({
    id: `if${i}`,
    bearers: Array.from({ length: rng.range(1, m === 2 ? 3 : 2) }, (_, j) => ({
      id: `b${j}`,
      qos: rng.pick(QOS_CLASSES),
      upKbps: rng.range(50, 400),
      downKbps: rng.range(50, 400),
      costPerKbit: rng.range(1, 9),
      baseW: rng.range(1, 20) / 10,
      txWPerKbps: rng.range(1, 10) / 1000,
      rxWPerKbps: rng.range(1, 10) / 1000,
    })),
  }));
  const v = rng.range(2, m === 2 ? 5 : 4);
  const flows = Array.from({ length: v }, (_, z) => ({
    id: `f${z}`,
    upKbps: rng.range(0, 150),
    downKbps: rng.range(0, 150),
    qos: rng.pick(QOS_CLASSES),
    ...(rng.next() < 0.15 ? { pinned: `if${rng.int(m)}` } : {}),
  }));
  return { powerLimitW: null, interfaces, flows };
}
