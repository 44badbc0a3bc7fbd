import type { ModemView } from '../model/modem.js';
import type { InterfaceSpec } from '../model/tfap.js';
import type { Derating } from './types.js';

/**
 * Modems camped on the same operator and cell share that cell's capacity.
 * The patent (000, lines 434-438) gives one modem eta*lambda*W/N on a cell
 * with N active users and two modems of one user 2*eta*lambda*W/(N+1)
 * together; for k modems that is k*eta*lambda*W/(N+k-1), so each gets
 * N/(N+k-1) of what it would get alone.
 *
 * Modelled as a DERATING, not a joint constraint: the solver instance
 * (src/model/tfap.ts) has per-interface capacities only, and every solver
 * (heuristic and exact) can then stay unchanged. Each modem's estimate is
 * taken as its capacity when alone on the cell and multiplied by
 * N/(N+k-1). N (other active users) is not observable from the router, so it
 * is a setting; N = 1 (an empty cell, factor 1/k) never over-promises.
 */

/** Operator + cell, or null when either is unknown (no sharing is assumed then). */
export function cellKey(view: ModemView): string | null {
  const r = view.radio;
  if (!r || r.mcc === null || r.mnc === null || r.cellId === null) return null;
  return `${r.mcc}${r.mnc}:${r.cellId}`;
}

export function sharedCellFactor(modemsOnCell: number, assumedCellUsers: number): number {
  const n = Math.max(1, assumedCellUsers);
  const k = Math.max(1, modemsOnCell);
  return n / (n + k - 1);
}

export interface DeratedSet {
  interfaces: InterfaceSpec[];
  deratings: Derating[];
}

/** Derates the capacities of the offered interfaces where two or more share a cell. */
export function derateSharedCells(
  offered: Array<{ modem: string; view: ModemView; spec: InterfaceSpec }>,
  assumedCellUsers: number,
): DeratedSet {
  const groups = new Map<string, string[]>();
  for (const o of offered) {
    const key = cellKey(o.view);
    if (key === null) continue;
    groups.set(key, [...(groups.get(key) ?? []), o.modem]);
  }
  const deratings: Derating[] = [];
  const interfaces = offered.map((o) => {
    const key = cellKey(o.view);
    const members = key === null ? [] : groups.get(key)!;
    if (members.length < 2) return o.spec;
    const factor = sharedCellFactor(members.length, assumedCellUsers);
    deratings.push({
      modem: o.modem,
      interface: o.spec.id,
      cellKey: key!,
      sharedWith: members.filter((m) => m !== o.modem),
      factor,
    });
    return {
      id: o.spec.id,
      bearers: o.spec.bearers.map((b) => ({ ...b, upKbps: b.upKbps * factor, downKbps: b.downKbps * factor })),
    };
  });
  return { interfaces, deratings };
}
