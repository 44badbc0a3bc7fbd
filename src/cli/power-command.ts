import { parseArgs } from 'node:util';
import type { PowerConfig, PowerSource } from '../model/config.js';
import { FsSysfsReader } from '../os/sysfs.js';
import { PowerManager } from '../power/power-manager.js';
import type { PowerStatus } from '../power/power-manager.js';
import type { CliCommand } from './io.js';

/**
 * `modemflow power`: what the power manager sees on this machine: the
 * battery reading, P_max for the given settings, and the hwmon power
 * sensors. The modem model is not known here (no daemon), so the comparison
 * is against the base load alone.
 */

const USAGE = `usage: modemflow power [options]

  --source S       mains|battery|solar|vehicle (default battery)
  --battery PATH   power_supply directory (default: the first Battery found)
  --limit W        a fixed P_max
  --reserve PCT    percent of capacity kept back (default 20)
  --autonomy H     hours the router should last
  --base-load W    the router's own consumption (default 0)
  --sensor ID      hwmon sensor to compare, e.g. hwmon1/power1 (repeatable; default all)
  --root DIR       read sysfs under DIR instead of / (for testing)
  --json           print the whole status as JSON
`;

const SOURCES: readonly PowerSource[] = ['mains', 'battery', 'solar', 'vehicle'];

function num(name: string, raw: string | undefined, fallback: number | null, min: number): number | null | string {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < min) return `--${name}: expected a number >= ${min}, got '${raw}'`;
  return v;
}

export const powerCommand: CliCommand = async (argv, io) => {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        source: { type: 'string' },
        battery: { type: 'string' },
        limit: { type: 'string' },
        reserve: { type: 'string' },
        autonomy: { type: 'string' },
        'base-load': { type: 'string' },
        sensor: { type: 'string', multiple: true },
        root: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.stderr(`modemflow power: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const errors: string[] = [];
  const source = (values.source ?? 'battery') as PowerSource;
  if (!SOURCES.includes(source)) errors.push(`--source: expected ${SOURCES.join('|')}, got '${values.source}'`);
  const parsed = {
    limitW: num('limit', values.limit, null, 0),
    reservePct: num('reserve', values.reserve, 20, 0),
    autonomyH: num('autonomy', values.autonomy, null, 0),
    baseLoadW: num('base-load', values['base-load'], 0, 0),
  };
  for (const v of Object.values(parsed)) if (typeof v === 'string') errors.push(v);
  if (typeof parsed.reservePct === 'number' && parsed.reservePct > 100) errors.push(`--reserve: expected 0-100, got '${values.reserve}'`);
  if (errors.length > 0) {
    io.stderr(errors.map((e) => `modemflow power: ${e}\n`).join(''));
    return 2;
  }
  const config: PowerConfig = {
    source,
    limitW: parsed.limitW as number | null,
    batteryPath: values.battery ?? null,
    ubusObject: null,
    reservePct: parsed.reservePct as number,
    autonomyH: parsed.autonomyH as number | null,
    baseLoadW: parsed.baseLoadW as number,
  };
  const pm = new PowerManager(config, { sysfs: new FsSysfsReader(values.root ?? '/'), ubus: null }, { sensorIds: values.sensor ?? [] });
  const status = await pm.refresh([]);
  io.stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : describe(status));
  return 0;
};

function describe(s: PowerStatus): string {
  const lines: string[] = [];
  const l = s.limit;
  lines.push(`P_max: ${l.limitW === null ? 'none' : `${l.limitW} W`} (${l.basis}: ${l.explanation})`);
  if (s.reading) {
    const r = s.reading;
    const parts = [
      `status ${r.status}`,
      r.capacityPct !== null ? `${r.capacityPct}%` : null,
      l.inputs.energyNowWh !== null ? `${l.inputs.energyNowWh} Wh now` : null,
      l.inputs.energyFullWh !== null ? `${l.inputs.energyFullWh} Wh full` : null,
      r.voltageV !== null ? `${r.voltageV} V` : null,
      r.powerNowW !== null ? `${r.powerNowW} W drawn` : null,
    ].filter((p) => p !== null);
    lines.push(`supply: ${r.origin}: ${parts.join(', ')}`);
  }
  for (const p of l.problems) lines.push(`problem: ${p}`);
  for (const sensor of s.sensors) lines.push(`sensor ${sensor.id} (${sensor.chip ?? '?'}${sensor.label ? `, ${sensor.label}` : ''}): ${sensor.powerW} W`);
  for (const p of s.sensorProblems) lines.push(`problem: ${p}`);
  if (s.comparison) {
    const c = s.comparison;
    lines.push(`measured ${c.measuredW} W vs modelled ${c.modelledW} W (base load only): error ${c.errorW.toFixed(3)} W${c.errorPct === null ? '' : ` (${c.errorPct.toFixed(1)}%)`}`);
  } else {
    lines.push('no hwmon power sensor');
  }
  return `${lines.join('\n')}\n`;
}
