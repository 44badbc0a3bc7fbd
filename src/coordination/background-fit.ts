import type { FlowSpec, TfapInstance } from '../model/tfap.js';

/**
 * Background demand under overload. The thesis' TFAP serves every flow at its
 * rate or has no solution; a background (B) group's rate is a wish (bulk TCP
 * takes what the link leaves), not a requirement. When the offered modems
 * cannot carry every group at its assumed rate, the movable background
 * groups share what the others leave, in proportion to what they want, so
 * that the solver still finds an assignment and places them cheapest first
 * instead of keeping a stale one ("fresh solve is infeasible" at every cycle).
 * Pinned groups and the other classes keep their rates: those are facts or
 * needs. Per direction; pure.
 */

/** What a squeezed background group is still assumed to want, kbit/s (it is placed somewhere). */
export const BACKGROUND_FLOOR_KBPS = 16;

export interface BackgroundFit {
  instance: TfapInstance;
  /** Factor applied to movable background demand, per direction (1: untouched). */
  downFactor: number;
  upFactor: number;
}

function isMovableBackground(f: FlowSpec): boolean {
  return f.qos === 'B' && f.pinned === undefined;
}

function factor(flows: readonly FlowSpec[], capacity: number, rate: (f: FlowSpec) => number): number {
  let fixed = 0;
  let elastic = 0;
  for (const f of flows) {
    if (isMovableBackground(f)) elastic += rate(f);
    else fixed += rate(f);
  }
  if (elastic <= 0 || fixed + elastic <= capacity) return 1;
  return Math.max(0, capacity - fixed) / elastic;
}

export function fitBackground(inst: TfapInstance): BackgroundFit {
  let downCap = 0;
  let upCap = 0;
  for (const r of inst.interfaces) {
    // An interface uses one bearer at a time: its largest is what it can offer at best.
    downCap += Math.max(0, ...r.bearers.map((b) => b.downKbps));
    upCap += Math.max(0, ...r.bearers.map((b) => b.upKbps));
  }
  const downFactor = factor(inst.flows, downCap, (f) => f.downKbps);
  const upFactor = factor(inst.flows, upCap, (f) => f.upKbps);
  if (downFactor === 1 && upFactor === 1) return { instance: inst, downFactor, upFactor };
  const squeeze = (kbps: number, k: number) => (k === 1 || kbps <= 0 ? kbps : Math.max(BACKGROUND_FLOOR_KBPS, kbps * k));
  const flows = inst.flows.map((f) =>
    isMovableBackground(f) ? { ...f, downKbps: squeeze(f.downKbps, downFactor), upKbps: squeeze(f.upKbps, upFactor) } : f,
  );
  return { instance: { ...inst, flows }, downFactor, upFactor };
}
