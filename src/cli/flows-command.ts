import { parseArgs } from 'node:util';
import type { ClassRule } from '../model/config.js';
import type { Clock, CommandRunner, ProcessSpawner, SysfsReader } from '../model/ports.js';
import { DEFAULT_MARK_MASK } from '../model/mark-layout.js';
import { formatProblem, loadConfig } from '../config/index.js';
import { FlowTracker } from '../flows/flow-tracker.js';
import type { ConnectionView } from '../flows/connection-table.js';
import { ExecFileRunner } from '../os/exec-runner.js';
import { ChildProcessSpawner } from '../os/spawner.js';
import { SystemClock } from '../os/clock.js';
import { FsSysfsReader } from '../os/sysfs.js';
import { LineLogger } from '../os/logger.js';
import type { CliCommand } from './io.js';

/**
 * `modemflow flows`: what the flow tracker sees now: reads the conntrack
 * table twice (an interval apart, for rates) and prints the flow groups the
 * solver would get, with their classes, demand and modem slot.
 */

const USAGE = `usage: modemflow flows --lan CIDR [--lan CIDR ...] [options]

  --lan CIDR         a LAN prefix, IPv4 or IPv6 (repeatable, at least one)
  --config DIR       take class rules and the mark mask from DIR/modemflow
  --procfs           read /proc/net/nf_conntrack instead of running conntrack -L
  --netns NAME       look inside a network namespace (test bed)
  --interval-ms N    time between the two readings (default 2000)
  --connections      also list every connection
  --json             print status, groups and connections as JSON
`;

export interface FlowsCommandDeps {
  runner: CommandRunner;
  spawner: ProcessSpawner;
  clock: Clock;
  sysfs: SysfsReader;
  sleep(ms: number): Promise<void>;
}

function realDeps(): FlowsCommandDeps {
  const clock = new SystemClock();
  return {
    runner: new ExecFileRunner(),
    spawner: new ChildProcessSpawner(),
    clock,
    sysfs: new FsSysfsReader('/'),
    sleep: (ms) => new Promise((resolve) => clock.setTimeout(resolve, ms)),
  };
}

const kbps = (v: number | null): string => (v === null ? '-' : v >= 10_000 ? `${(v / 1000).toFixed(1)}M` : `${Math.round(v)}k`);

function connectionLine(c: ConnectionView): string {
  const e = c.entry;
  const ep = (a: string, p: number | null): string => (e.family === 6 ? `[${a}]` : a) + (p === null ? '' : `:${p}`);
  return `  ${e.proto.padEnd(6)} ${`${ep(e.orig.src, e.orig.sport)} > ${ep(e.orig.dst, e.orig.dport)}`.padEnd(60)} ${c.className.padEnd(15)} ${c.classSource.padEnd(5)} up ${kbps(c.upKbps).padStart(6)} down ${kbps(c.downKbps).padStart(6)}  ${c.groupId ?? '(not placed)'}`;
}

export function makeFlowsCommand(deps: () => FlowsCommandDeps): CliCommand {
  return async (argv, io) => {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          lan: { type: 'string', multiple: true },
          config: { type: 'string' },
          procfs: { type: 'boolean' },
          netns: { type: 'string' },
          'interval-ms': { type: 'string' },
          connections: { type: 'boolean' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      io.stderr(`modemflow flows: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (!values.lan || values.lan.length === 0) {
      io.stderr(`modemflow flows: --lan is required (the LAN prefixes tell LAN hosts from the router and the internet)\n${USAGE}`);
      return 2;
    }
    const intervalMs = values['interval-ms'] === undefined ? 2000 : Number(values['interval-ms']);
    if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 60_000) {
      io.stderr(`modemflow flows: --interval-ms: expected an integer 100..60000, got '${values['interval-ms']}'\n`);
      return 2;
    }
    let classes: ClassRule[] = [];
    let markMask = DEFAULT_MARK_MASK;
    if (values.config !== undefined) {
      const cfg = loadConfig(values.config);
      for (const w of cfg.warnings) io.stderr(`${formatProblem(w)}\n`);
      if (!cfg.ok) {
        for (const p of cfg.errors) io.stderr(`${formatProblem(p)}\n`);
        return 1;
      }
      classes = cfg.value.classes;
      markMask = cfg.value.globals.markMask;
    }
    const d = deps();
    const logger = new LineLogger((l) => io.stderr(`${l}\n`), 'warn');
    // One reading now and one after the interval: the tracker's own timer stays out of the way.
    const tracker = new FlowTracker(
      { runner: d.runner, spawner: d.spawner, clock: d.clock, logger, sysfs: d.sysfs },
      {
        source: values.procfs ? 'procfs' : 'conntrack',
        events: false,
        ...(values.netns !== undefined ? { netns: values.netns } : {}),
        pollIntervalMs: 3_600_000,
        rateWindowMs: 3_600_000,
        minRateSpanMs: 1,
        measureMinAgeS: 0,
        markMask,
        lanPrefixes: values.lan,
        classes,
      },
    );
    const started = await tracker.start();
    if (!started.ok) {
      for (const e of started.errors) io.stderr(`modemflow flows: ${e}\n`);
      return 2;
    }
    try {
      await d.sleep(intervalMs);
      await tracker.pollNow();
    } finally {
      tracker.stop();
    }
    const status = tracker.status();
    const groups = tracker.groups();
    const conns = tracker.connections();
    if (values.json) {
      io.stdout(`${JSON.stringify({ status, groups, connections: values.connections ? conns : undefined }, null, 2)}\n`);
      return status.lastPollOk ? 0 : 1;
    }
    if (!status.lastPollOk) {
      io.stderr(`modemflow flows: ${status.lastError ?? 'no reading'}\n`);
      return 1;
    }
    const ex = status.excluded;
    io.stdout(
      `source ${status.source}, accounting ${status.accounting}${status.accountingProblem ? ` (${status.accountingProblem})` : ''}\n` +
        `${status.connections} connections: ${groups.reduce((n, g) => n + g.connections, 0)} in ${groups.length} groups; ` +
        `not placed: ${ex['not-from-lan']} not from the LAN, ${ex['lan-internal']} inside the LAN, ${ex['local-scope']} local scope, ${ex.closing} closing\n\n`,
    );
    io.stdout(`${'group'.padEnd(56)} qos ${'up'.padStart(6)} ${'down'.padStart(6)} demand   conns slot pinned\n`);
    for (const g of groups) {
      io.stdout(
        `${g.id.padEnd(56)} ${g.qos}   ${kbps(g.upKbps).padStart(6)} ${kbps(g.downKbps).padStart(6)} ${(g.measured ? 'measured' : 'class').padEnd(8)} ${String(g.connections).padStart(5)} ${String(g.currentSlot ?? '-').padStart(4)} ${g.pinnedByNat ? 'yes' : 'no'}\n`,
      );
    }
    if (values.connections) {
      io.stdout('\nconnections:\n');
      for (const c of conns) io.stdout(`${connectionLine(c)}\n`);
    }
    return 0;
  };
}

export const flowsCommand: CliCommand = makeFlowsCommand(realDeps);
