/**
 * `modemflow ubus`: the `ubus` tool (openwrt/ubus cli.c) for dev machines and
 * routers: same options, output and exit codes (a ubus status number on
 * failure, 255 when it cannot connect or parse the message, 254 after a
 * usage error in a command's arguments, 1 for bad options).
 */
import type { CliCommand, CliIo } from './io.js';
import { getopt } from './getopt.js';
import { BlobmsgType, DEFAULT_UBUS_SOCKET, formatBlobmsgElement, formatBlobmsgJson, parseUbusJson, statusText, UbusClient, UbusError } from '../ubus/index.js';

const EXIT_FAILED = 255; // cli.c returns -1
const EXIT_USAGE = 254; // cli.c returns -2 after printing usage

interface Options {
  socket: string;
  timeoutS: number;
  simple: boolean;
  verbose: number;
}

function usage(io: CliIo): number {
  io.stderr(
    'Usage: modemflow ubus [<options>] <command> [arguments...]\n' +
      'Options:\n' +
      ' -s <socket>:\t\tSet the unix domain socket to connect to\n' +
      ' -t <timeout>:\t\tSet the timeout (in seconds) for a command to complete\n' +
      ' -S:\t\t\tUse simplified output (for scripts)\n' +
      ' -v:\t\t\tMore verbose output\n' +
      '\n' +
      'Commands:\n' +
      ' - list [<path>]\t\t\tList objects\n' +
      ' - call <path> <method> [<message>]\tCall an object method\n' +
      ' - listen [<path>...]\t\t\tListen for events\n' +
      ' - send <type> [<message>]\t\tSend an event\n' +
      '\n',
  );
  return 1;
}

function parseOptions(argv: string[]): { opts: Options; rest: string[] } | null {
  const parsed = getopt(argv, 'vs:t:S');
  if (!parsed.ok) return null;
  const opts: Options = { socket: DEFAULT_UBUS_SOCKET, timeoutS: 30, simple: false, verbose: 0 };
  for (const { name, value } of parsed.options) {
    if (name === 'v') opts.verbose++;
    else if (name === 'S') opts.simple = true;
    else if (name === 's') opts.socket = value!;
    else if (name === 't') opts.timeoutS = Number.parseInt(value!, 10) || 0; // atoi
  }
  return { opts, rest: parsed.rest };
}

const SIGNATURE_TYPES: Record<number, string> = {
  [BlobmsgType.INT8]: '"Boolean"',
  [BlobmsgType.INT32]: '"Integer"',
  [BlobmsgType.STRING]: '"String"',
  [BlobmsgType.ARRAY]: '"Array"',
  [BlobmsgType.TABLE]: '"Table"',
};

async function list(client: UbusClient, args: string[], opts: Options, io: CliIo): Promise<number> {
  if (args.length > 1) return -2;
  const objs = await client.lookup(args[0]);
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
}

function parseMessage(text: string | undefined, opts: Options, io: CliIo): Record<string, unknown> | null {
  if (text === undefined) return {};
  try {
    return parseUbusJson(text);
  } catch {
    if (!opts.simple) io.stderr('Failed to parse message data\n');
    return null;
  }
}

async function call(client: UbusClient, args: string[], opts: Options, io: CliIo): Promise<number> {
  if (args.length < 2 || args.length > 3) return -2;
  const msg = parseMessage(args[2], opts, io);
  if (!msg) return -1;
  const replies = await client.callRaw(args[0]!, args[1]!, msg, { timeoutMs: client.defaultTimeoutMs });
  for (const r of replies) io.stdout(`${formatBlobmsgJson(r, opts.simple ? -1 : 0)}\n`);
  return 0;
}

async function send(client: UbusClient, args: string[], opts: Options, io: CliIo): Promise<number> {
  if (args.length < 1 || args.length > 2) return -2;
  const msg = parseMessage(args[1], opts, io);
  if (!msg) return -1;
  await client.sendEvent(args[0]!, msg);
  return 0;
}

async function listen(client: UbusClient, args: string[], opts: Options, io: CliIo, signal: AbortSignal): Promise<number> {
  const patterns = args.length > 0 ? args : ['*'];
  for (const p of patterns) {
    try {
      await client.listen(p, (type, _data, raw) => io.stdout(`{ "${type}": ${formatBlobmsgJson(raw, -1)} }\n`));
    } catch (err) {
      if (!opts.simple) io.stderr(`Error while registering for event '${p}': ${statusText(err instanceof UbusError ? err.status : 9)}\n`);
      return -1;
    }
  }
  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  return 0;
}

/** The command with an abort signal (listen runs until it fires); tests call this. */
export async function runUbusCli(argv: string[], io: CliIo, options: { signal?: AbortSignal } = {}): Promise<number> {
  const parsed = parseOptions(argv);
  if (!parsed || parsed.rest.length < 1) return usage(io);
  const { opts, rest } = parsed;
  const [cmd, ...args] = rest;
  const timeoutMs = opts.timeoutS > 0 ? opts.timeoutS * 1000 : 2 ** 31 - 1;
  // listen ends when the caller aborts or ubusd goes away (as uloop ends on connection_lost).
  const done = new AbortController();
  options.signal?.addEventListener('abort', () => done.abort(), { once: true });
  if (options.signal?.aborted) done.abort();
  const client = new UbusClient({ socketPath: opts.socket, reconnect: false, defaultTimeoutMs: timeoutMs, onDisconnect: () => done.abort() });
  try {
    await client.connect();
  } catch {
    if (!opts.simple) io.stderr('Failed to connect to ubus\n');
    return EXIT_FAILED;
  }
  let ret: number;
  try {
    if (cmd === 'list') ret = await list(client, args, opts, io);
    else if (cmd === 'call') ret = await call(client, args, opts, io);
    else if (cmd === 'send') ret = await send(client, args, opts, io);
    else if (cmd === 'listen') ret = await listen(client, args, opts, io, done.signal);
    else ret = -2;
  } catch (err) {
    ret = err instanceof UbusError ? err.status : 9;
  } finally {
    await client.close();
  }
  if (ret > 0 && !opts.simple) io.stderr(`Command failed: ${statusText(ret)}\n`);
  else if (ret === -2) usage(io);
  return ret === -1 ? EXIT_FAILED : ret === -2 ? EXIT_USAGE : ret;
}

export const ubusCommand: CliCommand = (argv, io) => {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return runUbusCli(argv, io, { signal: ac.signal }).finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
};
