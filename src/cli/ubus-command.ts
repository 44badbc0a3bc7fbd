/**
 * `modemflow ubus`: the `ubus` tool (openwrt/ubus cli.c) for dev machines and
 * routers: same options, output and exit codes. cli.c's main returns its
 * command's result, so the exit code is that value modulo 256:
 *  - a call whose invoke fails (and a call whose message does not parse)
 *    goes through ubus_cli_error: without -S and with stderr not a terminal
 *    (scripts, init scripts) it prints "Command failed: ubus call ARGS
 *    (reason)" and returns -status, so the exit code is 256 - status
 *    (METHOD_NOT_FOUND 253, INVALID_ARGUMENT 254 (then usage, as cli.c's
 *    -2), TIMEOUT 249, UNKNOWN_ERROR 247); else it returns the status;
 *  - any other ubus failure (lookup, list, send, wait_for, monitor) returns
 *    the status itself ("Command failed: reason" unless -S): NOT_FOUND 4,
 *    wait_for timing out 7, a message of send that does not parse 12;
 *  - 255 when it cannot connect (a missing socket) or listen/subscribe
 *    cannot register; 254 after a usage error in a command's arguments;
 *    1 for bad options or no command.
 */
import type { CliCommand, CliIo } from './io.js';
import { getopt } from './getopt.js';
import {
  BlobmsgType,
  DEFAULT_UBUS_SOCKET,
  formatBlobmsgElement,
  formatBlobmsgJson,
  formatMonitorLine,
  MONITOR_TYPE_NAMES,
  parseUbusJson,
  Status,
  statusText,
  UbusClient,
  UbusError,
} from '../ubus/index.js';

interface Options {
  socket: string;
  timeoutS: number;
  /** -t also bounds listen and subscribe (0: forever). */
  listenTimeoutS: number;
  simple: boolean;
  verbose: number;
  /** -m: message types to show (bit per type; 0 = all). */
  monitorMask: number;
  /** -M: 0 received only, 1 sent only, -1 both. */
  monitorDir: number;
}

interface Ctx {
  client: UbusClient;
  opts: Options;
  io: CliIo;
  /** Ends when the caller aborts or ubusd goes away (uloop_end on connection_lost). */
  done: AbortSignal;
  stderrIsTty: boolean;
}

type Command = (ctx: Ctx, args: string[]) => Promise<number>;

function usage(io: CliIo): number {
  io.stderr(
    'Usage: modemflow ubus [<options>] <command> [arguments...]\n' +
      'Options:\n' +
      ' -s <socket>:\t\tSet the unix domain socket to connect to\n' +
      ' -t <timeout>:\t\tSet the timeout (in seconds) for a command to complete\n' +
      ' -S:\t\t\tUse simplified output (for scripts)\n' +
      ' -v:\t\t\tMore verbose output\n' +
      ' -m <type>:\t\t(for monitor): include a specific message type\n' +
      '\t\t\t(can be used more than once)\n' +
      ' -M <r|t>\t\t(for monitor): only capture received or transmitted traffic\n' +
      '\n' +
      'Commands:\n' +
      ' - list [<path>]\t\t\tList objects\n' +
      ' - call <path> <method> [<message>]\tCall an object method\n' +
      ' - subscribe <path> [<path>...]\tSubscribe to object(s) notifications\n' +
      ' - listen [<path>...]\t\t\tListen for events\n' +
      ' - send <type> [<message>]\t\tSend an event\n' +
      ' - wait_for <object> [<object>...]\tWait for multiple objects to appear on ubus\n' +
      ' - monitor\t\t\t\tMonitor ubus traffic\n' +
      '\n',
  );
  return 1;
}

function parseOptions(argv: string[]): { opts: Options; rest: string[] } | null {
  const parsed = getopt(argv, 'm:M:vs:t:S');
  if (!parsed.ok) return null;
  const opts: Options = { socket: DEFAULT_UBUS_SOCKET, timeoutS: 30, listenTimeoutS: 0, simple: false, verbose: 0, monitorMask: 0, monitorDir: -1 };
  for (const { name, value } of parsed.options) {
    if (name === 'v') opts.verbose++;
    else if (name === 'S') opts.simple = true;
    else if (name === 's') opts.socket = value!;
    else if (name === 't') opts.timeoutS = opts.listenTimeoutS = Number.parseInt(value!, 10) || 0; // atoi
    else if (name === 'm') {
      const type = MONITOR_TYPE_NAMES.indexOf(value!);
      if (type < 0) return null;
      opts.monitorMask |= 1 << type;
    } else if (name === 'M') {
      if (value![0] === 'r') opts.monitorDir = 0;
      else if (value![0] === 't') opts.monitorDir = 1;
      else return null;
    }
  }
  return { opts, rest: parsed.rest };
}

