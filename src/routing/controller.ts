import type { Result } from '../model/errors.js';
import { markLayout } from '../model/mark-layout.js';
import type { MarkLayout } from '../model/mark-layout.js';
import type { CommandRunner, Logger } from '../model/ports.js';
import type { ConnectionTuple } from '../model/flow-group.js';
import { parseAddress } from './addr.js';
import type { Family } from './addr.js';
import { emptyIpState, ipBatch, ipRanges, parseRoutes, parseRules, wantedIpState } from './ip-state.js';
import type { IpState } from './ip-state.js';
import { buildNft, renderDeleteTable, renderFullTable, renderPinOps, renderPinUpdate } from './nft-ruleset.js';
import type { NftBuild, PinOps } from './nft-ruleset.js';
import type { ConnectionPin, RoutingPlan, RoutingSettings } from './plan.js';
import { checkPins, validatePlan } from './validate-plan.js';

export interface RoutingControllerDeps {
  runner: CommandRunner;
  logger: Logger;
  settings: RoutingSettings;
  /**
   * Delete the conntrack entries of a modem that stops being usable
   * (conntrack-tools), so its NATed flows start afresh on another modem
   * instead of leaving with the dead modem's source address. Default true.
   */
  flushConntrackOnLoss?: boolean;
}

/** A change to the installed pins: connections to (re)pin, and connections to unpin. */
export interface PinChange {
  set?: ConnectionPin[];
  remove?: ConnectionTuple[];
}

export interface ApplyReport {
  /** What the nft step did. */
  nft: 'full' | 'pins' | 'unchanged';
  /** ip -batch lines run, both families. */
  ipChanges: number;
  usableSlots: number[];
  /** Pins left out because their modem is not usable. */
  droppedPins: number;
}

interface Installed {
  skeleton: string;
  pins4: Map<string, number>;
  pins6: Map<string, number>;
  /** Slots of the installed plan, and those pins may go to. */
  slots: Set<number>;
  usable: Set<number>;
}

/**
 * Owns modemflow's kernel routing state: the `inet <table>` nftables table,
 * the ip rules in its priority range and the routes in its table range.
 * start() reconciles whatever it finds (left by a crashed run, say) into
 * the plan; apply() changes only what differs; stop() removes all of ours
 * and leaves the main table in charge.
 */
export class RoutingController {
  private installed: Installed | null = null;
  private conntrackMissing = false;
  private previousUsable: number[] | null = null;

  constructor(private readonly deps: RoutingControllerDeps) {}

  async start(plan: RoutingPlan): Promise<Result<ApplyReport>> {
    this.installed = null;
    this.previousUsable = null;
    return this.apply(plan);
  }

  async apply(plan: RoutingPlan): Promise<Result<ApplyReport>> {
    const layout = this.layout();
    if (typeof layout === 'string') return { ok: false, errors: [layout] };
    const valid = validatePlan(plan);
    if (!valid.ok) return valid;
    const build = buildNft(valid.value, layout, this.deps.settings.tableName);
    const errors: string[] = [];

    // Tables and rules first, so a mark never points at a missing table; the
    // two families are independent kernel state, so they are reconciled at once.
    let ipChanges = 0;
    const ipResults = await Promise.all(
      ([4, 6] as const).map((family) => this.reconcileIp(family, wantedIpState(valid.value, this.deps.settings, layout, family))),
    );
    for (const r of ipResults) {
      if (typeof r === 'string') errors.push(r);
      else ipChanges += r;
    }

    const nft = await this.applyNft(build, new Set(valid.value.modems.map((m) => m.slot)));
    if (nft.startsWith('error: ')) errors.push(nft.slice('error: '.length));
    else await this.flushLostSlots(build.usableSlots, layout);
    if (errors.length) return { ok: false, errors };
    this.deps.logger.info('routing applied', {
      nft,
      ipChanges,
      usable: build.usableSlots.join(',') || 'none',
      pins: build.pins4.size + build.pins6.size,
      droppedPins: build.droppedPins || undefined,
    });
    return {
      ok: true,
      value: { nft: nft as ApplyReport['nft'], ipChanges, usableSlots: build.usableSlots, droppedPins: build.droppedPins },
    };
  }

