/**
 * `modemflow ubusd [-s SOCKET]`: runs the ubusd-like broker of src/ubus in the
 * foreground until SIGINT/SIGTERM (for dev machines, tests and `make demo`).
 */
import type { CliCommand, CliIo } from './io.js';
import { DEFAULT_UBUS_SOCKET, UbusBroker } from '../ubus/index.js';
import { LineLogger } from '../os/logger.js';

/** Runs the broker until signal aborts; returns the exit code. */
export async function runUbusdCli(argv: string[], io: CliIo, options: { signal?: AbortSignal } = {}): Promise<number> {
  let socketPath = DEFAULT_UBUS_SOCKET;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-s' && argv[i + 1] !== undefined) socketPath = argv[++i]!;
    else if (a.startsWith('-s') && a.length > 2) socketPath = a.slice(2);
    else if (a === '-v') verbose = true;
    else {
      io.stderr('Usage: modemflow ubusd [-s <socket>] [-v]\n');
      return 1;
    }
  }
  const logger = new LineLogger((line) => io.stderr(line + '\n'), verbose ? 'debug' : 'info');
  const broker = new UbusBroker({ socketPath, logger });
  try {
    await broker.start();
  } catch (err) {
    io.stderr(`modemflow ubusd: cannot listen on ${socketPath}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (!options.signal?.aborted) {
    await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
  }
  await broker.stop();
  return 0;
}

export const ubusdCommand: CliCommand = (argv, io) => {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return runUbusdCli(argv, io, { signal: ac.signal }).finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
};
