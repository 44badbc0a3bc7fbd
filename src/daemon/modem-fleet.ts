import { billingCycle, priceQuote } from '../metrics/price.js';
import { qosFromPath } from '../metrics/qos-class.js';
import type { ModemConfig, SimPlan } from '../model/config.js';
import type { ModemView } from '../model/modem.js';
import type { QuotaRecord } from './quota-store.js';

/** What the daemon needs of one modem's metrics (MetricsCollector for a single modem). */
export interface ModemCollector {
  start(): void;
  stop(): void;
  view(name: string): ModemView | null;
  restoreCycleBytes(name: string, bytes: number, cycleStartMs: number): void;
  refreshNow(name: string): void;
}

export type CollectorFactory = (cfg: ModemConfig, onUpdate: (v: ModemView) => void) => ModemCollector;

interface Runtime {
  cfg: ModemConfig;
  collector: ModemCollector;
  /**
   * The replaced collector's last view, shown until the new one's probes have answered (or CARRY_MAX_MS
   * passed): a reload must not make a modem look gone, or its fresh probes look dead.
   */
  carried: ModemView | null;
  carriedSinceMs: number;
  /** What the last decision saw; a change of it asks for a new decision. */
  signature: string | null;
  /** Capacity at the last decision, to notice a real change (not every wobble). */
  decidedDownKbps: number | null;
  decidedUpKbps: number | null;
}

/** A replaced collector's last view stands in for the new one at most this long. */
export const CARRY_MAX_MS = 10_000;

/** A capacity estimate must move by this much (relative) since the last decision to count as a change. */
export const CAPACITY_CHANGE = 0.25;

/**
 * The modems' metrics, one collector per modem so that a reload can keep an
 * unchanged modem's collector (its counters, rates, probe windows) and
 * replace only what changed: reload as a diff. It also tells, from each
 * refresh, whether something the decision depends on changed (link, path,
 * health, QoS class, price state, capacity past a threshold).
 */
export class ModemFleet {
  private readonly runtimes = new Map<string, Runtime>();
  private running = false;

  constructor(
    private readonly makeCollector: CollectorFactory,
    /** A significant change of a modem: the daemon asks for a decision. */
    private readonly onChange: (modem: string, what: string) => void,
    private readonly now: () => number,
    private readonly utcOffsetMin: () => number,
  ) {}

  start(configs: readonly ModemConfig[]): void {
    this.running = true;
    for (const c of configs) this.add(c);
  }

  stop(): void {
    this.running = false;
    for (const r of this.runtimes.values()) r.collector.stop();
  }

  /** Applies a new modem list: unchanged modems keep their collector; changed ones keep their cycle bytes. */
  reconfigure(configs: readonly ModemConfig[], changed: ReadonlySet<string>): void {
    const names = new Set(configs.map((c) => c.name));
    for (const [name, r] of this.runtimes) {
      if (!names.has(name)) {
        r.collector.stop();
        this.runtimes.delete(name);
      }
    }
    for (const c of configs) {
      const r = this.runtimes.get(c.name);
      if (!r) {
        this.add(c);
      } else if (changed.has(c.name) && collectorKey(r.cfg) !== collectorKey(c)) {
        const last = r.collector.view(c.name);
        r.collector.stop();
        this.runtimes.delete(c.name);
        this.add(c, last);
        if (last?.cycleBytes != null) this.restore(c.name, { cycleStartMs: this.cycleStart(c.plan), bytes: last.cycleBytes });
      } else {
        // Plan, thresholds, tier: read by the decision from the config, the collector stays as it is.
        r.cfg = c;
      }
    }
  }

  views(configs: readonly ModemConfig[]): ModemView[] {
    const out: ModemView[] = [];
    for (const c of configs) {
      const v = this.view(c.name);
      if (v) out.push(v);
    }
    return out;
  }

  view(name: string): ModemView | null {
    const r = this.runtimes.get(name);
    return r ? (r.carried ?? r.collector.view(name)) : null;
  }

  /** Read this modem now (an interface event); a change then asks for a decision as usual. */
  refresh(name: string): void {
    this.runtimes.get(name)?.collector.refreshNow(name);
  }

  restore(name: string, rec: QuotaRecord): void {
    this.runtimes.get(name)?.collector.restoreCycleBytes(name, rec.bytes, rec.cycleStartMs);
  }