  /**
   * The fast path for connection pins between plan changes: `set` pins (new
   * or moved) and `remove` tuples go in as one element transaction; modems,
   * rules and routes stay those of the last apply. Cost follows the size of
   * the change, not of the pin table. Needs a successful start/apply before.
   */
  async updatePins(change: PinChange): Promise<Result<{ changed: number; droppedPins: number }>> {
    const inst = this.installed;
    if (!inst) return { ok: false, errors: ['updatePins needs a successful start() or apply() first'] };
    const errors: string[] = [];
    const set = checkPins(change.set ?? [], inst.slots, errors);
    // Removals are checked as pins to any slot of the plan; only their keys matter.
    const removeErrors: string[] = [];
    const anySlot = [...inst.slots][0] ?? 1;
    const remove = checkPins((change.remove ?? []).map((tuple) => ({ tuple, slot: anySlot })), inst.slots, removeErrors);
    errors.push(...removeErrors.map((e) => e.replace(/^pins\[/, 'remove[')));
    if (errors.length) return { ok: false, errors };
    // Work on the touched keys only: the cost follows the change, not the table.
    const touched = { pins4: new Map<string, number | null>(), pins6: new Map<string, number | null>() };
    for (const p of remove) touched[p.family === 4 ? 'pins4' : 'pins6'].set(p.key, null);
    let droppedPins = 0;
    for (const p of set) {
      const usable = inst.usable.has(p.slot);
      if (!usable) droppedPins++;
      touched[p.family === 4 ? 'pins4' : 'pins6'].set(p.key, usable ? p.slot : null);
    }
    const ops: PinOps = { pins4: { del: [], add: [] }, pins6: { del: [], add: [] } };
    for (const name of ['pins4', 'pins6'] as const) {
      for (const [key, slot] of touched[name]) {
        const before = inst[name].get(key) ?? null;
        if (before === slot) continue;
        if (before !== null) ops[name].del.push(key);
        if (slot !== null) ops[name].add.push([key, slot]);
      }
    }
    const update = renderPinOps(this.deps.settings.tableName, ops);
    if (update === null) return { ok: true, value: { changed: 0, droppedPins } };
    const r = await this.nft(update);
    if (r !== null) {
      // The kernel and our record disagree: the next apply() replaces the whole table.
      this.installed = null;
      return { ok: false, errors: [r] };
    }
    let changed = 0;
    for (const name of ['pins4', 'pins6'] as const) {
      for (const [key, slot] of touched[name]) {
        const before = inst[name].get(key) ?? null;
        if (before === slot) continue;
        changed++;
        if (slot === null) inst[name].delete(key);
        else inst[name].set(key, slot);
      }
    }
    return { ok: true, value: { changed, droppedPins } };
  }

  /** Removes our table, rules and routes; plain main-table routing remains. */
  async stop(): Promise<Result<void>> {
    const errors: string[] = [];
    const r = await this.nft(renderDeleteTable(this.deps.settings.tableName));
    if (r) errors.push(r);
    for (const family of [4, 6] as const) {
      const ip = await this.reconcileIp(family, emptyIpState());
      if (typeof ip === 'string') errors.push(ip);
    }
    this.installed = null;
    if (errors.length) return { ok: false, errors };
    this.deps.logger.info('routing removed');
    return { ok: true, value: undefined };
  }

  private layout(): MarkLayout | string {
    const l = markLayout(this.deps.settings.markMask);
    return l ?? `mark_mask 0x${this.deps.settings.markMask.toString(16)} must hold 12 contiguous bits`;
  }

  /** Number of batch lines run, or an error text. */
  private async reconcileIp(family: Family, wanted: IpState): Promise<number | string> {
    const ranges = ipRanges(this.deps.settings);
    const f = `-${family}`;
    const [rulesOut, routesOut] = await Promise.all([
      this.deps.runner.run('ip', [f, '-j', 'rule', 'list']),
      this.deps.runner.run('ip', [f, '-j', 'route', 'show', 'table', 'all']),
    ]);
    if (rulesOut.code !== 0) return `ip ${f} rule list failed: ${rulesOut.stderr.trim()}`;
    if (routesOut.code !== 0) return `ip ${f} route show failed: ${routesOut.stderr.trim()}`;
    const rules = parseRules(rulesOut.stdout, ranges);
    const routes = parseRoutes(routesOut.stdout, ranges);
    if (typeof rules === 'string') return rules;
    if (typeof routes === 'string') return routes;
    const lines = ipBatch({ rules, routes }, wanted);
    if (lines.length === 0) return 0;
    // -force: one failed line (a route the kernel already dropped) must not stop the rest.
    const res = await this.deps.runner.run('ip', [f, '-force', '-batch', '-'], { input: lines.join('\n') + '\n' });
    if (res.code !== 0) return `ip ${f} -batch failed: ${res.stderr.trim()}`;
    return lines.length;
  }

  /** 'full' | 'pins' | 'unchanged', or 'error: ...'. */
  private async applyNft(build: NftBuild, slots: Set<number>): Promise<ApplyReport['nft'] | `error: ${string}`> {
    const inst = this.installed;
    if (inst && inst.skeleton === build.skeleton) {
      const update = renderPinUpdate(build.tableName, inst, build);
      if (update === null) return 'unchanged';
      const r = await this.nft(update);
      if (r === null) {
        this.installed = { ...inst, pins4: build.pins4, pins6: build.pins6, slots };
        return 'pins';
      }
      this.deps.logger.warn('pin update failed, replacing the table', { error: r });
    }
    const carry = await this.readDomainSets(build);
    const r = await this.nft(renderFullTable(build, carry));
    if (r !== null) return `error: ${r}`;
    this.installed = { skeleton: build.skeleton, pins4: build.pins4, pins6: build.pins6, slots, usable: new Set(build.usableSlots) };
    return 'full';
  }

  /** Elements dnsmasq put into the domain sets, so a table rebuild keeps them. */
  private async readDomainSets(build: NftBuild): Promise<Map<string, string[]>> {
    const carry = new Map<string, string[]>();
    for (const name of build.domainSets) {
      const r = await this.deps.runner.run('nft', ['-j', 'list', 'set', 'inet', build.tableName, name]);
      if (r.code !== 0) continue; // not there yet: nothing to keep
      carry.set(name, domainSetElements(r.stdout));
    }
    return carry;
  }

  /** Slots usable at the previous apply and not now lose their connections (null after start). */
  private async flushLostSlots(usable: number[], layout: MarkLayout): Promise<void> {
    const before = this.previousUsable ?? [];
    this.previousUsable = usable;
    if (this.deps.flushConntrackOnLoss === false || this.conntrackMissing) return;
    const lost = before.filter((s) => !usable.includes(s));
    for (const slot of lost) {
      const mark = `0x${((slot << layout.shift) >>> 0).toString(16)}/0x${layout.slotMask.toString(16)}`;
      const r = await this.deps.runner.run('conntrack', ['-D', '--mark', mark]);
      // conntrack exits 1 when no entry matched.
      if (r.code === 127) {
        this.conntrackMissing = true;
        this.deps.logger.warn('conntrack tool missing: connections of a lost modem wait for their timeout', { slot });
        return;
      }
      if (r.code !== 0 && r.code !== 1) this.deps.logger.warn('conntrack flush failed', { slot, error: r.stderr.trim() });
      else this.deps.logger.info('connections of a lost modem flushed', { slot });
    }
  }

  /** null on success, else the error text. */
  private async nft(input: string): Promise<string | null> {
    const r = await this.deps.runner.run('nft', ['-f', '-'], { input });
    return r.code === 0 ? null : `nft -f failed: ${r.stderr.trim() || `exit ${r.code}`}`;
  }
}

/** Addresses from `nft -j list set` output (plain strings or {elem:{val}} objects); anything else is skipped. */
export function domainSetElements(json: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return [];
  }
  const items = (doc as { nftables?: unknown[] }).nftables;
  if (!Array.isArray(items)) return [];
  const out: string[] = [];
  for (const it of items) {
    const set = (it as { set?: { elem?: unknown[] } }).set;
    if (!set || !Array.isArray(set.elem)) continue;
    for (const e of set.elem) {
      const raw = typeof e === 'string' ? e : (e as { elem?: { val?: unknown } }).elem?.val;
      const a = typeof raw === 'string' ? parseAddress(raw) : null;
      if (a) out.push(a.text);
    }
  }
  return out;
}
