import type { CBearer, Compiled } from './compiled.js';

/**
 * Dominance pruning of the bearers of each interface. Bearer o dominates b
 * when it carries everything b carries (QoS class and both capacities at
 * least b's) and is no worse on every criterion that counts: cost and/or the
 * three power coefficients. Replacing a dominated bearer by its dominator
 * keeps a solution feasible and no worse, so a search restricted to the
 * remaining bearers keeps an optimum. For the least-power search cost does
 * not count; for the least-cost search power does not.
 */
export interface Criteria {
  cost: boolean;
  power: boolean;
}

/** True when bearer b could carry flow z alone (pin, class, capacity). */
function carriesSome(c: Compiled, i: number, b: CBearer): boolean {
  for (let z = 0; z < c.v; z++) {
    if ((c.pin[z]! < 0 || c.pin[z] === i) && b.qos >= c.qos[z]! && c.up[z]! <= b.upKbps && c.down[z]! <= b.downKbps) return true;
  }
  return false;
}

/** Is o at least as good as b for the given criteria? */
export function atLeastAsGood(o: CBearer, b: CBearer, k: Criteria): boolean {
  if (o.qos < b.qos || o.upKbps < b.upKbps || o.downKbps < b.downKbps) return false;
  if (k.cost && o.cost > b.cost) return false;
  if (k.power && (o.baseW > b.baseW || o.txW > b.txW || o.rxW > b.rxW)) return false;
  return true;
}

/**
 * Indices of the non-dominated bearers of each interface that can carry at
 * least one flow. Of mutually dominating bearers (equal on all criteria that
 * count) the first kept one wins, preferring the cheaper one, then the more
 * frugal one, so a tie on the criteria still leans the right way.
 */
export function nonDominated(c: Compiled, k: Criteria): Int32Array[] {
  return c.bearers.map((bs, i) => {
    const usable: number[] = [];
    for (let j = 0; j < bs.length; j++) if (carriesSome(c, i, bs[j]!)) usable.push(j);
    // Order: better secondary figures first, so among equals the earlier one is kept.
    const pw = (b: CBearer) => b.baseW + b.txW + b.rxW;
    usable.sort((x, y) => bs[x]!.cost - bs[y]!.cost || pw(bs[x]!) - pw(bs[y]!) || x - y);
    const keep: number[] = [];
    for (let a = 0; a < usable.length; a++) {
      const b = bs[usable[a]!]!;
      let dominated = false;
      for (let o = 0; o < usable.length && !dominated; o++) {
        if (o === a) continue;
        const ob = bs[usable[o]!]!;
        if (!atLeastAsGood(ob, b, k)) continue;
        // Mutual dominance: keep only the one that comes first.
        dominated = !atLeastAsGood(b, ob, k) || o < a;
      }
      if (!dominated) keep.push(usable[a]!);
    }
    return Int32Array.from(keep.sort((x, y) => x - y));
  });
}
