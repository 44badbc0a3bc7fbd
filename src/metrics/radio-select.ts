import type { ModemConfig } from '../model/config.js';
import type { ModemRadio } from '../model/modem.js';
import type { CommandRunner, UbusCaller } from '../model/ports.js';
import { fail, ok } from './provider.js';
import type { RadioContext, RadioProvider, RadioProviderKind, ReadResult } from './provider.js';
import type { AtPortOpener } from './at/at-port.js';
import { SerialAtPortOpener } from './at/serial-at-port.js';
import { AtProvider } from './providers/at.js';
import { ModemManagerProvider } from './providers/modemmanager.js';
import { QmicliProvider } from './providers/qmicli.js';
import { QmodemProvider } from './providers/qmodem.js';
import { UqmiProvider } from './providers/uqmi.js';

export interface RadioProviders {
  modemmanager: RadioProvider;
  uqmi: RadioProvider;
  qmodem: RadioProvider;
  /** AT-port provider (option metrics 'at'); absent = not available on this build. */
  at?: RadioProvider;
  /** libqmi's qmicli (option metrics 'qmicli'). */
  qmicli?: RadioProvider;
}

export function defaultRadioProviders(ubus: UbusCaller, runner: CommandRunner, atPorts: AtPortOpener = new SerialAtPortOpener()): RadioProviders {
  return {
    modemmanager: new ModemManagerProvider(ubus, runner),
    uqmi: new UqmiProvider(runner),
    qmodem: new QmodemProvider(ubus),
    at: new AtProvider(atPorts),
    qmicli: new QmicliProvider(runner),
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
    if (m !== 'auto') {
      const p = this.providers[m];
      return p ? p.readRadio(this.modem, timeoutMs, ctx) : fail('unavailable', `metrics provider '${m}' is not available in this build`);
    }
    if (this.chosen !== null) {
      const r = await this.providers[this.chosen]!.readRadio(this.modem, timeoutMs, ctx);
      if (r.ok || (r.code !== 'vanished' && r.code !== 'unavailable')) return r;
      this.chosen = null; // gone: look again below
    }
    const device = this.modem.device ?? '';
    const candidates: RadioProviderKind[] = ['modemmanager'];
    if (device.startsWith('/dev/')) candidates.push('uqmi');
    else if (/^[A-Za-z0-9_]+$/.test(device)) candidates.push('qmodem');
    let lastTimeout: ReadResult<ModemRadio | null> | null = null;
    for (const kind of candidates) {
      const r = await this.providers[kind]!.readRadio(this.modem, timeoutMs, ctx);
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