  /** Current cycle usage of every modem that has counted any, for the quota file. */
  quotaRecords(): Record<string, QuotaRecord> {
    const out: Record<string, QuotaRecord> = {};
    for (const [name, r] of this.runtimes) {
      const bytes = r.collector.view(name)?.cycleBytes;
      if (bytes !== null && bytes !== undefined) out[name] = { cycleStartMs: this.cycleStart(r.cfg.plan), bytes };
    }
    return out;
  }

  /** Called after each decision: what it saw becomes the reference for "changed". */
  noteDecided(): void {
    for (const [name, r] of this.runtimes) {
      const v = r.collector.view(name);
      r.signature = v ? this.signature(r.cfg, v) : null;
      r.decidedDownKbps = v?.capacity?.downKbps ?? null;
      r.decidedUpKbps = v?.capacity?.upKbps ?? null;
    }
  }

  private add(cfg: ModemConfig, carried: ModemView | null = null): void {
    const r: Runtime = {
      cfg,
      carried,
      carriedSinceMs: this.now(),
      collector: this.makeCollector(cfg, (v) => this.updated(cfg.name, v)),
      signature: null,
      decidedDownKbps: null,
      decidedUpKbps: null,
    };
    this.runtimes.set(cfg.name, r);
    if (this.running) r.collector.start();
  }

  private cycleStart(plan: SimPlan): number {
    return billingCycle(this.now(), plan.billingDay, this.utcOffsetMin()).startMs;
  }

  private signature(cfg: ModemConfig, v: ModemView): string {
    const price = priceQuote(cfg.plan, v.cycleBytes ?? 0, this.now(), this.utcOffsetMin());
    return [
      v.link.up ? 'up' : 'down',
      v.link.l3Device ?? '-',
      v.link.ipv4.join(','),
      v.link.ipv6.join(','),
      v.link.gatewayV4 ?? '-',
      v.health,
      v.path ? (v.path.alive ? 'alive' : 'dead') : 'no-path',
      qosFromPath(v.path) ?? '-',
      price.state,
      // Quota pressure moves the price slowly: a decision per 10% step is enough.
      Math.floor(price.multiplier * 10),
      v.radio?.rat ?? '-',
      v.radio?.mcc ?? '-',
      v.radio?.mnc ?? '-',
    ].join('|');
  }

  private updated(name: string, v: ModemView): void {
    const r = this.runtimes.get(name);
    if (!r || !this.running) return;
    if (r.carried) {
      const probed = r.cfg.probeTargets.length === 0 || v.path?.lastReplyMs != null;
      if (!probed && this.now() - r.carriedSinceMs < CARRY_MAX_MS) return;
      r.carried = null;
    }
    const sig = this.signature(r.cfg, v);
    if (r.signature === null || sig !== r.signature) {
      const what = r.signature === null ? 'first metrics' : describeChange(r.signature, sig);
      r.signature = sig;
      this.onChange(name, what);
      return;
    }
    const moved = (now: number | undefined, then: number | null) =>
      now !== undefined && then !== null && Math.abs(now - then) > CAPACITY_CHANGE * Math.max(then, 1);
    if (moved(v.capacity?.downKbps, r.decidedDownKbps) || moved(v.capacity?.upKbps, r.decidedUpKbps)) {
      r.decidedDownKbps = v.capacity?.downKbps ?? null;
      r.decidedUpKbps = v.capacity?.upKbps ?? null;
      this.onChange(name, `capacity now ${Math.round(v.capacity!.downKbps)}/${Math.round(v.capacity!.upKbps)} kbit/s down/up`);
    }
  }
}

/** What a metrics collector is built from: a change of any of these needs a new one. */
function collectorKey(c: ModemConfig): string {
  return JSON.stringify([c.interface, c.enabled, c.metrics, c.device, c.probeTargets, c.probeIntervalS, c.upKbpsCap, c.downKbpsCap, c.plan.billingDay]);
}

const SIGNATURE_FIELDS = ['link', 'device', 'IPv4 address', 'IPv6 address', 'gateway', 'metrics', 'path', 'QoS class', 'price state', 'quota pressure', 'RAT', 'MCC', 'MNC'];

function describeChange(before: string, after: string): string {
  const a = before.split('|');
  const b = after.split('|');
  const parts: string[] = [];
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) parts.push(`${SIGNATURE_FIELDS[i] ?? `field ${i}`} ${a[i]} -> ${b[i]}`);
  return parts.join(', ');
}
