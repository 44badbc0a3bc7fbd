import { parseArgs } from 'node:util';

/** modemflowd's command line. */
export interface DaemonArgs {
  configDir: string;
  ubusSocket: string;
  stateDir: string;
  dryRun: boolean;
  netns: string | null;
}

export const DAEMON_USAGE = `usage: modemflowd [options]

  -c DIR            configuration directory holding 'modemflow' (default /etc/config)
  -s SOCKET         ubus socket (default /var/run/ubus/ubus.sock)
  --state-dir DIR   where quota usage survives reboots (default /etc/modemflow/state)
  --dry-run         decide and log, but touch no kernel state and send no netifd up/down
  --netns NAME      run routing, probes and conntrack inside network namespace NAME
  -h, --help        this text

Signals: SIGHUP reloads the configuration (as a diff), SIGTERM/SIGINT stop
cleanly and leave plain main-table routing.
`;

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export type ArgsResult = { ok: true; args: DaemonArgs } | { ok: false; help: boolean; error: string | null };

export function parseDaemonArgs(argv: readonly string[]): ArgsResult {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        socket: { type: 'string', short: 's' },
        'state-dir': { type: 'string' },
        'dry-run': { type: 'boolean' },
        netns: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return { ok: false, help: false, error: e instanceof Error ? e.message : String(e) };
  }
  if (values.help) return { ok: false, help: true, error: null };
  const netns = values.netns ?? null;
  if (netns !== null && !NETNS_NAME.test(netns)) return { ok: false, help: false, error: `--netns: '${netns}' is not a network namespace name (letters, digits, _ . -)` };
  for (const [name, v] of [['-c', values.config], ['-s', values.socket], ['--state-dir', values['state-dir']]] as const) {
    if (v !== undefined && (v === '' || v.includes('\0'))) return { ok: false, help: false, error: `${name}: expected a path, got '${v}'` };
  }
  return {
    ok: true,
    args: {
      configDir: values.config ?? '/etc/config',
      ubusSocket: values.socket ?? '/var/run/ubus/ubus.sock',
      stateDir: values['state-dir'] ?? '/etc/modemflow/state',
      dryRun: values['dry-run'] ?? false,
      netns,
    },
  };
}
