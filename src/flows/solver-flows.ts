import type { FlowGroup } from '../model/flow-group.js';
import type { FlowSpec } from '../model/tfap.js';

/**
 * Flow groups as solver flows (src/model/tfap.ts). A group pinned by NAT
 * stays on the interface of its modem slot; when that slot has no interface
 * any more (the modem is gone) the pin is dropped so the group can move:
 * losing a modem moves its connections (DESIGN.md decision 1).
 */
export function toSolverFlows(groups: readonly FlowGroup[], slotToInterface: ReadonlyMap<number, string>): FlowSpec[] {
  return groups.map((g) => {
    const flow: FlowSpec = { id: g.id, upKbps: g.upKbps, downKbps: g.downKbps, qos: g.qos };
    const iface = g.pinnedByNat && g.currentSlot !== null ? slotToInterface.get(g.currentSlot) : undefined;
    if (iface !== undefined) flow.pinned = iface;
    return flow;
  });
}
