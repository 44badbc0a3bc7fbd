import type { CliCommand, CliIo } from './io.js';

/** Subcommands; each lives in its own file and is loaded on demand. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {};

function usage(io: CliIo): void {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
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
