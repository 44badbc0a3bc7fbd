import { publishModemflowObject } from '../api/ubus-object.js';
import { loadConfig } from '../config/load-config.js';
import { FlowTracker } from '../flows/flow-tracker.js';
import { MetricsCollector } from '../metrics/collector.js';
import { detectPingDialect } from '../metrics/probe/ping-output.js';
import { NetifdProvider } from '../metrics/providers/netifd.js';
import { SerialAtPortOpener } from '../metrics/at/serial-at-port.js';
import { defaultRadioProviders } from '../metrics/radio-select.js';
import type { Clock, CommandRunner, Logger, LogLevel, ProcessSpawner, SysfsReader } from '../model/ports.js';
import { MODEMFLOW_VERSION } from '../model/version.js';
import { PowerActionExecutor } from '../power/executor.js';
import { PowerManager } from '../power/power-manager.js';
import { RoutingController } from '../routing/controller.js';
import { NetnsRunner } from '../routing/netns-runner.js';
import type { UbusClient } from '../ubus/client.js';
import type { DaemonArgs } from './args.js';
import { Daemon } from './daemon.js';
import { DaemonApi } from './daemon-api.js';
import { lanFromNetifd, mwan3Running } from './lan.js';
import { FileQuotaStore } from './quota-store.js';
import { daemonSolve } from './solver.js';
import type { DaemonPart } from './daemon.js';
import type { ModemflowConfig } from '../model/config.js';
import type { SysfsReader as Sysfs } from '../model/ports.js';
import { FileOutboxStore, Telemetry } from '../telemetry/index.js';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** The OS as the daemon reaches it: real in main.ts, recording fakes in tests. */
export interface OsPorts {
  runner: CommandRunner;
  spawner: ProcessSpawner;
  clock: Clock;
  sysfs: SysfsReader;
  logger: Logger;
  setLogLevel(level: LogLevel): void;
  /** High-resolution ms for solve times (performance.now on the router). */
  now(): number;
}

export interface Composed {
  daemon: Daemon;
  api: DaemonApi;
  /** Stops the daemon (routing removed, modems restored) and unpublishes the object. */
  stop(): Promise<void>;
}

/**
 * The composition root's body: builds the real implementations of every
 * part on the given OS ports and ubus connection, wires them into the
 * daemon, publishes the `modemflow` object and follows netifd's interface
 * events. Nothing else in modemflow constructs these parts.
 */
export async function composeDaemon(args: DaemonArgs, os: OsPorts, ubus: UbusClient): Promise<Composed> {
  const runner: CommandRunner = args.netns ? new NetnsRunner(os.runner, args.netns) : os.runner;
  const dialect = await detectPingDialect(runner);
  const radios = defaultRadioProviders(ubus, runner, new SerialAtPortOpener());
  const link = new NetifdProvider(ubus);
  const utcOffsetMin = () => -new Date(os.clock.now()).getTimezoneOffset();
  const configFile = `${args.configDir.replace(/\/+$/, '') || '/'}/modemflow`;
  const daemon = new Daemon({
    clock: os.clock,
    logger: os.logger,
    setLogLevel: os.setLogLevel,
    loadConfig: () => loadConfig(args.configDir),
    configFile,
    collector: (cfg, onUpdate) =>
      new MetricsCollector(
        {
          clock: os.clock,
          logger: os.logger,
          link,
          radios,
          probes: { spawner: os.spawner, dialect, ...(args.netns ? { netns: args.netns } : {}) },
        },
        [cfg],
        { onUpdate, utcOffsetMin: utcOffsetMin() },
      ),
    tracker: (options, onGroups) => new FlowTracker({ runner: os.runner, spawner: os.spawner, clock: os.clock, logger: os.logger, sysfs: os.sysfs, onGroups }, options),
    routing: (settings) => (args.dryRun ? null : new RoutingController({ runner, logger: os.logger, settings })),
    power: (config) => new PowerManager(config, { sysfs: os.sysfs, ubus }),
    executor: args.dryRun ? null : new PowerActionExecutor(ubus),
    quotaStore: new FileQuotaStore(args.stateDir),
    solve: (inst) => daemonSolve(inst, os.now),
    lan: (ifaces) => lanFromNetifd(ubus, ifaces),
    mwan3Running: () => mwan3Running(ubus),
    utcOffsetMin,
    netns: args.netns,
    dryRun: args.dryRun,
  });
  const api = new DaemonApi(daemon, os.clock, MODEMFLOW_VERSION, utcOffsetMin, os.now);
  const identity = { hostname: hostname(), baseMac: await baseMac(os.sysfs) };
  daemon.addPart(
    telemetryPart(() => daemon.cfg, (cfg) =>
      new Telemetry(
        { read: api, control: api, clock: os.clock, logger: os.logger, identity, readFile: (p) => readFile(p), outboxStore: cfg.telemetry.queueFile ? new FileOutboxStore() : null },
        cfg.telemetry,
      ),
    ),
  );
  await daemon.start();
  const published = await publishModemflowObject(ubus, api, api, os.logger);
  // netifd announces ifup/ifdown as `network.interface` events: act on them at once.
  const listener = await ubus.listen('network.interface', (_type, data) => {
    const iface = data['interface'];
    const action = data['action'];
    if (typeof iface === 'string' && typeof action === 'string') daemon.interfaceEvent(iface, action);
  });
  return {
    daemon,
    api,
    stop: async () => {
      await listener.remove().catch(() => undefined);
      await published.stop();
      await daemon.stop();
    },
  };
}

/** Telemetry follows the configuration: built once a configuration exists, reconfigured on reload. */
function telemetryPart(current: () => ModemflowConfig | null, make: (cfg: ModemflowConfig) => Telemetry): DaemonPart {
  let tel: Telemetry | null = null;
  const ensure = (cfg: ModemflowConfig | null): void => {
    if (!cfg) return;
    if (tel) tel.reconfigure(cfg.telemetry);
    else {
      tel = make(cfg);
      tel.start();
    }
  };
  return {
    name: 'telemetry',
    start: () => ensure(current()),
    stop: async () => {
      await tel?.stop();
      tel = null;
    },
    reconfigure: (cfg) => ensure(cfg),
  };
}

/** The router's base MAC for the derived device id: the LAN bridge, else the first Ethernet device. */
async function baseMac(sysfs: Sysfs): Promise<string | null> {
  const names = await sysfs.list('/sys/class/net');
  for (const dev of ['br-lan', 'eth0', ...names.filter((n) => n !== 'lo')]) {
    const mac = await sysfs.read(`/sys/class/net/${dev}/address`);
    if (mac && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac) && mac !== '00:00:00:00:00:00') return mac.toLowerCase();
  }
  return null;
}
