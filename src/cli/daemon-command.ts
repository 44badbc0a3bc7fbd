import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { formatProblem } from '../config/problems.js';
import { NetifdProvider } from '../metrics/providers/netifd.js';
import { defaultRadioProviders, RadioSelector } from '../metrics/radio-select.js';
import type { AssignmentReply, FlowsReply, HistoryReply, ModemsReply, StatusReply } from '../model/api.js';
import { ExecFileRunner } from '../os/exec-runner.js';
import { DEFAULT_UBUS_SOCKET, UbusClient, UbusError } from '../ubus/index.js';
import { table } from './daemon-format.js';
import { formatAssignment, formatFlows, formatHistory, formatModems, formatStatus } from './daemon-format.js';
import type { CliCommand, CliIo } from './io.js';

/**
 * `modemflow status|modems|flows|assignment|history`: ask the running daemon
 * over ubus and print a table (or the JSON with --json).
 * `modemflow modems --once` reads the configured modems' providers directly,
 * without the daemon: the first thing to run on a new router.
 */

const USAGE: Record<string, string> = {
  status: 'usage: modemflow status [-s SOCKET] [--json]\n',
  modems: 'usage: modemflow modems [-s SOCKET] [--json] [--once [-c CONFIG_DIR]]\n',
  flows: 'usage: modemflow flows [-s SOCKET] [--json] [--modem M] [--class C] [--host H] [--limit N]\n       (with --lan CIDR: read conntrack here, without the daemon)\n',
  assignment: 'usage: modemflow assignment [-s SOCKET] [--json]\n',
  history: 'usage: modemflow history [-s SOCKET] [--json] [--seconds N]\n',
};

async function withClient<T>(socket: string, io: CliIo, fn: (c: UbusClient) => Promise<T>): Promise<T | number> {
  const client = new UbusClient({ socketPath: socket, reconnect: false, defaultTimeoutMs: 10_000 });
  try {
    await client.connect();
  } catch (e) {
    io.stderr(`modemflow: cannot reach ubus at ${socket}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 255;
  }
  try {
    return await fn(client);
  } catch (e) {
    if (e instanceof UbusError && e.code === 'NOT_FOUND') {
      io.stderr('modemflow: the daemon is not running (no ubus object modemflow); start it with /etc/init.d/modemflow start\n');
      return 256 - e.status;
    }
    io.stderr(`modemflow: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof UbusError ? 256 - e.status : 1;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export function daemonQueryCommand(method: 'status' | 'modems' | 'flows' | 'assignment' | 'history'): CliCommand {
  return async (argv, io) => {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          socket: { type: 'string', short: 's' },
          json: { type: 'boolean' },
          once: { type: 'boolean' },
          config: { type: 'string', short: 'c' },
          modem: { type: 'string' },
          class: { type: 'string' },
          host: { type: 'string' },
          limit: { type: 'string' },
          seconds: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      io.stderr(`modemflow ${method}: ${e instanceof Error ? e.message : String(e)}\n${USAGE[method]}`);
      return 2;
    }
    if (values.help) {
      io.stdout(USAGE[method]!);
      return 0;
    }
    const socket = values.socket ?? DEFAULT_UBUS_SOCKET;
    if (method === 'modems' && values.once) return modemsOnce(socket, values.config ?? '/etc/config', values.json ?? false, io);
    const args: Record<string, unknown> = {};
    if (method === 'flows') {
      for (const k of ['modem', 'class', 'host'] as const) if (values[k] !== undefined) args[k] = values[k];
      if (values.limit !== undefined) {
        const n = Number(values.limit);
        if (!Number.isInteger(n) || n < 1) {
          io.stderr(`modemflow flows: --limit: expected an integer >= 1, got '${values.limit}'\n`);
          return 2;
        }
        args['limit'] = n;
      }
    }
    if (method === 'history' && values.seconds !== undefined) {
      const n = Number(values.seconds);
      if (!Number.isInteger(n) || n < 1 || n > 3600) {
        io.stderr(`modemflow history: --seconds: expected an integer 1..3600, got '${values.seconds}'\n`);
        return 2;
      }
      args['seconds'] = n;
    }
    const r = await withClient(socket, io, (c) => c.call('modemflow', method, args));
    if (typeof r === 'number') return r;
    if (values.json) {
      io.stdout(JSON.stringify(r, null, 2) + '\n');
      return 0;
    }
    const now = Date.now();
    switch (method) {
      case 'status':
        io.stdout(formatStatus(r as unknown as StatusReply));
        break;
      case 'modems':
        io.stdout(formatModems(r as unknown as ModemsReply));
        break;
      case 'flows':
        io.stdout(formatFlows(r as unknown as FlowsReply, now));
        break;
      case 'assignment':
        io.stdout(formatAssignment(r as unknown as AssignmentReply, now));
        break;
      case 'history':
        io.stdout(formatHistory(r as unknown as HistoryReply));
        break;
    }
    return 0;
  };
}

/** Each configured modem read once through netifd and its radio provider: what modemflow would see. */
async function modemsOnce(socket: string, configDir: string, json: boolean, io: CliIo): Promise<number> {
  const cfg = loadConfig(configDir);
  if (!cfg.ok) {
    for (const p of cfg.errors) io.stderr(formatProblem(p) + '\n');
    return 1;
  }
  const runner = new ExecFileRunner();
  const r = await withClient(socket, io, async (client) => {
    const link = new NetifdProvider(client);
    const radios = defaultRadioProviders(client, runner);
    const out: Array<Record<string, unknown>> = [];
    for (const m of cfg.value.modems) {
      const l = await link.readLink(m, 4000);
      const selector = new RadioSelector(m, radios);
      const radio = await selector.read(4000, { l3Device: l.ok ? l.value.l3Device : null });
      out.push({
        name: m.name,
        interface: m.interface,
        metrics: m.metrics,
        provider: selector.kind ?? (m.metrics === 'netifd' ? 'netifd' : 'none found'),
        link: l.ok ? l.value : { problem: `${l.code}: ${l.problem}` },
        radio: radio.ok ? radio.value : { problem: `${radio.code}: ${radio.problem}` },
      });
    }
    return out;
  });
  if (typeof r === 'number') return r;
  if (json) {
    io.stdout(JSON.stringify({ modems: r }, null, 2) + '\n');
    return 0;
  }
  const rows = r.map((m) => {
    const l = m['link'] as { up?: boolean; l3Device?: string | null; ipv4?: string[]; problem?: string };
    const radio = m['radio'] as { rat?: string | null; operatorName?: string | null; signal?: { rsrpDbm: number | null; sinrDb: number | null }; problem?: string } | null;
    return [
      String(m['name']),
      String(m['interface']),
      String(m['provider']),
      l.problem ?? `${l.up ? 'up' : 'down'} ${l.l3Device ?? '-'} ${(l.ipv4 ?? []).join(',')}`,
      radio === null ? 'netifd only' : (radio.problem ?? `${radio.operatorName ?? '-'} ${radio.rat ?? '-'} RSRP ${radio.signal?.rsrpDbm ?? '-'} SINR ${radio.signal?.sinrDb ?? '-'}`),
    ];
  });
  io.stdout(table(['MODEM', 'INTERFACE', 'PROVIDER', 'LINK', 'RADIO'], rows));
  return 0;
}
