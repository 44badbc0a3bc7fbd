import type { Highs } from 'highs';
import type { TfapAnswer, TfapInstance } from '../model/tfap.js';
import { compile, flowFitsAlone, type Compiled, unservableFlows } from './compiled.js';
import { State, toAnswer } from './state.js';

/**
 * Exact TFAP: the BIP of thesis 002 (eqs. 3.6-3.14, power per eq. 3.5)
 * solved with HiGHS (the `highs` npm package, WASM). `highs` is loaded here
 * and only here, by dynamic import, so the router bundle (which marks it
 * external) runs the heuristic without it.
 */

type HighsApi = Highs;
type Loader = () => Promise<HighsApi>;

let loading: Promise<HighsApi> | undefined;

/** Loads HiGHS once per process; rejects when the package is not installed. */
export function loadHighs(): Promise<HighsApi> {
  // The typings describe the CommonJS entry; the ESM entry exports the loader as default.
  loading ??= import('highs').then((mod: unknown) => {
    const m = mod as { default: Loader | { default: Loader } };
    const load = typeof m.default === 'function' ? m.default : m.default.default;
    return load();
  });
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

export interface ExactOptions {
  /** Wall-clock limit per HiGHS run, seconds (default 60). */
  timeLimitS?: number;
  /** Clock for solveMs (performance.now in the CLI); without it solveMs is 0. */
  now?: () => number;
  /** What to minimise: economic cost (the TFAP) or power (the thesis' TFAP_P). */
  objective?: 'cost' | 'power';
  /** Extra constraint C_M <= this (used to find the least-power min-cost solution). */
  maxCostPerSecond?: number;
  /** Ignore P_max (for the bounds of the power range). */
  ignorePowerLimit?: boolean;
  /** Add the disaggregated x <= y rows (default false: measured slower with HiGHS here). */
  linkRows?: boolean;
}

/** The exact answer carries whether optimality was proven and, if not, the proven bound. */
export interface ExactAnswer extends TfapAnswer {
  optimal: boolean;
  /** Proven lower bound on the objective (same units as the objective). */
  lowerBound?: number;
  /** HiGHS' own status text. */
  solverStatus: string;
}

interface Lp {
  /** False when some flow has no bearer at all: infeasible without asking HiGHS. */
  servable: boolean;
  text: string;
  /** x columns: name -> [interface, bearer, flow]. */
  xs: Map<string, [number, number, number]>;
  scale: number;
}

function num(n: number): string {
  // Shortest round-trip form; the HiGHS LP reader accepts exponents.
  return Object.is(n, -0) ? '0' : String(n);
}

function sum(terms: string[]): string {
  const lines: string[] = [];
  for (let k = 0; k < terms.length; k += 8) lines.push(terms.slice(k, k + 8).join(' + '));
  return lines.join('\n   + ');
}

function buildLp(c: Compiled, o: ExactOptions): Lp {
  const objective = o.objective ?? 'cost';
  const xs = new Map<string, [number, number, number]>();
  const perFlow: string[][] = Array.from({ length: c.v }, () => []);
  const objTerms: string[] = [];
  const powerTerms: string[] = [];
  const costTerms: string[] = [];
  const rows: string[] = [];
  const ys: string[] = [];
  // Objective scaled to ~1e6 so HiGHS' absolute gap tolerance is negligible.
  let span = 0;
  for (let i = 0; i < c.m; i++) {
    for (const b of c.bearers[i]!) {
      const per = objective === 'cost' ? b.cost * maxBw(c) : b.baseW + (b.txW + b.rxW) * maxBw(c);
      span = Math.max(span, per);
    }
  }
  const scale = span > 0 ? 1e6 / (span * Math.max(1, c.v)) : 1;
  for (let i = 0; i < c.m; i++) {
    const pick: string[] = [];
    c.bearers[i]!.forEach((b, j) => {
      const y = `y_${i}_${j}`;
      const upT: string[] = [];
      const downT: string[] = [];
      for (let z = 0; z < c.v; z++) {
        if (!flowFitsAlone(c, z, i, b)) continue;
        const x = `x_${i}_${j}_${z}`;
        xs.set(x, [i, j, z]);
        perFlow[z]!.push(x);
        const pz = b.txW * c.up[z]! + b.rxW * c.down[z]!;
        const cz = b.cost * c.bw[z]!;
        const oz = (objective === 'cost' ? cz : pz) * scale;
        if (oz !== 0) objTerms.push(`${num(oz)} ${x}`);
        if (pz !== 0) powerTerms.push(`${num(pz)} ${x}`);
        if (cz !== 0) costTerms.push(`${num(cz)} ${x}`);
        if (c.up[z]! > 0) upT.push(`${num(c.up[z]!)} ${x}`);
        if (c.down[z]! > 0) downT.push(`${num(c.down[z]!)} ${x}`);
        // Disaggregated link x <= y: a tighter relaxation than the capacity rows alone.
        if (o.linkRows ?? false) rows.push(`l_${i}_${j}_${z}: ${x} - ${y} <= 0`);
      }
      if (upT.length === 0 && downT.length === 0 && !xs.has(`x_${i}_${j}_0`) && !hasAny(xs, i, j)) return;
      ys.push(y);
      pick.push(y);
      if (objective === 'power' && b.baseW !== 0) objTerms.push(`${num(b.baseW * scale)} ${y}`);
      if (b.baseW !== 0) powerTerms.push(`${num(b.baseW)} ${y}`);
      if (upT.length > 0) rows.push(`u_${i}_${j}: ${sum(upT)} - ${num(b.upKbps)} ${y} <= 0`);
      if (downT.length > 0) rows.push(`d_${i}_${j}: ${sum(downT)} - ${num(b.downKbps)} ${y} <= 0`);
    });
    if (pick.length > 1) rows.push(`one_${i}: ${sum(pick)} <= 1`);
  }
  perFlow.forEach((terms, z) => rows.push(`f_${z}: ${sum(terms)} = 1`));
  if (!o.ignorePowerLimit && Number.isFinite(c.powerLimitW) && powerTerms.length > 0) {
    rows.push(`pmax: ${sum(powerTerms)} <= ${num(c.powerLimitW)}`);
  }
  if (o.maxCostPerSecond !== undefined && costTerms.length > 0) rows.push(`cmax: ${sum(costTerms)} <= ${num(o.maxCostPerSecond)}`);
  const cols = [...ys, ...xs.keys()];
  const text = [
    'Minimize',
    ` obj: ${objTerms.length > 0 ? sum(objTerms) : `0 ${cols[0]}`}`,
    'Subject To',
    ...rows.map((r) => ` ${r}`),
    'Binary',
    ...chunk(cols, 10).map((l) => ` ${l.join(' ')}`),
    'End',
    '',
  ].join('\n');
  return { servable: perFlow.every((t) => t.length > 0), text, xs, scale };
}

function hasAny(xs: Map<string, [number, number, number]>, i: number, j: number): boolean {
  const prefix = `x_${i}_${j}_`;
  for (const k of xs.keys()) if (k.startsWith(prefix)) return true;
  return false;
}

function maxBw(c: Compiled): number {
  let m = 0;
  for (let z = 0; z < c.v; z++) m = Math.max(m, c.bw[z]!);
  return m;
}

function chunk<T>(a: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < a.length; k += n) out.push(a.slice(k, k + n));
  return out;
}

