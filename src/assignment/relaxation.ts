import type { Compiled } from './compiled.js';

/** Bearer figures of one interface, flattened for the hot loops of the branch and bound. */
export interface Table {
  ids: Int32Array;
  qos: Int8Array;
  up: Float64Array;
  down: Float64Array;
  cost: Float64Array;
  base: Float64Array;
  tx: Float64Array;
  rx: Float64Array;
  /** Bearer positions by decreasing up / down capacity. */
  byUp: Int32Array;
  byDown: Int32Array;
}

export function tables(c: Compiled, lists: Int32Array[]): Table[] {
  return lists.map((ids, i) => {
    const bs = Array.from(ids, (j) => c.bearers[i]![j]!);
    const pos = bs.map((_, k) => k);
    return {
      ids,
      qos: Int8Array.from(bs, (b) => b.qos),
      up: Float64Array.from(bs, (b) => b.upKbps),
      down: Float64Array.from(bs, (b) => b.downKbps),
      cost: Float64Array.from(bs, (b) => b.cost),
      base: Float64Array.from(bs, (b) => b.baseW),
      tx: Float64Array.from(bs, (b) => b.txW),
      rx: Float64Array.from(bs, (b) => b.rxW),
      byUp: Int32Array.from([...pos].sort((x, y) => bs[y]!.upKbps - bs[x]!.upKbps || x - y)),
      byDown: Int32Array.from([...pos].sort((x, y) => bs[y]!.downKbps - bs[x]!.downKbps || x - y)),
    };
  });
}

const CAP_EPS = 1e-9;

/**
 * Lower bound on what the flows still to place add, per direction: the room
 * left on an interface is cut into segments at the capacities of the bearers
 * that still hold its load; a unit beyond capacity x can only ride a bearer
 * of capacity > x, so the segment's rate is the least rate (cost per kbit,
 * or tx / rx power per kbps) and its class the highest class among those.
 * Rates grow and classes shrink along an interface's segments. On an idle
 * interface the power rate also carries the base power spread over the
 * bearer's capacity. The volume of
 * the remaining flows is then poured fractionally, strictest class first,
 * into the cheapest segment it may use: optimal for this relaxation, since
 * the classes nest. Segments live in numbered slots; `cur[i]` names the slot
 * of interface i's current segments, so a search switches an interface to a
 * tentative placement's segments and back without rebuilding them.
 */
export class SegmentBins {
  private readonly cap: number;
  private readonly count: Int32Array;
  private readonly room: Float64Array;
  private readonly rateC: Float64Array;
  private readonly rateP: Float64Array;
  private readonly cls: Int8Array;
  private readonly used: Float64Array;
  private readonly ptr: Int32Array;
  private readonly end: Int32Array;
  private readonly slots: number;
  /** Slot of each interface's current segments. */
  readonly cur: Int32Array;

  constructor(
    private readonly m: number,
    private readonly tb: readonly Table[],
    slots: number,
  ) {
    this.cap = Math.max(1, ...tb.map((t) => t.qos.length));
    this.slots = slots;
    this.cur = Int32Array.from({ length: m }, (_, i) => i);
    slots *= 2;
    this.count = new Int32Array(slots);
    this.room = new Float64Array(slots * this.cap);
    this.rateC = new Float64Array(slots * this.cap);
    this.rateP = new Float64Array(slots * this.cap);
    this.cls = new Int8Array(slots * this.cap);
    this.used = new Float64Array(m + 1);
    this.ptr = new Int32Array(m + 1);
    this.end = new Int32Array(m + 1);
  }

  /** Every interface back on its own slot (i), as before any placement. */
  reset(): void {
    for (let i = 0; i < this.m; i++) this.cur[i] = i;
  }

