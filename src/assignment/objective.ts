import type { TfapInstance } from '../model/tfap.js';

/** Economic cost per second, eq. 3.4: sum over active bearers of c_j x (up + down) of their flows. */
export function costPerSecond(inst: TfapInstance, activation: Record<string, string>, assignment: Record<string, string>): number {
  let total = 0;
  for (const f of inst.flows) {
    const ifId = assignment[f.id];
    if (ifId === undefined) continue;
    const b = bearerOf(inst, ifId, activation[ifId]);
    if (b) total += b.costPerKbit * (f.upKbps + f.downKbps);
  }
  return total;
}

/**
 * Power, eq. 3.5 (not 3.15, which swaps the coefficients): per interface that
 * serves flows, base + rx x downlink + tx x uplink.
 */
export function powerW(inst: TfapInstance, activation: Record<string, string>, assignment: Record<string, string>): number {
  const upByIf = new Map<string, number>();
  const downByIf = new Map<string, number>();
  for (const f of inst.flows) {
    const ifId = assignment[f.id];
    if (ifId === undefined) continue;
    upByIf.set(ifId, (upByIf.get(ifId) ?? 0) + f.upKbps);
    downByIf.set(ifId, (downByIf.get(ifId) ?? 0) + f.downKbps);
  }
  let total = 0;
  for (const [ifId, bearerId] of Object.entries(activation)) {
    const b = bearerOf(inst, ifId, bearerId);
    if (!b) continue;
    total += b.baseW + b.rxWPerKbps * (downByIf.get(ifId) ?? 0) + b.txWPerKbps * (upByIf.get(ifId) ?? 0);
  }
  return total;
}

function bearerOf(inst: TfapInstance, ifId: string, bearerId: string | undefined) {
  if (bearerId === undefined) return undefined;
  return inst.interfaces.find((r) => r.id === ifId)?.bearers.find((b) => b.id === bearerId);
}
