import type { PowerConfig } from '../model/config.js';
import type { SysfsReader, UbusCaller } from '../model/ports.js';
import { computePowerLimit, powerLimitChanged } from './power-limit.js';
import type { PowerLimit } from './power-limit.js';
import { modelPower } from './power-model.js';
import type { ModelledPower, ModemLoad } from './power-model.js';
import { comparePower, readPowerSensors } from './power-sensor.js';
import type { PowerComparison, PowerSensorReading } from './power-sensor.js';
import { readConfiguredSupply } from './supply-reader.js';
import type { PowerSupplyReading } from './supply-reading.js';

/**
 * The power management subsystem (thesis 002, line 920) as the daemon uses
 * it: on each refresh, read the supply and the power sensors through the
 * ports, recompute P_max, and compare measured with modelled power. All of
 * it goes to the status page; `changed` tells the daemon to run a full
 * solve.
 */

export interface PowerStatus {
  limit: PowerLimit;
  /** P_max moved enough (or its basis changed) to re-solve. */
  changed: boolean;
  reading: PowerSupplyReading | null;
  readingErrors: string[];
  modelled: ModelledPower;
  sensors: PowerSensorReading[];
  sensorProblems: string[];
  /** Null when no power sensor is there. */
  comparison: PowerComparison | null;
}

export interface PowerManagerOptions {
  /** hwmon sensors to compare (e.g. 'hwmon1/power1'); empty = all of them. */
  sensorIds: readonly string[];
}

export class PowerManager {
  private last: PowerLimit | null = null;
  private readonly options: PowerManagerOptions;

  constructor(
    private readonly config: PowerConfig,
    private readonly ports: { sysfs: SysfsReader; ubus: UbusCaller | null },
    options: Partial<PowerManagerOptions> = {},
  ) {
    this.options = { sensorIds: [], ...options };
  }

  /** The last limit computed, for the solver; null before the first refresh. */
  current(): PowerLimit | null {
    return this.last;
  }

  async refresh(loads: readonly ModemLoad[]): Promise<PowerStatus> {
    const read = await readConfiguredSupply(this.config, this.ports);
    const reading = read.ok ? read.value : null;
    const limit = computePowerLimit(this.config, reading);
    if (!read.ok) limit.problems.unshift(...read.errors);
    const changed = powerLimitChanged(this.last, limit);
    if (changed) this.last = limit;
    const modelled = modelPower(this.config.baseLoadW, loads);
    const scan = await readPowerSensors(this.ports.sysfs);
    return {
      limit,
      changed,
      reading,
      readingErrors: read.ok ? [] : read.errors,
      modelled,
      sensors: scan.sensors,
      sensorProblems: scan.problems,
      comparison: comparePower(scan, modelled.totalW, this.options.sensorIds),
    };
  }
}