function statusOf(err: unknown): number {
  return err instanceof UbusError ? err.status : Status.UNKNOWN_ERROR;
}

/** ubus_cli_error: the long message and -status for scripts, the status itself otherwise. */
function cliError(ctx: Ctx, cmd: string, args: string[], status: number): number {
  if (ctx.opts.simple || ctx.stderrIsTty) return status;
  ctx.io.stderr(`Command failed: ubus ${cmd} ${args.map((a) => `${a} `).join('')}(${statusText(status)})\n`);
  return -status;
}

/** Waits until the caller aborts, ubusd goes away, or (when > 0) timeoutS passes. */
function waitDone(ctx: Ctx, timeoutS: number): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.done.aborted) return resolve();
    const timer = timeoutS > 0 ? setTimeout(finish, timeoutS * 1000) : null;
    function finish(): void {
      if (timer) clearTimeout(timer);
      ctx.done.removeEventListener('abort', finish);
      resolve();
    }
    ctx.done.addEventListener('abort', finish, { once: true });
  });
}

const SIGNATURE_TYPES: Record<number, string> = {
  [BlobmsgType.INT8]: '"Boolean"',
  [BlobmsgType.INT32]: '"Integer"',
  [BlobmsgType.STRING]: '"String"',
  [BlobmsgType.ARRAY]: '"Array"',
  [BlobmsgType.TABLE]: '"Table"',
};

const list: Command = async ({ client, opts, io }, args) => {
  if (args.length > 1) return -2;
  let objs;
  try {
    objs = await client.lookup(args[0]);
  } catch (err) {
    return statusOf(err);
  }
  for (const o of objs) {
    if (opts.simple || !opts.verbose) {
      io.stdout(`${o.path}\n`);
      continue;
    }
    io.stdout(`'${o.path}' @${o.id.toString(16).padStart(8, '0')}\n`);
    if (!o.rawSignature) continue;
    // cli.c's format_type: an int32 leaf is a type id, printed by name.
    const lines = formatBlobmsgElement(o.rawSignature, 0, o.rawSignature.length, (type, buf, start) =>
      type === BlobmsgType.INT32 ? (SIGNATURE_TYPES[buf.readUInt32BE(start)] ?? '"(unknown)"') : null,
    );
    for (const l of lines) io.stdout(`\t${l}\n`);
  }
  return 0;
};

function parseMessage(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return {};
  try {
    return parseUbusJson(text);
  } catch {
    return null;
  }
}

const call: Command = async (ctx, args) => {
  if (args.length < 2 || args.length > 3) return -2;
  const msg = parseMessage(args[2]);
  if (!msg) return cliError(ctx, 'call', args, Status.PARSE_ERROR);
  try {
    await ctx.client.lookupId(args[0]!);
  } catch (err) {
    return statusOf(err);
  }
  try {
    const replies = await ctx.client.callRaw(args[0]!, args[1]!, msg, { timeoutMs: ctx.client.defaultTimeoutMs });
    for (const r of replies) ctx.io.stdout(`${formatBlobmsgJson(r, ctx.opts.simple ? -1 : 0)}\n`);
  } catch (err) {
    return cliError(ctx, 'call', args, statusOf(err));
  }
  return 0;
};

const send: Command = async ({ client }, args) => {
  if (args.length < 1 || args.length > 2) return -2;
  const msg = parseMessage(args[1]);
  if (!msg) return Status.PARSE_ERROR;
  try {
    await client.sendEvent(args[0]!, msg);
  } catch (err) {
    return statusOf(err);
  }
  return 0;
};

function printEvent(io: CliIo, type: string, raw: Buffer): void {
  io.stdout(`{ "${type}": ${formatBlobmsgJson(raw, -1)} }\n`);
}

const listen: Command = async (ctx, args) => {
  const patterns = args.length > 0 ? args : ['*'];
  for (const p of patterns) {
    try {
      await ctx.client.listen(p, (type, _data, raw) => printEvent(ctx.io, type, raw));
    } catch (err) {
      if (!ctx.opts.simple) ctx.io.stderr(`Error while registering for event '${p}': ${statusText(statusOf(err))}\n`);
      return -1;
    }
  }
  await waitDone(ctx, ctx.opts.listenTimeoutS);
  return 0;
};

