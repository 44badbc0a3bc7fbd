import type { SpreadChange } from '../coordination/elastic-spread.js';
import type { CoordinationAction } from '../coordination/types.js';
import type { CountersView, DecisionEntry, ModemDecisionState, SolveInfo } from '../model/api.js';
import type { Clock, Logger } from '../model/ports.js';
import type { ActionOutcome } from '../power/executor.js';
import type { CycleResult } from './decide-cycle.js';
import { DecisionLog, emptyCounters, recordRoutingApply } from './records.js';
import type { EventBus } from './records.js';

/**
 * What the daemon's cycles decided and did, as the log, the counters, the
 * decision list and the events report it: every decision one log line with
 * its reason, counted, and told to subscribers. The daemon calls it; it
 * decides nothing.
 */
export class DecisionRecorder {
  readonly decisions = new DecisionLog();
  readonly counters: CountersView = emptyCounters();
  lastSolve: SolveInfo | null = null;
  lastFullSolve: SolveInfo | null = null;
  private lastSolveOutcome = '';
  private readonly modemStates = new Map<string, ModemDecisionState>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: EventBus,
  ) {}

  log(kind: DecisionEntry['kind'], group: string | null, modem: string | null, from: string | null, reason: string): void {
    const e: DecisionEntry = { atMs: this.clock.now(), kind, group, modem, from, reason };
    this.decisions.push(e);
    this.events.emit({ type: 'decision', data: e });
  }

  /** A background group's spread grew, shrank or ended. */
  spreadChanged(c: SpreadChange): void {
    this.counters.redirections++;
    this.logger.info('bulk spread', { flow: c.group, modems: c.modems.join(',') || 'none', reason: c.why });
    this.log('spread', c.group, c.modems[0] ?? null, null, `${c.modems.length >= 2 ? `over ${c.modems.join(', ')}` : 'spread ended'}: ${c.why}`);
  }

  modemState(name: string): ModemDecisionState | null {
    return this.modemStates.get(name) ?? null;
  }

  /** The policy's outcome: solves counted, each group decision a log line. */
  policy(res: CycleResult, trigger: string, nowMs: number): void {
    const p = res.policy;
    const c = this.counters;
    if (p.kind === 'incremental') c.solvesIncremental++;
    if (p.full) {
      c.solvesFull++;
      if (p.full.adopted) c.solvesAdopted++;
      else c.solvesRejected++;
      const info: SolveInfo = {
        atMs: nowMs,
        kind: 'full',
        trigger: p.full.trigger,
        adopted: p.full.adopted,
        reason: p.full.reason,
        status: p.full.answer.status,
        solveMs: Math.round(p.full.answer.solveMs * 100) / 100,
      };
      this.lastFullSolve = info;
      this.lastSolve = info;
      // The same outcome for the same reason again (an infeasible class, say) is one entry, not one per event.
      const outcome = `${p.full.adopted}|${p.full.answer.status}|${p.full.reason}`;
      const repeat = outcome === this.lastSolveOutcome && p.decisions.length === 0;
      this.lastSolveOutcome = outcome;
      this.logger[repeat ? 'debug' : 'info'](p.full.adopted ? 'full solve adopted' : 'full solve kept the current assignment', {
        trigger: p.full.trigger,
        status: p.full.answer.status,
        reason: p.full.reason,
        ms: info.solveMs,
      });
      const kind = p.full.adopted || p.full.answer.status !== 'ok' ? 'full-solve' : 'hysteresis';
      if (!repeat) this.log(kind, null, null, null, `${p.full.trigger}: ${p.full.reason}`);
    } else if (p.kind === 'incremental') {
      this.lastSolve = { atMs: nowMs, kind: 'incremental', trigger, adopted: true, reason: `${p.decisions.length} new group(s) placed`, status: p.status, solveMs: 0 };
    }
    for (const d of p.decisions) {
      if (d.kind === 'move') c.redirections++;
      const level = d.kind === 'unplace' ? 'warn' : 'info';
      this.logger[level](`group ${d.flow} -> ${d.to ?? 'default route'}: ${d.reason}`, { flow: d.flow, modem: d.to, from: d.from ?? undefined });
      this.log(d.kind, d.flow, d.to, d.from, d.reason);
    }
  }

  /** Modems whose decision state changed: a log line, an exclude/include entry, a `modem` event. */
  modems(res: CycleResult, nowMs: number): void {
    for (const m of res.modems) {
      const prev = this.modemStates.get(m.name) ?? null;
      if (prev === m.state) continue;
      this.modemStates.set(m.name, m.state);
      const level = m.state === 'active' || m.state === 'standby' ? 'info' : prev === null ? 'info' : 'warn';
      this.logger[level](`modem ${m.name} ${prev ?? 'new'} -> ${m.state}`, { modem: m.name, reason: m.reason ?? undefined });
      if (prev !== null && (m.state === 'excluded' || prev === 'excluded')) this.log(m.state === 'excluded' ? 'exclude' : 'include', null, m.name, null, m.reason ?? `now ${m.state}`);
      this.events.emit({ type: 'modem', data: { name: m.name, state: m.state, previous: prev, reason: m.reason, atMs: nowMs } });
    }
    for (const name of [...this.modemStates.keys()]) if (!res.modems.some((m) => m.name === name)) this.modemStates.delete(name);
  }

  routing(ms: number, errors: readonly string[] | null): void {
    recordRoutingApply(this.counters, ms, errors === null);
    if (errors === null) return;
    this.logger.error('routing apply failed', { error: errors.slice(0, 3).join('; '), errors: errors.length });
    this.log('error', null, null, null, `routing apply failed: ${errors[0]}`);
  }

  /** A wake/sleep/switch carried out (or, in a dry run, only said: `out` null). */
  action(a: CoordinationAction, out: ActionOutcome | null): void {
    if (out === null) {
      this.logger.info(`would ${a.kind} modem ${a.modem} (dry run)`, { modem: a.modem, reason: a.reason });
      this.log(a.kind, null, a.modem, null, `${a.reason} (dry run: not done)`);
    } else if (out.code === 'ok') {
      if (a.kind === 'wake') this.counters.wakes++;
      if (a.kind === 'sleep') this.counters.sleeps++;
      this.logger.info(`modem ${a.modem} ${a.kind}`, { modem: a.modem, reason: a.reason, steps: out.steps.join('; ') });
      this.log(a.kind, null, a.modem, null, a.reason);
    } else {
      this.logger.error(`modem ${a.modem} ${a.kind} failed`, { modem: a.modem, code: out.code, error: out.error ?? undefined });
      this.log('error', null, a.modem, null, `${a.kind} failed: ${out.error}`);
    }
  }
}
