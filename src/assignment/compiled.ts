import { QOS_RANK } from '../model/qos.js';
import type { TfapInstance } from '../model/tfap.js';

/** A bearer in the numeric form the solvers work on. */
export interface CBearer {
  readonly id: string;
  readonly qos: number;
  readonly upKbps: number;
  readonly downKbps: number;
  readonly cost: number;
  readonly baseW: number;
  readonly txW: number;
  readonly rxW: number;
}

/** An instance indexed for fast evaluation: interfaces 0..m-1, flows 0..v-1. */
export interface Compiled {
  readonly m: number;
  readonly v: number;
  readonly ifIds: readonly string[];
  readonly flowIds: readonly string[];
  readonly bearers: readonly (readonly CBearer[])[];
  readonly up: Float64Array;
  readonly down: Float64Array;
  /** up + down, the volume eq. 3.4 charges for. */
  readonly bw: Float64Array;
  readonly qos: Int8Array;
  /** Interface index a flow is pinned to, or -1. */
  readonly pin: Int32Array;
  /** P_max; Infinity when unbounded. */
  readonly powerLimitW: number;
}

export function compile(inst: TfapInstance): Compiled {
  const ifIndex = new Map(inst.interfaces.map((r, i) => [r.id, i]));
  const v = inst.flows.length;
  const up = new Float64Array(v);
  const down = new Float64Array(v);
  const bw = new Float64Array(v);
  const qos = new Int8Array(v);
  const pin = new Int32Array(v).fill(-1);
  inst.flows.forEach((f, z) => {
    up[z] = f.upKbps;
    down[z] = f.downKbps;
    bw[z] = f.upKbps + f.downKbps;
    qos[z] = QOS_RANK[f.qos];
    if (f.pinned !== undefined) pin[z] = ifIndex.get(f.pinned) ?? -1;
  });
  return {
    m: inst.interfaces.length,
    v,
    ifIds: inst.interfaces.map((r) => r.id),
    flowIds: inst.flows.map((f) => f.id),
    bearers: inst.interfaces.map((r) =>
      r.bearers.map((b) => ({
        id: b.id,
        qos: QOS_RANK[b.qos],
        upKbps: b.upKbps,
        downKbps: b.downKbps,
        cost: b.costPerKbit,
        baseW: b.baseW,
        txW: b.txWPerKbps,
        rxW: b.rxWPerKbps,
      })),
    ),
    up,
    down,
    bw,
    qos,
    pin,
    powerLimitW: inst.powerLimitW ?? Infinity,
  };
}

/** Relative tolerance when comparing power against P_max (sums of floats). */
export const POWER_EPS = 1e-9;

export function withinPowerLimit(powerW: number, limitW: number): boolean {
  return powerW <= limitW + POWER_EPS * Math.max(1, Math.abs(limitW));
}

/** True when flow z could ride bearer b on interface i alone (QoS, capacity, pin). */
export function flowFitsAlone(c: Compiled, z: number, i: number, b: CBearer): boolean {
  return (c.pin[z]! < 0 || c.pin[z] === i) && b.qos >= c.qos[z]! && c.up[z]! <= b.upKbps && c.down[z]! <= b.downKbps;
}

/** Flows that no bearer of any allowed interface can carry even alone. */
export function unservableFlows(c: Compiled): number[] {
  const out: number[] = [];
  for (let z = 0; z < c.v; z++) {
    let ok = false;
    for (let i = 0; i < c.m && !ok; i++) for (const b of c.bearers[i]!) if (flowFitsAlone(c, z, i, b)) { ok = true; break; }
    if (!ok) out.push(z);
  }
  return out;
}
