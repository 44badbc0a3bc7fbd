import { daemonSolve } from './solver.js';
import type {
  ApiEvent,
  ApiResult,
  AssignmentReply,
  ConfigStateView,
  ConfigProblemView,
  DaemonControlApi,
  DaemonReadApi,
  FlowsQuery,
  FlowsReply,
  HistoryReply,
  ModemsReply,
  PlanOverride,
  SolveInfo,
  StatusReply,
} from '../model/api.js';
import type { Clock } from '../model/ports.js';
import type { TfapAnswer, TfapInstance } from '../model/tfap.js';
import { cheapestOffered } from './decide-cycle.js';
import { assignmentReply, flowsReply, historyReply, modemsReply, statusReply } from './api-views.js';
import type { Daemon } from './daemon.js';

/** The daemon as its readers and writers see it (ubus object, CLI, telemetry). */
export class DaemonApi implements DaemonReadApi, DaemonControlApi {
  private readonly startMono: number;

  constructor(
    private readonly d: Daemon,
    private readonly clock: Clock,
    private readonly version: string,
    private readonly utcOffsetMin: () => number,
    private readonly now: () => number,
  ) {
    this.startMono = clock.monotonicMs();
  }

  status(): StatusReply {
    return statusReply(this.d, this.version, (this.clock.monotonicMs() - this.startMono) / 1000);
  }

  modems(): ModemsReply {
    return modemsReply(this.d, this.clock.now(), this.utcOffsetMin());
  }

  flows(query: FlowsQuery): FlowsReply {
    return flowsReply(this.d, query);
  }

  assignment(): AssignmentReply {
    return assignmentReply(this.d);
  }

  history(seconds: number): HistoryReply {
    return historyReply(this.d, this.clock.now(), seconds);
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    return this.d.events.on(listener);
  }

  preferredUplink(): { modem: string; addressV4: string | null; addressV6: string | null } | null {
    const res = this.d.last;
    const best = res ? cheapestOffered(res.instance) : null;
    if (!best) return null;
    const v = this.d.views().find((x) => x.name === best);
    if (!v) return null;
    const strip = (a: string | undefined) => (a === undefined ? null : a.split('/')[0]!);
    return { modem: best, addressV4: strip(v.link.ipv4[0]), addressV6: strip(v.link.ipv6[0]) };
  }

  async setPowerLimit(watts: number | null, origin: string): Promise<ApiResult<{ limitW: number | null }>> {
    if (watts !== null && !(Number.isFinite(watts) && watts > 0)) return { ok: false, error: `watts: expected a number > 0 or null, got ${watts}` };
    return { ok: true, value: { limitW: this.d.setPowerLimit(watts, origin) } };
  }

  async reload(origin: string): Promise<ApiResult<{ state: ConfigStateView['state']; changed: string[]; problems: ConfigProblemView[] }>> {
    return { ok: true, value: await this.d.reload(origin) };
  }

  async requestSolve(origin: string): Promise<ApiResult<SolveInfo>> {
    const info = await this.d.requestSolve(origin);
    return info ? { ok: true, value: info } : { ok: false, error: 'no solve ran (no configuration, disabled, or no modem to offer)' };
  }

  async updatePlan(modem: string, change: PlanOverride, origin: string): Promise<ApiResult<{ modem: string; pricePerGb: number; quotaGb: number | null }>> {
    if (change.pricePerGb !== undefined && !(Number.isFinite(change.pricePerGb) && change.pricePerGb >= 0)) return { ok: false, error: `pricePerGb: expected a number >= 0, got ${change.pricePerGb}` };
    if (change.quotaGb !== undefined && change.quotaGb !== null && !(Number.isFinite(change.quotaGb) && change.quotaGb > 0)) return { ok: false, error: `quotaGb: expected a number > 0 or null, got ${change.quotaGb}` };
    const r = this.d.updatePlan(modem, change, origin);
    if (typeof r === 'string') return { ok: false, error: r };
    return { ok: true, value: { modem, pricePerGb: r.plan.pricePerGb, quotaGb: r.plan.quotaGb } };
  }

  solveInstance(instance: TfapInstance): ApiResult<TfapAnswer> {
    // A diagnostic call gets more time than a decision, still bounded.
    return { ok: true, value: daemonSolve(instance, this.now, 2000) };
  }

  interfaceEvent(iface: string, action: string): ApiResult<{ modem: string | null }> {
    return { ok: true, value: { modem: this.d.interfaceEvent(iface, action) } };
  }
}