  /** Segments of interface i carrying (up, down) with class q, into slot `slot`. */
  build(slot: number, i: number, up: number, down: number, q: number): void {
    const t = this.tb[i]!;
    for (let dir = 0; dir < 2; dir++) {
      const s = dir * this.slots + slot;
      const at = s * this.cap;
      const order = dir === 0 ? t.byUp : t.byDown;
      const caps = dir === 0 ? t.up : t.down;
      const load = dir === 0 ? up : down;
      const pr = dir === 0 ? t.tx : t.rx;
      // Walk by decreasing capacity, keeping suffix minima of rates and maxima of class.
      let n = 0;
      let bestC = Infinity;
      let bestP = Infinity;
      let bestQ = -1;
      const idle = q < 0;
      for (let p = 0; p < order.length; p++) {
        const k = order[p]!;
        if (t.qos[k]! < q || t.up[k]! + CAP_EPS < up || t.down[k]! + CAP_EPS < down) continue;
        if (t.cost[k]! < bestC) bestC = t.cost[k]!;
        // An idle interface still has its base power to pay: spread it over the bearer's capacity
        // (what it carries is at most up + down, so this charges at most the base).
        const pk = idle ? pr[k]! + t.base[k]! / (t.up[k]! + t.down[k]!) : pr[k]!;
        if (pk < bestP) bestP = pk;
        if (t.qos[k]! > bestQ) bestQ = t.qos[k]!;
        const capK = caps[k]!;
        // Equal capacities share one segment (the later bearer only improves its figures).
        if (n > 0 && this.room[at + n - 1] === capK) n--;
        this.room[at + n] = capK;
        this.rateC[at + n] = bestC;
        this.rateP[at + n] = bestP;
        this.cls[at + n] = bestQ;
        n++;
      }
      // Reverse into increasing capacity and turn capacities into room per segment.
      for (let a = 0, b = n - 1; a < b; a++, b--) {
        this.swap(at + a, at + b);
      }
      let prev = load;
      for (let k = 0; k < n; k++) {
        const capK = this.room[at + k]!;
        this.room[at + k] = capK > prev ? capK - prev : 0;
        if (capK > prev) prev = capK;
      }
      this.count[s] = n;
    }
  }

  private swap(a: number, b: number): void {
    let x = this.room[a]!;
    this.room[a] = this.room[b]!;
    this.room[b] = x;
    x = this.rateC[a]!;
    this.rateC[a] = this.rateC[b]!;
    this.rateC[b] = x;
    x = this.rateP[a]!;
    this.rateP[a] = this.rateP[b]!;
    this.rateP[b] = x;
    const q = this.cls[a]!;
    this.cls[a] = this.cls[b]!;
    this.cls[b] = q;
  }

  /**
   * Least cost (power = false) or power of pouring the remaining volume
   * (restVol at row k: [class * 2 + dir]) into the segments, interface si
   * taken from slot `trial` instead of its current one (si = -1: none).
   * Infinity when it does not fit; may stop early with a partial sum once
   * that exceeds `cutoff`.
   */
  pour(restVol: Float64Array, k: number, si: number, trial: number, power: boolean, cutoff = Infinity): number {
    const m = this.m;
    const rate = power ? this.rateP : this.rateC;
    const room = this.room;
    const cls = this.cls;
    const pos = this.ptr;
    const end = this.end;
    const used = this.used;
    let total = 0;
    for (let dir = 0; dir < 2; dir++) {
      // pos[i]: absolute index of interface i's first segment with room; `used` is what it gave already.
      const slot0 = dir * this.slots;
      for (let i = 0; i < m; i++) {
        const s = slot0 + (i === si ? trial : this.cur[i]!);
        pos[i] = s * this.cap;
        end[i] = pos[i]! + this.count[s]!;
        used[i] = 0;
      }
      for (let q = 3; q >= 0; q--) {
        let vol = restVol[k * 8 + q * 2 + dir]!;
        while (vol > CAP_EPS) {
          // The cheapest usable segment: each interface's next one with room, if its class allows.
          let bi = -1;
          let br = Infinity;
          for (let i = 0; i < m; i++) {
            let p = pos[i]!;
            const e = end[i]!;
            while (p < e && room[p]! - used[i]! <= 0) {
              p++;
              used[i] = 0;
            }
            pos[i] = p;
            if (p === e || cls[p]! < q) continue;
            const r = rate[p]!;
            if (r < br) {
              br = r;
              bi = i;
            }
          }
          if (bi < 0) return Infinity;
          const left = room[pos[bi]!]! - used[bi]!;
          const take = vol < left ? vol : left;
          total += take * br;
          // Already past what the caller can use: no need for the exact figure.
          if (total > cutoff) return total;
          used[bi]! += take;
          vol -= take;
        }
      }
    }
    return total;
  }
}
