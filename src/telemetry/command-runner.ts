import type { ApiResult, DaemonControlApi, PlanOverride } from '../model/api.js';
import type { CommandArgs } from './command-request.js';

/** Carries out a checked command through the daemon's control API; a failure is a value, a throw becomes one. */
export async function runCommand(control: DaemonControlApi, c: CommandArgs, origin: string): Promise<ApiResult<unknown>> {
  try {
    switch (c.name) {
      case 'set_power_limit':
        return await control.setPowerLimit(c.watts, origin);
      case 'update_plan': {
        const change: PlanOverride = {};
        if (c.pricePerGb !== undefined) change.pricePerGb = c.pricePerGb;
        if (c.quotaGb !== undefined) change.quotaGb = c.quotaGb;
        return await control.updatePlan(c.modem, change, origin);
      }
      case 'solve':
        return await control.requestSolve(origin);
      case 'reload':
        return await control.reload(origin);
    }
  } catch (e) {
    return { ok: false, error: `internal error: ${(e as Error).message}` };
  }
}

/** The reply on `reply/<id>`. */
export function replyPayload(id: string, command: string, r: ApiResult<unknown>, ts: number): string {
  return JSON.stringify(r.ok ? { v: 1, ts, id, command, ok: true, result: r.value } : { v: 1, ts, id, command, ok: false, error: r.error });
}
