import { readFileSync } from 'node:fs';
import type { CliCommand, CliIo } from './io.js';
import { getopt } from './getopt.js';
import type { UciDelta, UciLookup, UciPackage, UciPtr, UciStatus } from '../uci/index.js';
import {
  DEFAULT_SAVEDIR,
  UCI_ERROR_TEXT,
  UciStore,
  decodeUci,
  encodeUci,
  exportUci,
  formatChange,
  lookupPtr,
  parsePtr,
  showOption,
  showSection,
  showUci,
  showValue,
  uciAddSection,
  uciEdit,
  uciParseMessage,
} from '../uci/index.js';

/**
 * `modemflow uci`: the `uci` tool for dev machines, with its output, its
 * messages ("uci: Entry not found") and its exit codes (cli.c). Changes go
 * to delta files in the save directory and `commit` writes them, so a `set`
 * and a later `commit` in another invocation behave as on a router.
 */

const USAGE = `Usage: uci [<options>] <command> [<arguments>]

Commands:
\texport     [<config>]
\tchanges    [<config>]
\tcommit     [<config>]
\tadd        <config> <section-type>
\tadd_list   <config>.<section>.<option>=<string>
\tdel_list   <config>.<section>.<option>=<string>
\tshow       [<config>[.<section>[.<option>]]]
\tget        <config>.<section>[.<option>]
\tset        <config>.<section>[.<option>]=<value>
\tdelete     <config>[.<section>[[.<option>][=<id>]]]
\trename     <config>.<section>[.<option>]=<name>
\trevert     <config>[.<section>[.<option>]]
\treorder    <config>.<section>=<position>

Options:
\t-c <path>  config directory (default: /etc/config)
\t-d <str>   separator of list items in 'show' and 'get'
\t-n         name anonymous sections on export
\t-N         do not name anonymous sections (default)
\t-p <path>  also read changes from this directory
\t-P <path>  read changes from this directory too and save new ones there; commit does nothing
\t-t <path>  save changes in this directory (default: /tmp/.uci)
\t-q         print no error messages
\t-s         stop at the first parse error (default)
\t-S         report parse errors and go on
\t-X         show anonymous sections by their real names, not @type[N]

`;

/** libuci's error numbers: `uci add` exits with them. */
const ERR_NUMBER: Readonly<Record<Exclude<UciStatus, 'ok'>, number>> = {
  inval: 2,
  notfound: 3,
  io: 4,
  parse: 5,
  duplicate: 6,
};

interface Flags {
  confdir: string;
  savedir: string;
  deltaPaths: string[];
  delimiter: string;
  strict: boolean;
  quiet: boolean;
  noCommit: boolean;
  exportNames: boolean;
  extended: boolean;
}

class UciCli {
  private readonly store: UciStore;

  constructor(
    private readonly flags: Flags,
    private readonly io: CliIo,
  ) {
    this.store = new UciStore({
      confdir: flags.confdir,
      savedir: flags.savedir,
      deltaPaths: flags.deltaPaths,
      strict: flags.strict,
    });
  }

  /** Output is bytes: a value read from a file goes out exactly as it was stored. */
  private out(text: string): void {
    if (this.io.stdoutBytes) this.io.stdoutBytes(encodeUci(text));
    else this.io.stdout(text);
  }

  private error(text: string): void {
    if (!this.flags.quiet) this.io.stderr(text);
  }

  private perror(status: Exclude<UciStatus, 'ok'>): void {
    this.error(`uci: ${UCI_ERROR_TEXT[status]}\n`);
  }

  /** Loads a package, printing what uci prints on failure; the status on failure. */
  private load(name: string): UciPackage | { failed: Exclude<UciStatus, 'ok'> } {
    const r = this.store.load(name);
    if (r.status === 'parse') {
      this.error(`uci: ${uciParseMessage(r.error)}\n`);
      return { failed: 'parse' };
    }
    if (r.status !== 'ok') {
      this.perror(r.status);
      return { failed: r.status };
    }
    // uci -S reports each bad line and keeps what parsed.
    for (const e of r.parseErrors) this.error(`${uciParseMessage(e)}\n`);
    return r.package;
  }