const subscribe: Command = async (ctx, args) => {
  if (args.length === 0) {
    if (!ctx.opts.simple) ctx.io.stderr('You need to specify an object to subscribe to\n');
    return -1;
  }
  for (const path of args) {
    try {
      // cli.c looks the object up first: a missing object is an error, not a wait.
      await ctx.client.lookupId(path);
      await ctx.client.subscribe(path, (method, _data, raw) => printEvent(ctx.io, method, raw));
    } catch (err) {
      if (!ctx.opts.simple) ctx.io.stderr(`Error while registering for event '${args[0]}': ${statusText(statusOf(err))}\n`);
      return -1;
    }
  }
  await waitDone(ctx, ctx.opts.listenTimeoutS);
  return 0;
};

/** Registers for ubus.object.add first, then lists, so an object added in between is not missed. */
const waitForObjects: Command = async (ctx, args) => {
  if (args.length < 1) return -2;
  let pending = [...args];
  const seen = (path: string): void => {
    pending = pending.filter((p) => p !== path);
  };
  let wake: () => void = () => undefined;
  try {
    await ctx.client.listen('ubus.object.add', (type, data) => {
      if (type !== 'ubus.object.add' || typeof data.path !== 'string') return;
      seen(data.path);
      if (pending.length === 0) wake();
    });
    for (const o of await ctx.client.lookup()) seen(o.path);
  } catch (err) {
    return statusOf(err);
  }
  if (pending.length === 0) return 0;
  await new Promise<void>((resolve) => {
    // uloop_timeout_set(0) fires at once: -t 0 only checks what is there.
    const timer = setTimeout(finish, ctx.opts.timeoutS * 1000);
    function finish(): void {
      clearTimeout(timer);
      ctx.done.removeEventListener('abort', finish);
      resolve();
    }
    wake = finish;
    ctx.done.addEventListener('abort', finish, { once: true });
    if (ctx.done.aborted) finish();
  });
  return pending.length > 0 ? Status.TIMEOUT : 0;
};

const monitor: Command = async (ctx) => {
  const { opts, io } = ctx;
  let mon;
  try {
    mon = await ctx.client.monitor((m) => {
      if (opts.monitorMask && m.type < 32 && !(opts.monitorMask & (1 << m.type))) return;
      if (opts.monitorDir >= 0 && Number(m.send) !== opts.monitorDir) return;
      io.stdout(`${formatMonitorLine(m)}\n`);
    });
  } catch (err) {
    return statusOf(err);
  }
  await waitDone(ctx, 0);
  await mon.stop();
  return 0;
};

const COMMANDS: Record<string, Command> = { list, call, listen, subscribe, send, wait_for: waitForObjects, monitor };

export interface UbusCliOptions {
  /** Ends listen, subscribe, monitor and wait_for (SIGINT/SIGTERM in the real command). */
  signal?: AbortSignal;
  /** Whether stderr is a terminal: cli.c reports failed calls differently then (default false, as in scripts). */
  stderrIsTty?: boolean;
}

/** The command with an abort signal; tests call this. Returns the exit code (0..255). */
export async function runUbusCli(argv: string[], io: CliIo, options: UbusCliOptions = {}): Promise<number> {
  const parsed = parseOptions(argv);
  if (!parsed || parsed.rest.length < 1) return usage(io);
  const { opts, rest } = parsed;
  const [cmd, ...args] = rest;
  const timeoutMs = opts.timeoutS > 0 ? opts.timeoutS * 1000 : 2 ** 31 - 1;
  const done = new AbortController();
  options.signal?.addEventListener('abort', () => done.abort(), { once: true });
  if (options.signal?.aborted) done.abort();
  const client = new UbusClient({ socketPath: opts.socket, reconnect: false, defaultTimeoutMs: timeoutMs, onDisconnect: () => done.abort() });
  try {
    await client.connect();
  } catch {
    if (!opts.simple) io.stderr('Failed to connect to ubus\n');
    return 255;
  }
  let ret: number;
  try {
    const command = Object.prototype.hasOwnProperty.call(COMMANDS, cmd!) ? COMMANDS[cmd!] : undefined;
    ret = command ? await command({ client, opts, io, done: done.signal, stderrIsTty: options.stderrIsTty === true }, args) : -2;
  } catch (err) {
    ret = statusOf(err);
  } finally {
    await client.close();
  }
  if (ret > 0 && !opts.simple) io.stderr(`Command failed: ${statusText(ret)}\n`);
  else if (ret === -2) usage(io);
  // main() returns ret: the shell sees it modulo 256.
  return ret & 0xff;
}

export const ubusCommand: CliCommand = (argv, io) => {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return runUbusCli(argv, io, { signal: ac.signal, stderrIsTty: process.stderr.isTTY === true }).finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
};
