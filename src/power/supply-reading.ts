import type { Result } from '../model/errors.js';

/**
 * The state of the router's energy source, in SI units, as the P_max
 * computation takes it. Built from Linux power_supply attributes (sysfs
 * class power_supply, or a ubus object answering with the same names), whose
 * units are fixed by the kernel: µWh (energy_*), µAh (charge_*), µV
 * (voltage_*), µW (power_now), % (capacity).
 */

export type SupplyStatus = 'charging' | 'discharging' | 'not-charging' | 'full' | 'unknown';

export interface PowerSupplyReading {
  /** Where it came from, e.g. 'sysfs:/sys/class/power_supply/BAT0' or 'ubus:battery'. */
  origin: string;
  /** power_supply `type`: Battery, Mains, UPS, USB, ...; null when not given. */
  type: string | null;
  status: SupplyStatus;
  /** Mains/USB supplies: is power present. */
  online: boolean | null;
  energyNowWh: number | null;
  energyFullWh: number | null;
  chargeNowAh: number | null;
  chargeFullAh: number | null;
  voltageV: number | null;
  capacityPct: number | null;
  /** What the battery delivers (or takes) now, W. */
  powerNowW: number | null;
}

/** The attribute names read, in the kernel's spelling. */
export const SUPPLY_ATTRIBUTES = [
  'type',
  'status',
  'online',
  'energy_now',
  'energy_full',
  'charge_now',
  'charge_full',
  'voltage_now',
  'capacity',
  'power_now',
] as const;

export type SupplyAttribute = (typeof SUPPLY_ATTRIBUTES)[number];

const STATUS: Readonly<Record<string, SupplyStatus>> = {
  Charging: 'charging',
  Discharging: 'discharging',
  'Not charging': 'not-charging',
  Full: 'full',
  Unknown: 'unknown',
};

/**
 * From raw attribute texts (null = absent) to a reading. A value that is
 * present but not what the kernel documents is an error naming the
 * attribute, never silently dropped.
 */
export function parseSupplyAttributes(
  attrs: Partial<Record<SupplyAttribute, string | null>>,
  origin: string,
): Result<PowerSupplyReading> {
  const errors: string[] = [];
  const micro = (name: SupplyAttribute, unit: string): number | null => {
    const raw = attrs[name];
    if (raw === null || raw === undefined || raw.trim() === '') return null;
    const t = raw.trim();
    if (!/^-?\d+$/.test(t)) {
      errors.push(`${origin}/${name}: expected an integer in ${unit}, got '${t}'`);
      return null;
    }
    return Number(t) / 1e6;
  };
  const energyNowWh = micro('energy_now', 'µWh');
  const energyFullWh = micro('energy_full', 'µWh');
  const chargeNowAh = micro('charge_now', 'µAh');
  const chargeFullAh = micro('charge_full', 'µAh');
  const voltageV = micro('voltage_now', 'µV');
  const powerNow = micro('power_now', 'µW');

  let capacityPct: number | null = null;
  const cap = attrs.capacity?.trim();
  if (cap !== undefined && cap !== '') {
    if (!/^\d+$/.test(cap) || Number(cap) > 100) errors.push(`${origin}/capacity: expected 0-100 (%), got '${cap}'`);
    else capacityPct = Number(cap);
  }

  let status: SupplyStatus = 'unknown';
  const st = attrs.status?.trim();
  if (st !== undefined && st !== '') {
    const s = STATUS[st];
    if (s === undefined) errors.push(`${origin}/status: expected Charging, Discharging, Not charging, Full or Unknown, got '${st}'`);
    else status = s;
  }

  let online: boolean | null = null;
  const on = attrs.online?.trim();
  if (on !== undefined && on !== '') {
    if (on !== '0' && on !== '1' && on !== '2') errors.push(`${origin}/online: expected 0 or 1, got '${on}'`);
    else online = on !== '0';
  }

  for (const [name, v] of [['energy_now', energyNowWh], ['energy_full', energyFullWh], ['charge_now', chargeNowAh], ['charge_full', chargeFullAh], ['voltage_now', voltageV]] as const) {
    if (v !== null && v < 0) errors.push(`${origin}/${name}: negative value`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      origin,
      type: attrs.type?.trim() || null,
      status,
      online,
      energyNowWh,
      energyFullWh,
      chargeNowAh,
      chargeFullAh,
      voltageV,
      capacityPct,
      // Drivers differ in sign convention for discharge; the magnitude is what is drawn or stored.
      powerNowW: powerNow === null ? null : Math.abs(powerNow),
    },
  };
}