  private savedChanges(name: string): UciDelta[] {
    const r = this.store.load(name);
    return r.status === 'ok' ? r.saved : [];
  }

  packageCommand(cmd: string, args: string[]): number {
    if (args.length > 1) return 255;
    if (args.length === 1) return this.packageCmd(cmd, args[0]!);
    const names = this.store.listConfigs();
    if (!names) {
      this.perror('notfound');
      return 1;
    }
    for (const n of names) this.packageCmd(cmd, n);
    return 0;
  }

  /** Parses a `pkg.section.option=value` tuple, loads its package and looks it up; null after printing uci's error. */
  private resolve(tuple: string): { ptr: UciPtr; pkg: UciPackage; look: UciLookup } | null {
    const ptr = parsePtr(tuple);
    if (!ptr) {
      this.perror('parse');
      return null;
    }
    const pkg = this.load(ptr.package);
    if ('failed' in pkg) return null;
    const look = lookupPtr(pkg, ptr);
    if (look.status !== 'ok') {
      this.perror(look.status);
      return null;
    }
    return { ptr, pkg, look };
  }

  private packageCmd(cmd: string, tuple: string): number {
    const resolved = this.resolve(tuple);
    if (!resolved) return 1;
    const { pkg, look } = resolved;
    switch (cmd) {
      case 'changes':
        for (const d of this.savedChanges(pkg.name)) this.out(formatChange(pkg.name, d));
        return 0;
      case 'commit': {
        if (this.flags.noCommit) return 0;
        const r = this.store.commit(pkg.name);
        if (r.status === 'ok') return 0;
        if (r.error) this.error(`uci: ${uciParseMessage(r.error)}\n`);
        else this.perror(r.status);
        return 1;
      }
      case 'export':
        this.out(exportUci(pkg, { header: true, exportNames: this.flags.exportNames }));
        return 0;
      default: {
        if (!look.complete) {
          this.perror('notfound');
          return 1;
        }
        const d = this.flags.delimiter;
        if (look.option) this.out(showOption(pkg, look.section!.name, look.option, d));
        else if (look.section) this.out(showSection(pkg, look.section, look.section.name, d));
        else this.out(showUci(pkg, { extended: this.flags.extended, delimiter: d }));
        return 0;
      }
    }
  }

  sectionCommand(cmd: string, args: string[]): number {
    if (args.length !== 1) return 255;
    const resolved = this.resolve(args[0]!);
    if (!resolved) return 1;
    const { ptr, pkg, look } = resolved;
    if (ptr.value !== null && (cmd === 'get' || cmd === 'revert')) return 1;
    if (cmd === 'revert') {
      // uci ignores what uci_revert returns: once the tuple resolves, revert exits 0.
      this.store.revert(pkg.name, look.sectionName, ptr.option);
      return 0;
    }
    if (cmd === 'get') {
      if (!look.complete) {
        this.perror('notfound');
        return 1;
      }
      if (look.option) this.out(showValue(look.option, false, this.flags.delimiter));
      else if (look.section) this.out(`${look.section.type}\n`);
      return 0;
    }
    if (cmd === 'reorder' && (!look.section || ptr.value === null)) {
      this.perror('notfound');
      return 1;
    }
    if (cmd === 'delete' && ptr.value !== null && !/^[\t\n\v\f\r ]*([+-]?\d|$)/.test(ptr.value)) return 1;
    const record: UciDelta[] = [];
    let status = uciEdit(pkg, cmd === 'delete' ? 'delete' : (cmd as 'set'), ptr, record);
    if (status === 'ok') status = this.store.save(pkg.name, record);
    if (status !== 'ok') {
      this.perror(status);
      return 1;
    }
    return 0;
  }

  add(args: string[]): number {
    if (args.length !== 2) return 255;
    const pkg = this.load(args[0]!);
    if ('failed' in pkg) return ERR_NUMBER[pkg.failed];
    const record: UciDelta[] = [];
    const sec = uciAddSection(pkg, args[1]!, record);
    const status = this.store.save(pkg.name, record);
    if (status !== 'ok') {
      this.perror(status);
      return ERR_NUMBER[status];
    }
    this.out(`${sec.name}\n`);
    return 0;
  }
}