/** One HiGHS run on the compiled instance; undefined state = no solution. */
async function run(c: Compiled, o: ExactOptions): Promise<{ state?: State; optimal: boolean; lowerBound?: number; status: string; infeasible: boolean }> {
  const highs = await loadHighs();
  const lp = buildLp(c, o);
  if (!lp.servable) return { optimal: true, status: 'infeasible', infeasible: true };
  return highs.withModel({ format: 'lp', data: lp.text }, (model) => {
    model.options.set({
      output_flag: false,
      time_limit: o.timeLimitS ?? 60,
      mip_rel_gap: 1e-6,
      mip_abs_gap: 1e-9,
    });
    try {
      model.run();
    } catch (err) {
      // A HiGHS failure is reported as "no solution", never as infeasibility.
      return { optimal: false, status: `HiGHS error: ${err instanceof Error ? err.message : String(err)}`, infeasible: false };
    }
    const code = model.getModelStatus();
    const k = highs.constants.modelStatus;
    const statusName = Object.entries(k).find(([, v]) => v === code)?.[0] ?? String(code);
    if (code === k.infeasible || code === k.unboundedOrInfeasible) return { optimal: false, status: statusName, infeasible: true };
    const sol = model.getSolution();
    const values = sol.colValue;
    const state = new State(c);
    let complete = values.length > 0;
    if (complete) {
      const picked = new Int32Array(c.v).fill(-1);
      for (let col = 0; col < values.length; col++) {
        if (values[col]! < 0.5) continue;
        const hit = lp.xs.get(model.getColName(col));
        if (!hit) continue;
        const [i, j, z] = hit;
        picked[z] = i;
        state.bearer[i] = j;
      }
      for (let z = 0; z < c.v; z++) {
        if (picked[z]! < 0) complete = false;
        else state.place(z, picked[z]!);
      }
      state.dropIdle();
    }
    const optimal = code === k.optimal;
    let lowerBound: number | undefined;
    if (!optimal) {
      const bound = Number(model.info.get('mip_dual_bound'));
      if (Number.isFinite(bound)) lowerBound = bound / lp.scale;
    }
    const base = { optimal, status: statusName, infeasible: false };
    if (!complete) return lowerBound === undefined ? base : { ...base, lowerBound };
    return lowerBound === undefined ? { ...base, state } : { ...base, state, lowerBound };
  });
}

