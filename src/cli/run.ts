import type { CliCommand, CliIo } from './io.js';

/** Subcommands; each lives in its own file and is loaded on demand. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  config: {
    summary: 'check, show-json or schema for /etc/config/modemflow',
    load: async () => (await import('./config-command.js')).configCommand,
  },
  demo: {
    summary: "solve the thesis' vehicle-router case and print the assignment",
    load: async () => (await import('./demo-command.js')).demoCommand,
  },
  assignment: {
    summary: "the running daemon's assignment, last solve and last decisions with their reasons",
    load: async () => (await import('./daemon-command.js')).daemonQueryCommand('assignment'),
  },
  flows: {
    summary: "the running daemon's flow groups (with --lan: read conntrack here, without the daemon)",
    load: async () => {
      const local = (await import('./flows-command.js')).flowsCommand;
      const remote = (await import('./daemon-command.js')).daemonQueryCommand('flows');
      return (argv, io) => (argv.some((a) => a === '--lan' || a.startsWith('--lan=')) ? local(argv, io) : remote(argv, io));
    },
  },
  history: {
    summary: "the running daemon's per-second history (rates, RTT, cost, power)",
    load: async () => (await import('./daemon-command.js')).daemonQueryCommand('history'),
  },
  modems: {
    summary: "the running daemon's modems (with --once: read the providers directly, no daemon)",
    load: async () => (await import('./daemon-command.js')).daemonQueryCommand('modems'),
  },
  status: {
    summary: "the running daemon's status: config, power, cost, counters, modems, warnings",
    load: async () => (await import('./daemon-command.js')).daemonQueryCommand('status'),
  },
  probe: {
    summary: "probe one modem's path (RTT, jitter, loss) from its address",
    load: async () => (await import('./probe-command.js')).probeCommand,
  },
  generate: {
    summary: 'print a random TFAP instance (thesis UC0-UC3 or modern profile)',
    load: async () => (await import('./generate-command.js')).generateCommand,
  },
  power: {
    summary: 'show the battery reading, P_max and hwmon power sensors',
    load: async () => (await import('./power-command.js')).powerCommand,
  },
  solve: {
    summary: 'solve a traffic-flow-assignment instance (JSON) and print the answer',
    load: async () => (await import('./solve-command.js')).solveCommand,
  },
  ubus: {
    summary: 'the ubus tool: list, call, listen, send',
    load: async () => (await import('./ubus-command.js')).ubusCommand,
  },
  ubusd: {
    summary: 'run a ubusd-compatible broker in the foreground (development without OpenWrt)',
    load: async () => (await import('./ubusd-command.js')).ubusdCommand,
  },
  uci: {
    summary: 'the uci tool on a config directory (show, get, set, add_list, delete, commit, ...)',
    load: async () => (await import('./uci-command.js')).uciCommand,
  },
};

function usage(io: CliIo): void {
  const lines = Object.entries(COMMANDS).sort(([a], [b]) => a.localeCompare(b)).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  io.stderr(`usage: modemflow <command> [options]\n\ncommands:\n${lines.join('\n')}\n`);
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    usage(io);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr(`modemflow: unknown command '${name}'\n`);
    usage(io);
    return 2;
  }
  return (await cmd.load())(rest, io);
}