/** uci's options (cli.c): c d f p P t take a value. */
function parseFlags(argv: string[], io: CliIo): { flags: Flags; rest: string[] } | { exit: number } {
  const flags: Flags = {
    confdir: '/etc/config',
    savedir: DEFAULT_SAVEDIR,
    deltaPaths: [DEFAULT_SAVEDIR],
    delimiter: ' ',
    strict: true,
    quiet: false,
    noCommit: false,
    exportNames: false,
    extended: true,
  };
  const parsed = getopt(argv, 'c:d:f:LmnNp:P:sSqt:X');
  if (!parsed.ok) {
    const what = parsed.error === 'missing-argument' ? 'option requires an argument' : 'unrecognized option';
    io.stderr(`uci: ${what}: ${parsed.option}\n${USAGE}`);
    return { exit: 0 };
  }
  for (const { name: c, value } of parsed.options) {
    const val = value ?? '';
    if (c === 'c') flags.confdir = val;
    else if (c === 'd') flags.delimiter = val;
    else if (c === 'p') {
      if (!flags.deltaPaths.includes(val)) flags.deltaPaths.push(val);
    } else if (c === 'P') {
      flags.savedir = val;
      flags.noCommit = true;
    } else if (c === 't') flags.savedir = val;
    else if (c === 'n') flags.exportNames = true;
    else if (c === 'N') flags.exportNames = false;
    else if (c === 's') flags.strict = true;
    else if (c === 'S') flags.strict = false;
    else if (c === 'q') flags.quiet = true;
    else if (c === 'X') flags.extended = false;
  }
  return { flags, rest: parsed.rest };
}

const SECTION_CMDS: Readonly<Record<string, string>> = {
  get: 'get',
  set: 'set',
  add_list: 'add_list',
  del_list: 'del_list',
  del: 'delete',
  delete: 'delete',
  ren: 'rename',
  rename: 'rename',
  reorder: 'reorder',
  revert: 'revert',
};
const PACKAGE_CMDS = new Set(['show', 'changes', 'export', 'commit']);

/**
 * Node decodes the command line as UTF-8 and turns other bytes into U+FFFD
 * before we see them. When that happened and these arguments are the tail
 * of this process's own command line, take them from /proc/self/cmdline
 * again, losslessly, so `uci set p.s.o=<Latin-1 bytes>` stores those bytes.
 */
export function recoverRawArgs(argv: string[], cmdline: () => Uint8Array = () => readFileSync('/proc/self/cmdline')): string[] {
  if (!argv.some((a) => a.includes('\uFFFD'))) return argv;
  let raw: Uint8Array;
  try {
    raw = cmdline();
  } catch {
    return argv;
  }
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0) {
      parts.push(raw.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < raw.length) parts.push(raw.subarray(start));
  if (parts.length < argv.length) return argv;
  const tail = parts.slice(parts.length - argv.length);
  const same = tail.every((p, i) => Buffer.from(p).toString('utf8') === argv[i]);
  return same ? tail.map((p) => decodeUci(p)) : argv;
}

export const uciCommand: CliCommand = async (rawArgv, io) => {
  const argv = recoverRawArgs(rawArgv);
  const parsed = parseFlags(argv, io);
  if ('exit' in parsed) return parsed.exit;
  const { flags, rest } = parsed;
  if (rest.length < 1) {
    io.stderr(USAGE);
    return 0;
  }
  const cli = new UciCli(flags, io);
  const cmd = rest[0]!.toLowerCase();
  const args = rest.slice(1);
  let ret: number;
  if (cmd === 'help') {
    io.stderr(USAGE);
    return 0;
  } else if (cmd in SECTION_CMDS) ret = cli.sectionCommand(SECTION_CMDS[cmd]!, args);
  else if (PACKAGE_CMDS.has(cmd)) ret = cli.packageCommand(cmd, args);
  else if (cmd === 'add') ret = cli.add(args);
  else if (cmd === 'batch' || cmd === 'import') {
    if (!flags.quiet) io.stderr(`uci: '${cmd}' is not supported by modemflow uci\n`);
    return 1;
  } else ret = 255;
  if (ret === 255) io.stderr(USAGE);
  return ret;
};
