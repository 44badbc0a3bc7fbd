import type { PowerConfig } from '../model/config.js';
import type { Result } from '../model/errors.js';
import type { SysfsReader, UbusCaller } from '../model/ports.js';
import { parseSupplyAttributes, SUPPLY_ATTRIBUTES } from './supply-reading.js';
import type { PowerSupplyReading, SupplyAttribute } from './supply-reading.js';

/**
 * Gets a PowerSupplyReading through the ports only: a sysfs power_supply
 * directory (SysfsReader) or a ubus object's `info` reply (UbusCaller).
 * There is no standard ubus battery object on OpenWrt, so the reply is
 * expected to use the kernel's attribute names and units (energy_now in µWh,
 * voltage_now in µV, capacity in %, status as the kernel spells it), as
 * numbers or strings.
 */

export const POWER_SUPPLY_CLASS = '/sys/class/power_supply';

const SAFE_NAME = /^[A-Za-z0-9_.:-]+$/;

export async function readSysfsSupply(sysfs: SysfsReader, dir: string): Promise<Result<PowerSupplyReading>> {
  if (!dir.startsWith('/') || dir.split('/').some((p) => p === '..')) {
    return { ok: false, errors: [`option battery: expected an absolute path without '..', got '${dir}'`] };
  }
  const clean = dir.replace(/\/+$/, '');
  const attrs: Partial<Record<SupplyAttribute, string | null>> = {};
  const texts = await Promise.all(SUPPLY_ATTRIBUTES.map((a) => sysfs.read(`${clean}/${a}`)));
  SUPPLY_ATTRIBUTES.forEach((a, i) => (attrs[a] = texts[i]!));
  if (SUPPLY_ATTRIBUTES.every((a) => attrs[a] === null)) {
    return { ok: false, errors: [`${clean}: no power_supply attributes there (wrong option battery?)`] };
  }
  return parseSupplyAttributes(attrs, `sysfs:${clean}`);
}

/** The first power_supply of type Battery (then UPS), by name, for when option battery is not set. */
export async function findBattery(sysfs: SysfsReader): Promise<string | null> {
  const names = (await sysfs.list(POWER_SUPPLY_CLASS)).filter((n) => SAFE_NAME.test(n));
  const types = await Promise.all(names.map((n) => sysfs.read(`${POWER_SUPPLY_CLASS}/${n}/type`)));
  for (const wanted of ['Battery', 'UPS']) {
    const i = types.findIndex((t) => t === wanted);
    if (i >= 0) return `${POWER_SUPPLY_CLASS}/${names[i]}`;
  }
  return null;
}

export async function readUbusSupply(ubus: UbusCaller, object: string, timeoutMs = 3000): Promise<Result<PowerSupplyReading>> {
  if (!/^[A-Za-z0-9_.-]+$/.test(object)) {
    return { ok: false, errors: [`option ubus_object: expected a ubus object path (letters, digits, _ . -), got '${object}'`] };
  }
  let reply: Record<string, unknown>;
  try {
    reply = await ubus.call(object, 'info', {}, { timeoutMs });
  } catch (e) {
    return { ok: false, errors: [`ubus ${object} info failed: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const attrs: Partial<Record<SupplyAttribute, string | null>> = {};
  const errors: string[] = [];
  for (const a of SUPPLY_ATTRIBUTES) {
    const v = reply[a];
    if (v === undefined || v === null) attrs[a] = null;
    else if (typeof v === 'number' && Number.isFinite(v)) attrs[a] = String(Math.round(v));
    else if (typeof v === 'string') attrs[a] = v;
    else if (typeof v === 'boolean' && a === 'online') attrs[a] = v ? '1' : '0';
    else errors.push(`ubus:${object}/${a}: expected a number or string, got ${typeof v}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  if (SUPPLY_ATTRIBUTES.every((a) => attrs[a] === null)) {
    return { ok: false, errors: [`ubus ${object} info: none of ${SUPPLY_ATTRIBUTES.join(', ')} in the reply`] };
  }
  return parseSupplyAttributes(attrs, `ubus:${object}`);
}

/**
 * The reading the power config asks for: ubus object, else the configured
 * sysfs directory, else the first battery found. On mains or with a fixed
 * limit nothing needs reading: null.
 */
export async function readConfiguredSupply(
  config: PowerConfig,
  ports: { sysfs: SysfsReader; ubus: UbusCaller | null },
): Promise<Result<PowerSupplyReading | null>> {
  if (config.source === 'mains' || config.limitW !== null) return { ok: true, value: null };
  if (config.ubusObject !== null) {
    if (!ports.ubus) return { ok: false, errors: ['option ubus_object set but no ubus connection'] };
    return readUbusSupply(ports.ubus, config.ubusObject);
  }
  const dir = config.batteryPath ?? (await findBattery(ports.sysfs));
  if (dir === null) return { ok: false, errors: [`no option battery and no Battery under ${POWER_SUPPLY_CLASS}`] };
  return readSysfsSupply(ports.sysfs, dir);
}
