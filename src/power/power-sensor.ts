import type { SysfsReader } from '../model/ports.js';

/**
 * Measured power from hwmon sensors (`/sys/class/hwmon/hwmonN/powerK_input`,
 * microwatts per the kernel's hwmon sysfs ABI), e.g. an INA2xx on the
 * modem or board supply rail.
 */

export const HWMON_CLASS = '/sys/class/hwmon';

export interface PowerSensorReading {
  /** 'hwmon2/power1' */
  id: string;
  /** hwmon `name` (the driver, e.g. ina226). */
  chip: string | null;
  /** powerK_label when the driver gives one. */
  label: string | null;
  powerW: number;
}

export interface PowerSensorScan {
  sensors: PowerSensorReading[];
  problems: string[];
}

export async function readPowerSensors(sysfs: SysfsReader): Promise<PowerSensorScan> {
  const sensors: PowerSensorReading[] = [];
  const problems: string[] = [];
  for (const hw of (await sysfs.list(HWMON_CLASS)).filter((n) => /^hwmon\d+$/.test(n))) {
    const dir = `${HWMON_CLASS}/${hw}`;
    const entries = (await sysfs.list(dir)).filter((e) => /^power\d+_input$/.test(e));
    if (entries.length === 0) continue;
    const chip = await sysfs.read(`${dir}/name`);
    for (const e of entries) {
      const k = e.slice(0, e.indexOf('_'));
      const raw = await sysfs.read(`${dir}/${e}`);
      if (raw === null) continue;
      if (!/^\d+$/.test(raw.trim())) {
        problems.push(`${dir}/${e}: expected microwatts (an unsigned integer), got '${raw.trim()}'`);
        continue;
      }
      sensors.push({ id: `${hw}/${k}`, chip, label: await sysfs.read(`${dir}/${k}_label`), powerW: Number(raw.trim()) / 1e6 });
    }
  }
  return { sensors, problems };
}

export interface PowerComparison {
  measuredW: number;
  modelledW: number;
  /** modelled - measured: positive = the model over-estimates. */
  errorW: number;
  /** errorW relative to the measurement; null when it measured 0. */
  errorPct: number | null;
  sensors: string[];
}

/** Compares the sum of the chosen sensors (all when `ids` is empty) with the model. Null when none is there. */
export function comparePower(scan: PowerSensorScan, modelledW: number, ids: readonly string[] = []): PowerComparison | null {
  const chosen = ids.length === 0 ? scan.sensors : scan.sensors.filter((s) => ids.includes(s.id));
  if (chosen.length === 0) return null;
  const measuredW = chosen.reduce((a, s) => a + s.powerW, 0);
  const errorW = modelledW - measuredW;
  return {
    measuredW,
    modelledW,
    errorW,
    errorPct: measuredW > 0 ? (errorW / measuredW) * 100 : null,
    sensors: chosen.map((s) => s.id),
  };
}
