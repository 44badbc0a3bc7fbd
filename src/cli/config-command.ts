import type { CliCommand, CliIo } from './io.js';
import { DEFAULT_CONFIG_DIR, SCHEMA, formatProblem, loadConfig } from '../config/index.js';

/**
 * `modemflow config check|show-json|schema [-c DIR]`: check prints every
 * problem as `file:line: section.option: message` and exits 1 on errors;
 * show-json prints the typed configuration; schema prints the schema that
 * drives validation (and the LuCI form).
 */
const USAGE = `Usage: modemflow config <command> [-c <dir>]

Commands:
\tcheck      report problems in <dir>/modemflow (exit 1 on errors)
\tshow-json  print the configuration as the daemon would use it
\tschema     print sections, options, types, defaults and help as JSON

Options:
\t-c <dir>   config directory (default: ${DEFAULT_CONFIG_DIR})
`;

function parseArgs(argv: string[]): { cmd: string; dir: string } | null {
  let dir = DEFAULT_CONFIG_DIR;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c') {
      const v = argv[++i];
      if (v === undefined) return null;
      dir = v;
    } else if (a.startsWith('-c') && a.length > 2) dir = a.slice(2);
    else if (a.startsWith('-')) return null;
    else rest.push(a);
  }
  if (rest.length !== 1) return null;
  return { cmd: rest[0]!, dir };
}

function check(dir: string, io: CliIo): number {
  const r = loadConfig(dir);
  const problems = [...(r.ok ? [] : r.errors), ...r.warnings].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  for (const p of problems) io.stdout(`${formatProblem(p)}\n`);
  const errors = r.ok ? 0 : r.errors.length;
  io.stdout(`${errors} error${errors === 1 ? '' : 's'}, ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}\n`);
  return errors > 0 ? 1 : 0;
}

export const configCommand: CliCommand = async (argv, io) => {
  const args = parseArgs(argv);
  if (!args) {
    io.stderr(USAGE);
    return 2;
  }
  switch (args.cmd) {
    case 'check':
      return check(args.dir, io);
    case 'show-json': {
      const r = loadConfig(args.dir);
      for (const w of r.warnings) io.stderr(`${formatProblem(w)}\n`);
      if (!r.ok) {
        for (const e of r.errors) io.stderr(`${formatProblem(e)}\n`);
        return 1;
      }
      io.stdout(`${JSON.stringify(r.value, null, 2)}\n`);
      return 0;
    }
    case 'schema':
      io.stdout(`${JSON.stringify(SCHEMA, null, 2)}\n`);
      return 0;
    default:
      io.stderr(USAGE);
      return 2;
  }
};
