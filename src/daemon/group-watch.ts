import type { FlowGroup } from '../model/flow-group.js';

/** Demand must move this much (relative) since the last decision to ask for a new one. */
export const DEMAND_CHANGE = 0.25;

/**
 * Which flow-group updates are news for the decision: groups arriving or
 * ending, or the total demand moving past DEMAND_CHANGE since the last
 * decision; and since when each live group exists (for the API).
 */
export class GroupWatch {
  readonly since = new Map<string, number>();
  private decidedKey = '';
  private decidedDemandKbps = 0;

  /** The reason to decide again, or null. */
  changed(groups: readonly FlowGroup[]): string | null {
    const key = groupKey(groups);
    let demand = 0;
    for (const g of groups) demand += g.upKbps + g.downKbps;
    if (key !== this.decidedKey) {
      const before = new Set(this.decidedKey.split('\n'));
      const fresh = groups.filter((g) => !before.has(g.id));
      this.decidedKey = key;
      return fresh.length > 0 ? `new group ${fresh[0]!.id}${fresh.length > 1 ? ` (+${fresh.length - 1})` : ''}` : 'groups ended';
    }
    if (Math.abs(demand - this.decidedDemandKbps) > DEMAND_CHANGE * Math.max(this.decidedDemandKbps, 100)) {
      this.decidedDemandKbps = demand;
      return `demand now ${Math.round(demand)} kbit/s`;
    }
    return null;
  }

  /** A decision saw these groups and this demand. */
  decided(groups: readonly FlowGroup[], demandKbps: number, nowMs: number): void {
    const live = new Set(groups.map((g) => g.id));
    for (const id of [...this.since.keys()]) if (!live.has(id)) this.since.delete(id);
    for (const g of groups) if (!this.since.has(g.id)) this.since.set(g.id, nowMs);
    this.decidedKey = groupKey(groups);
    this.decidedDemandKbps = demandKbps;
  }
}

function groupKey(groups: readonly FlowGroup[]): string {
  return groups.map((g) => g.id).sort().join('\n');
}
