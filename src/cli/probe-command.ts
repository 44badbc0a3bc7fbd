import type { CliCommand } from './io.js';
import { PathProbe } from '../metrics/probe/path-probe.js';
import { detectPingDialect, isIpLiteral } from '../metrics/probe/ping-output.js';
import { SystemClock } from '../os/clock.js';
import { ChildProcessSpawner } from '../os/spawner.js';
import { ExecFileRunner } from '../os/exec-runner.js';
import { LineLogger } from '../os/logger.js';
import { MAX_PROBE_INTERVAL_S, MIN_PROBE_INTERVAL_S } from '../config/schema.js';

const USAGE = `usage: modemflow probe --source ADDRESS [--interval SECONDS (0.5-3600)] [--duration SECONDS] TARGET...

Probes TARGETs continuously from ADDRESS (a modem's address, so the probes
leave through that modem only) and prints RTT, jitter and loss over the short
(5 s) and long (60 s) windows once a second. Exit 0 if the path answers at
the end, 1 if it is dead, 2 on bad arguments.
`;

/** `modemflow probe`: one modem's path, as the metrics collector sees it. */
export const probeCommand: CliCommand = async (argv, io) => {
  let source: string | null = null;
  let intervalS = 0.5;
  let intervalRaw = '0.5';
  let durationS = 10;
  const targets: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string | undefined => argv[++i];
    if (a === '-h' || a === '--help') {
      io.stdout(USAGE);
      return 0;
    } else if (a === '--source') source = next() ?? null;
    else if (a === '--interval') {
      intervalRaw = next() ?? '';
      intervalS = Number(intervalRaw);
    } else if (a === '--duration') durationS = Number(next());
    else if (a.startsWith('-')) {
      io.stderr(`modemflow probe: unknown option '${a}'\n${USAGE}`);
      return 2;
    } else targets.push(a);
  }
  const bad = (msg: string): number => {
    io.stderr(`modemflow probe: ${msg}\n`);
    return 2;
  };
  if (source === null || !isIpLiteral(source)) return bad('--source must be the modem\'s IP address');
  if (targets.length === 0) return bad('give at least one TARGET IP address');
  const badTarget = targets.find((x) => !isIpLiteral(x));
  if (badTarget !== undefined) return bad(`target '${badTarget}' is not an IP address`);
  if (!(intervalS >= MIN_PROBE_INTERVAL_S && intervalS <= MAX_PROBE_INTERVAL_S)) {
    return bad(`--interval must be at least ${MIN_PROBE_INTERVAL_S} and at most ${MAX_PROBE_INTERVAL_S} seconds, got '${intervalRaw}'`);
  }
  if (!(durationS > 0 && durationS <= 86_400)) return bad('--duration must be 1 s to 1 day');

  const clock = new SystemClock();
  const dialect = await detectPingDialect(new ExecFileRunner());
  const logger = new LineLogger((l) => io.stderr(l + '\n'), 'warn');
  const probe = new PathProbe({ spawner: new ChildProcessSpawner(), clock, logger }, { modem: 'cli', targets, intervalMs: intervalS * 1000, source, dialect });
  probe.start();
  const fmt = (v: number | null, unit: string): string => (v === null ? '-' : `${v}${unit}`);
  try {
    for (let leftMs = durationS * 1000; leftMs > 0; leftMs -= 1000) {
      await new Promise<void>((r) => clock.setTimeout(r, Math.min(1000, leftMs)));
      const s = probe.stats();
      io.stdout(
        `${s.alive ? 'alive' : 'DEAD '} short rtt ${fmt(s.short.rttMs, 'ms')} jitter ${fmt(s.short.jitterMs, 'ms')} loss ${fmt(s.short.lossPct, '%')} (${s.short.samples})` +
          ` | long rtt ${fmt(s.long.rttMs, 'ms')} loss ${fmt(s.long.lossPct, '%')} (${s.long.samples})\n`,
      );
    }
    return probe.stats().alive ? 0 : 1;
  } finally {
    probe.stop();
  }
};