/**
 * Solves the instance exactly (within the time limit). P_max that cannot be
 * met gives `over_power_limit` with the least-power assignment, as the
 * heuristic does. Rejects only when `highs` cannot be loaded.
 */
export async function solveExact(inst: TfapInstance, o: ExactOptions = {}): Promise<ExactAnswer> {
  const now = o.now ?? (() => 0);
  const t0 = now();
  const c = compile(inst);
  const done = (s: State, r: { optimal: boolean; lowerBound?: number; status: string }, reason?: string): ExactAnswer => {
    const ans = toAnswer(s, reason === undefined ? { method: 'exact', solveMs: now() - t0 } : { method: 'exact', solveMs: now() - t0, reason });
    const out: ExactAnswer = { ...ans, optimal: r.optimal, solverStatus: r.status };
    if (r.lowerBound !== undefined) out.lowerBound = r.lowerBound;
    return out;
  };
  const bad = unservableFlows(c);
  if (bad.length > 0) {
    return done(new State(c), { optimal: true, status: 'infeasible' }, `no bearer can carry flow(s) ${bad.map((z) => c.flowIds[z]).join(', ')} (QoS, capacity or pin)`);
  }
  if (c.v === 0) return done(new State(c), { optimal: true, status: 'empty' });
  const first = await run(c, o);
  if (first.state) return done(first.state, first);
  if (first.infeasible && Number.isFinite(c.powerLimitW) && !o.ignorePowerLimit && o.maxCostPerSecond === undefined) {
    // Infeasible with P_max: is it the power limit or the flows themselves?
    const least = await run(c, { ...o, objective: 'power', ignorePowerLimit: true });
    if (least.state) return done(least.state, least);
    if (!least.infeasible) return done(new State(c), least, `HiGHS stopped before finding any assignment (${least.status})`);
  }
  if (first.infeasible) return done(new State(c), { optimal: true, status: first.status }, 'no assignment serves every flow (capacity and QoS, proven by the exact solver)');
  return done(new State(c), first, `HiGHS stopped before finding any assignment (${first.status})`);
}

/** P_p and P_m of the thesis' set-up: least power overall, and least power among min-cost solutions. */
export async function powerRange(inst: TfapInstance, o: ExactOptions = {}): Promise<{ minPowerW: number; minCostPowerW: number; minCost: number } | undefined> {
  const c = compile({ ...inst, powerLimitW: null });
  const p = await run(c, { ...o, objective: 'power' });
  const m = await run(c, { ...o, objective: 'cost' });
  if (!p.state || !m.state) return undefined;
  const minCost = m.state.cost();
  const tie = await run(c, { ...o, objective: 'power', maxCostPerSecond: minCost * (1 + 1e-9) + 1e-12 });
  const mPower = tie.state ? Math.min(tie.state.power(), m.state.power()) : m.state.power();
  return { minPowerW: p.state.power(), minCostPowerW: mPower, minCost };
}
