import { SystemClock } from '../os/clock.js';
import { ExecFileRunner } from '../os/exec-runner.js';
import { LineLogger } from '../os/logger.js';
import { ChildProcessSpawner } from '../os/spawner.js';
import { FsSysfsReader } from '../os/sysfs.js';
import { UbusClient } from '../ubus/client.js';
import { DAEMON_USAGE, parseDaemonArgs } from './args.js';
import { composeDaemon } from './compose.js';
import type { Composed } from './compose.js';

/**
 * modemflowd: the composition root. Builds the real OS ports (execFile,
 * child processes, the system clock, sysfs, a line logger on stderr that
 * procd forwards to logd) and the ubus connection, hands them to
 * composeDaemon, and turns signals into reload and a clean stop. An
 * unrecoverable error exits non-zero so procd restarts it; the next start
 * reconciles what was left.
 */
async function main(argv: string[]): Promise<number> {
  const parsed = parseDaemonArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(parsed.error ? `modemflowd: ${parsed.error}\n${DAEMON_USAGE}` : DAEMON_USAGE);
    return parsed.help ? 0 : 2;
  }
  const args = parsed.args;
  const logger = new LineLogger((l) => process.stderr.write(l + '\n'), 'info');
  const clock = new SystemClock();
  const ubus = new UbusClient({
    socketPath: args.ubusSocket,
    logger,
    onConnect: () => logger.info('ubus connected', { socket: args.ubusSocket }),
    onDisconnect: (e) => logger.warn('ubus connection lost; reconnecting', { error: e.message }),
  });
  // procd starts us after ubusd, but ubusd may be restarting: wait for it.
  for (let attempt = 0; ; attempt++) {
    try {
      await ubus.connect();
      break;
    } catch (e) {
      if (attempt === 0) logger.warn('ubus not reachable yet; retrying', { socket: args.ubusSocket, error: e instanceof Error ? e.message : String(e) });
      if (stopRequested) return 0;
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** Math.min(attempt, 5))));
    }
  }
  let composed: Composed;
  try {
    composed = await composeDaemon(
      args,
      {
        runner: new ExecFileRunner(),
        spawner: new ChildProcessSpawner(),
        clock,
        sysfs: new FsSysfsReader('/'),
        logger,
        setLogLevel: (l) => logger.setLevel(l),
        now: () => performance.now(),
      },
      ubus,
    );
  } catch (e) {
    logger.error('start-up failed', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    await ubus.close().catch(() => undefined);
    return 1;
  }
  logger.info('modemflowd running', { config: args.configDir, socket: args.ubusSocket, dryRun: args.dryRun || undefined, netns: args.netns ?? undefined });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number, why: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { why });
      // Never hang in stop: procd would SIGKILL us anyway after its timeout.
      const hard = setTimeout(() => resolve(code), 10_000);
      composed
        .stop()
        .catch((e: unknown) => logger.error('stop failed', { error: e instanceof Error ? e.message : String(e) }))
        .finally(() => {
          clearTimeout(hard);
          void ubus.close().finally(() => resolve(code));
        });
    };
    process.on('SIGHUP', () => void composed.daemon.reload('SIGHUP'));
    process.on('SIGTERM', () => stop(0, 'SIGTERM'));
    process.on('SIGINT', () => stop(0, 'SIGINT'));
    process.on('uncaughtException', (e) => {
      logger.error('unrecoverable error', { error: e.stack ?? e.message });
      stop(1, 'uncaught exception');
    });
    process.on('unhandledRejection', (e) => {
      logger.error('unhandled rejection', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    });
  });
}

let stopRequested = false;
const early = () => {
  stopRequested = true;
};
process.once('SIGTERM', early);
process.once('SIGINT', early);

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`modemflowd: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
