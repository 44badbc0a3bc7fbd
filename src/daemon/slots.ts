import { MAX_MODEM_SLOTS } from '../model/mark-layout.js';

/**
 * Routing slots (1..15, the mark's modem field) per modem name. A modem keeps
 * its slot for the daemon's lifetime, across reloads, so connection marks
 * stay meaningful; a removed modem's slot is reused only after every other
 * free slot, so a quick remove-and-add does not reuse a slot whose
 * connections are still draining.
 */
export class SlotTable {
  private readonly byName = new Map<string, number>();
  /** Released slots, oldest release first. */
  private released: number[] = [];

  /** The slots for `names` (keeping existing ones); null for names beyond 15 modems. */
  assign(names: readonly string[]): Map<string, number | null> {
    const keep = new Set(names);
    for (const [name, slot] of this.byName) {
      if (!keep.has(name)) {
        this.byName.delete(name);
        this.released.push(slot);
      }
    }
    const used = new Set(this.byName.values());
    const out = new Map<string, number | null>();
    for (const name of names) {
      let slot = this.byName.get(name);
      if (slot === undefined) {
        slot = this.freeSlot(used);
        if (slot !== undefined) {
          this.byName.set(name, slot);
          used.add(slot);
          this.released = this.released.filter((s) => s !== slot);
        }
      }
      out.set(name, slot ?? null);
    }
    return out;
  }

  slotOf(name: string): number | null {
    return this.byName.get(name) ?? null;
  }

  nameOf(slot: number): string | null {
    for (const [n, s] of this.byName) if (s === slot) return n;
    return null;
  }

  private freeSlot(used: Set<number>): number | undefined {
    for (let s = 1; s <= MAX_MODEM_SLOTS; s++) if (!used.has(s) && !this.released.includes(s)) return s;
    return this.released.find((s) => !used.has(s));
  }
}
