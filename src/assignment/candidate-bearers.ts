import type { Compiled } from './compiled.js';

/**
 * Bearers worth considering per interface: able to carry some flow, and not
 * dominated by another bearer of the same interface (at least as good in
 * QoS, both capacities, cost and all three power coefficients). Dropping a
 * dominated bearer never loses a better solution.
 */
export function candidateBearers(c: Compiled): Int32Array[] {
  return c.bearers.map((bs, i) => {
    const usable = bs.map((b, j) => ({ b, j })).filter(({ b }) => {
      for (let z = 0; z < c.v; z++) {
        if ((c.pin[z]! < 0 || c.pin[z] === i) && b.qos >= c.qos[z]! && c.up[z]! <= b.upKbps && c.down[z]! <= b.downKbps) return true;
      }
      return false;
    });
    const keep = usable.filter(({ b, j }) => !usable.some(({ b: o, j: k }) => {
      if (k === j) return false;
      const geq = o.qos >= b.qos && o.upKbps >= b.upKbps && o.downKbps >= b.downKbps && o.cost <= b.cost && o.baseW <= b.baseW && o.txW <= b.txW && o.rxW <= b.rxW;
      if (!geq) return false;
      const same = o.qos === b.qos && o.upKbps === b.upKbps && o.downKbps === b.downKbps && o.cost === b.cost && o.baseW === b.baseW && o.txW === b.txW && o.rxW === b.rxW;
      return !same || k < j; // of identical twins keep the first
    }));
    return Int32Array.from(keep.map(({ j }) => j));
  });
}
