import type { Clock, Logger } from '../model/ports.js';
import type { PowerStatus } from '../power/power-manager.js';
import type { ModemLoad } from '../power/power-model.js';
import type { PowerPort } from './daemon-deps.js';
import type { DecisionRecorder } from './decision-recorder.js';
import type { EventBus } from './records.js';

/**
 * The daemon's power budget P_max: what the power manager reads (battery,
 * solar, vehicle), or a limit set at run time (set_power_limit) that wins
 * until cleared. Every change is logged, recorded and told to subscribers;
 * a change that matters to the decision asks for a cycle.
 */
export class PowerBudget {
  port: PowerPort | null = null;
  status: PowerStatus | null = null;
  /** A run-time limit: undefined = none, null = unbounded. */
  overrideW: number | null | undefined = undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly recorder: DecisionRecorder,
    private readonly events: EventBus,
    private readonly requestCycle: (why: string) => void,
  ) {}

  limitW(): number | null {
    if (this.overrideW !== undefined) return this.overrideW;
    return this.status?.limit.limitW ?? null;
  }

  explanation(): string {
    if (this.overrideW !== undefined && this.overrideW !== null) return `set at run time to ${this.overrideW} W`;
    return this.status?.limit.explanation ?? 'not read yet';
  }

  basis(): string {
    return this.overrideW !== undefined ? 'override' : (this.status?.limit.basis ?? 'unknown');
  }

  /** set_power_limit: a limit in W, or null to clear the run-time limit. */
  set(watts: number | null, origin: string): number | null {
    const before = this.limitW();
    this.overrideW = watts === null ? undefined : watts;
    const after = this.limitW();
    this.logger.info('power limit set', { origin, limitW: watts ?? 'cleared', effectiveW: after ?? 'unbounded' });
    this.recorder.log('power', null, null, null, watts === null ? `power limit override cleared by ${origin}` : `power limit set to ${watts} W by ${origin}`);
    this.events.emit({ type: 'power', data: { limitW: after, previousW: before, basis: watts === null ? (this.status?.limit.basis ?? 'unknown') : 'override', explanation: this.explanation(), atMs: this.clock.now() } });
    this.requestCycle(`power limit ${after ?? 'unbounded'} W (${origin})`);
    return after;
  }

  /** Reads the power manager with the modems' loads; a changed limit is news. */
  async refresh(loads: ModemLoad[]): Promise<void> {
    if (!this.port) return;
    let st: PowerStatus;
    try {
      st = await this.port.refresh(loads);
    } catch (e) {
      this.logger.error('power refresh failed', { error: e instanceof Error ? e.message : String(e) });
      return;
    }
    const before = this.status?.limit.limitW ?? null;
    const first = this.status === null;
    this.status = st;
    if (st.changed && !first) {
      this.logger.info('power limit changed', { limitW: st.limit.limitW ?? 'unbounded', basis: st.limit.basis, explanation: st.limit.explanation });
      this.recorder.log('power', null, null, null, `P_max ${st.limit.limitW ?? 'unbounded'} W: ${st.limit.explanation}`);
      this.events.emit({ type: 'power', data: { limitW: st.limit.limitW, previousW: before, basis: st.limit.basis, explanation: st.limit.explanation, atMs: this.clock.now() } });
      if (this.overrideW === undefined) this.requestCycle(`power limit ${st.limit.limitW ?? 'unbounded'} W`);
    } else if (first && st.limit.limitW !== null) {
      this.requestCycle(`power limit ${st.limit.limitW} W`);
    }
  }
}
