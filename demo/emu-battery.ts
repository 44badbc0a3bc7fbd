/**
 * The emulator's battery: a `battery` object whose `info` uses the kernel's
 * power_supply attribute names and units (µWh, µV, µW, %, status as the
 * kernel spells it), as src/power/supply-reader.ts expects. It drains, in
 * real time, by the modelled draw of the modems that are up.
 */

export interface BatterySpec {
  fullWh: number;
  startPct: number;
  voltageV: number;
}

export const DEMO_BATTERY: BatterySpec = { fullWh: 10, startPct: 55, voltageV: 12.4 };

export class BatteryModel {
  private energyWh: number;
  private drawW = 0;

  constructor(private readonly spec: BatterySpec) {
    this.energyWh = (spec.fullWh * spec.startPct) / 100;
  }

  /** Spend `drawW` for `seconds`. */
  drain(drawW: number, seconds: number): void {
    this.drawW = drawW;
    this.energyWh = Math.max(0, this.energyWh - (drawW * seconds) / 3600);
  }

  get pct(): number {
    return (this.energyWh / this.spec.fullWh) * 100;
  }

  get powerW(): number {
    return this.drawW;
  }

  /** The `info` reply. */
  info(): Record<string, unknown> {
    return {
      type: 'Battery',
      status: 'Discharging',
      energy_now: Math.round(this.energyWh * 1e6),
      energy_full: Math.round(this.spec.fullWh * 1e6),
      voltage_now: Math.round(this.spec.voltageV * 1e6),
      capacity: Math.round(this.pct),
      power_now: Math.round(this.drawW * 1e6),
    };
  }
}
