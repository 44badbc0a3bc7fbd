import type { ModemConfig } from '../model/config.js';
import type { ModemRadio } from '../model/modem.js';
import type { CommandRunner, UbusCaller } from '../model/ports.js';
import { ok } from './provider.js';
import type { RadioContext, RadioProvider, RadioProviderKind, ReadResult } from './provider.js';
import { ModemManagerProvider } from './providers/modemmanager.js';
import { QmodemProvider } from './providers/qmodem.js';
import { UqmiProvider } from './providers/uqmi.js';

export interface RadioProviders {
  modemmanager: RadioProvider;
  uqmi: RadioProvider;
  qmodem: RadioProvider;
}

export function defaultRadioProviders(ubus: UbusCaller, runner: CommandRunner): RadioProviders {
  return {
    modemmanager: new ModemManagerProvider(ubus, runner),
    uqmi: new UqmiProvider(runner),
    qmodem: new QmodemProvider(ubus),
  };
}

/**
 * Reads the radio side of one modem with the provider its config names, or
 * for `metrics auto` with the first that answers for it: ModemManager, then
 * uqmi (when `device` is a /dev path), then QModem (when `device` is a
 * section name). What was found is kept; it is looked for again when it
 * stops answering. No provider at all is not an error for `auto`: the modem
 * is then known through netifd only (radio null).
 */
export class RadioSelector {
  private chosen: RadioProviderKind | null = null;

  constructor(
    private readonly modem: ModemConfig,
    private readonly providers: RadioProviders,
  ) {}

  get kind(): RadioProviderKind | null {
    return this.modem.metrics === 'auto' ? this.chosen : this.modem.metrics === 'netifd' ? null : this.modem.metrics;
  }

  /** ok(null) = no radio provider for this modem (netifd only). */
  async read(timeoutMs: number, ctx: RadioContext): Promise<ReadResult<ModemRadio | null>> {
    const m = this.modem.metrics;
    if (m === 'netifd') return ok(null);
    if (m !== 'auto') return this.providers[m].readRadio(this.modem, timeoutMs, ctx);
    if (this.chosen !== null) {
      const r = await this.providers[this.chosen].readRadio(this.modem, timeoutMs, ctx);
      if (r.ok || (r.code !== 'vanished' && r.code !== 'unavailable')) return r;
      this.chosen = null; // gone: look again below
    }
    const device = this.modem.device ?? '';
    const candidates: RadioProviderKind[] = ['modemmanager'];
    if (device.startsWith('/dev/')) candidates.push('uqmi');
    else if (/^[A-Za-z0-9_]+$/.test(device)) candidates.push('qmodem');
    let lastTimeout: ReadResult<ModemRadio | null> | null = null;
    for (const kind of candidates) {
      const r = await this.providers[kind].readRadio(this.modem, timeoutMs, ctx);
      if (r.ok) {
        this.chosen = kind;
        return r;
      }
      if (r.code === 'timeout' || r.code === 'malformed') lastTimeout = r;
    }
    // A provider that exists but misbehaves is a problem; none at all is netifd-only.
    return lastTimeout ?? ok(null);
  }
}

export function describeFailure(kind: string, r: ReadResult<unknown>): string {
  return r.ok ? '' : `${kind}: ${r.problem}`;
}

