import type { DaemonControlApi, DaemonReadApi, FlowsQuery } from '../model/api.js';
import type { Logger } from '../model/ports.js';
import type { TfapInstance } from '../model/tfap.js';
import { parseInstance } from '../assignment/parse-instance.js';
import { UbusError } from '../ubus/errors.js';
import type { UbusClient } from '../ubus/client.js';
import type { UbusMethod, UbusObjectDefinition, UbusPublishedObject, UbusRequestInfo } from '../ubus/index.js';
import { isNetifdInterfaceName } from '../model/names.js';

/**
 * The `modemflow` ubus object: a method table with argument policies (as
 * netifd declares its objects). The policy's types are checked by the
 * object server before a handler runs (INVALID_ARGUMENT otherwise); the
 * handlers check values and ranges, log a refused call with the argument it
 * concerns, and answer INVALID_ARGUMENT or NOT_FOUND as ubusd's own objects do.
 */

export const OBJECT_PATH = 'modemflow';
export const HISTORY_MAX_S = 3600;
export const FLOWS_MAX_LIMIT = 10_000;

function bad(logger: Logger, method: string, arg: string, message: string): never {
  logger.warn('ubus call refused', { method, argument: arg, reason: message });
  throw new UbusError('INVALID_ARGUMENT', `${method}: ${arg}: ${message}`);
}

function origin(req: UbusRequestInfo): string {
  return `ubus peer ${req.peer.toString(16).padStart(8, '0')}${req.user ? ` (${req.user})` : ''}`;
}

function nonEmptyName(logger: Logger, method: string, arg: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 128) bad(logger, method, arg, 'expected a non-empty string of at most 128 characters');
  return v;
}

export function modemflowMethods(read: DaemonReadApi, control: DaemonControlApi, logger: Logger): Record<string, UbusMethod> {
  const m: Record<string, UbusMethod> = {
    status: { handler: () => ({ ...read.status() }) },
    modems: { handler: () => ({ ...read.modems() }) },
    flows: {
      args: { modem: 'string', class: 'string', host: 'string', limit: 'int32' },
      handler: (args) => {
        const q: FlowsQuery = {};
        const modem = nonEmptyName(logger, 'flows', 'modem', args['modem']);
        const cls = nonEmptyName(logger, 'flows', 'class', args['class']);
        const host = nonEmptyName(logger, 'flows', 'host', args['host']);
        if (modem !== undefined) q.modem = modem;
        if (cls !== undefined) q.class = cls;
        if (host !== undefined) q.host = host;
        if (args['limit'] !== undefined) {
          const limit = args['limit'] as number;
          if (!Number.isInteger(limit) || limit < 1 || limit > FLOWS_MAX_LIMIT) bad(logger, 'flows', 'limit', `expected an integer 1..${FLOWS_MAX_LIMIT}, got ${limit}`);
          q.limit = limit;
        }
        return { ...read.flows(q) };
      },
    },
    assignment: { handler: () => ({ ...read.assignment() }) },
    history: {
      args: { seconds: 'int32' },
      handler: (args) => {
        const s = args['seconds'] === undefined ? 300 : (args['seconds'] as number);
        if (!Number.isInteger(s) || s < 1 || s > HISTORY_MAX_S) bad(logger, 'history', 'seconds', `expected an integer 1..${HISTORY_MAX_S}, got ${s}`);
        return { ...read.history(s) };
      },
    },
    set_power_limit: {
      args: { watts: 'double', clear: 'bool' },
      handler: async (args, req) => {
        const w = args['watts'];
        const clear = args['clear'] === true || args['clear'] === 1;
        if (clear && w !== undefined) bad(logger, 'set_power_limit', 'clear', 'give either watts or clear, not both');
        if (!clear && w !== undefined && (typeof w !== 'number' || !Number.isFinite(w) || w <= 0 || w > 10_000)) {
          bad(logger, 'set_power_limit', 'watts', `expected a number of W in (0, 10000], got ${String(w)}`);
        }
        const r = await control.setPowerLimit(clear || w === undefined ? null : (w as number), origin(req));
        if (!r.ok) throw new UbusError('UNKNOWN_ERROR', r.error);
        return { limitW: r.value.limitW };
      },
    },
    reload: {
      handler: async (_args, req) => {
        const r = await control.reload(origin(req));
        if (!r.ok) throw new UbusError('UNKNOWN_ERROR', r.error);
        return { ...r.value };
      },
    },
    solve: {
      args: { instance: 'table' },
      handler: (args) => {
        if (args['instance'] === undefined) bad(logger, 'solve', 'instance', 'a TFAP instance (table) is required');
        const parsed = parseInstance(args['instance']);
        if (!parsed.ok) bad(logger, 'solve', 'instance', parsed.errors.slice(0, 3).join('; '));
        const r = control.solveInstance(parsed.value as TfapInstance);
        if (!r.ok) throw new UbusError('UNKNOWN_ERROR', r.error);
        return { ...r.value };
      },
    },
    iface_event: {
      args: { interface: { type: 'string', required: true }, action: { type: 'string', required: true } },
      handler: (args) => {
        const iface = args['interface'] as string;
        const action = args['action'] as string;
        if (!isNetifdInterfaceName(iface)) bad(logger, 'iface_event', 'interface', `'${iface.slice(0, 64)}' is not a netifd interface name`);
        if (!['ifup', 'ifdown', 'ifupdate', 'ifup-failed', 'free', 'reload', 'update'].includes(action)) bad(logger, 'iface_event', 'action', `unknown action '${action.slice(0, 32)}'`);
        const r = control.interfaceEvent(iface, action);
        if (!r.ok) throw new UbusError('UNKNOWN_ERROR', r.error);
        if (r.value.modem === null) throw new UbusError('NOT_FOUND', `no modem uses interface ${iface}`);
        return { modem: r.value.modem };
      },
    },
  };
  return m;
}

/**
 * Publishes the object and forwards the daemon's events as notifications
 * (`ubus subscribe modemflow` hears modem, decision, power and config).
 * The client re-registers it after ubusd restarts.
 */
export async function publishModemflowObject(
  client: UbusClient,
  read: DaemonReadApi,
  control: DaemonControlApi,
  logger: Logger,
): Promise<{ object: UbusPublishedObject; stop(): Promise<void> }> {
  const def: UbusObjectDefinition = { path: OBJECT_PATH, methods: modemflowMethods(read, control, logger) };
  const object = await client.addObject(def);
  const off = read.onEvent((e) => {
    if (!object.hasSubscribers) return;
    try {
      object.notify(e.type, { ...e.data });
    } catch (err) {
      logger.debug('notify failed', { type: e.type, error: err instanceof Error ? err.message : String(err) });
    }
  });
  return {
    object,
    stop: async () => {
      off();
      await object.remove().catch(() => undefined);
    },
  };
}
