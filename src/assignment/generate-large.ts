import type { BearerSpec, FlowSpec, InterfaceSpec, TfapInstance } from '../model/tfap.js';
import { generateModern } from './generate-modern.js';

/**
 * Big instances for the scaling benchmark and the time-budget tests: any
 * number of interfaces, bearers per interface and flows, with the figures of
 * the modern generator (its bearers and flow groups are drawn from a stream
 * of modern instances, so the two stay alike). Flows are spread so that the
 * load needs about half of the interfaces' capacity at most, keeping most
 * instances feasible.
 */
export interface LargeShape {
  interfaces: number;
  bearersPerInterface: number;
  flows: number;
}

export function generateLarge(shape: LargeShape, seed: number): TfapInstance {
  const bearerPool: BearerSpec[] = [];
  const flowPool: FlowSpec[] = [];
  const needBearers = shape.interfaces * shape.bearersPerInterface;
  for (let k = 0; bearerPool.length < needBearers || flowPool.length < shape.flows; k++) {
    const inst = generateModern(seed * 100_003 + k);
    if (bearerPool.length < needBearers) for (const r of inst.interfaces) bearerPool.push(...r.bearers);
    if (flowPool.length < shape.flows) flowPool.push(...inst.flows);
  }
  const interfaces: InterfaceSpec[] = Array.from({ length: shape.interfaces }, (_, i) => ({
    id: `wwan${i}`,
    bearers: Array.from({ length: shape.bearersPerInterface }, (_, j) => ({ ...bearerPool[i * shape.bearersPerInterface + j]!, id: `b${j}` })),
  }));
  // Scale the flows so the total demand is about a quarter of the capacity on offer.
  let capDown = 0;
  let capUp = 0;
  for (const r of interfaces) {
    capDown += Math.max(...r.bearers.map((b) => b.downKbps));
    capUp += Math.max(...r.bearers.map((b) => b.upKbps));
  }
  let wantDown = 0;
  let wantUp = 0;
  for (let z = 0; z < shape.flows; z++) {
    wantDown += flowPool[z]!.downKbps;
    wantUp += flowPool[z]!.upKbps;
  }
  const scale = Math.min(1, (0.25 * capDown) / Math.max(1, wantDown), (0.25 * capUp) / Math.max(1, wantUp));
  const flows: FlowSpec[] = Array.from({ length: shape.flows }, (_, z) => {
    const f = flowPool[z]!;
    return { id: `f${z}`, upKbps: Math.max(1, Math.round(f.upKbps * scale)), downKbps: Math.max(1, Math.round(f.downKbps * scale)), qos: f.qos };
  });
  return { powerLimitW: null, interfaces, flows };
}
