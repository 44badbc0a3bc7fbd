import type { ModemConfig } from '../../model/config.js';
import type { ModemRadio, SignalInfo } from '../../model/modem.js';
import type { CommandRunner } from '../../model/ports.js';
import { emptyRadio, emptySignal, fail, ok } from '../provider.js';
import type { RadioProvider, ReadResult } from '../provider.js';
import { inRange, toNumber } from '../values.js';
import { configuredDevice, normaliseRadio, ratFromTechnologies } from './radio-common.js';

/**
 * libqmi's `qmicli -d <dev> -p --nas-get-signal-info` (for routers with
 * libqmi/ModemManager's tools but no uqmi). It prints text, one section per
 * RAT the modem measures, e.g. (libqmi pull request #2, a Quectel RM500Q
 * in 5G NSA):
 *   [/dev/cdc-wdm0] Successfully got signal info
 *   LTE:
 *           RSSI: '-47 dBm'
 *           RSRQ: '-5 dB'
 *           RSRP: '-70 dBm'
 *           SNR: '30.0 dB'
 *   5G:
 *           RSRP: '-75 dBm'
 *           SNR: '18.5 dB'
 *           RSRQ: '-11 dB'
 * The sections present are the RAT (LTE + 5G = EN-DC): this output is the
 * only place a qmicli-only router learns it from. `-p` goes through
 * qmi-proxy so it can share the device with ModemManager.
 */
export class QmicliProvider implements RadioProvider {
  readonly kind = 'qmicli' as const;

  constructor(
    private readonly runner: CommandRunner,
    private readonly qmicli = 'qmicli',
  ) {}

  async readRadio(modem: ModemConfig, timeoutMs: number): Promise<ReadResult<ModemRadio>> {
    const device = configuredDevice(modem);
    if (device === null) return fail('malformed', 'qmicli needs option device (the QMI control device, e.g. /dev/cdc-wdm0)');
    if (!/^\/dev\/[A-Za-z0-9._-]+$/.test(device)) return fail('malformed', `option device '${device}' is not a /dev path`);
    const args = ['-d', device, '-p', '--nas-get-signal-info'];
    const what = `${this.qmicli} ${args.join(' ')}`;
    const r = await this.runner.run(this.qmicli, args, { timeoutMs });
    if (r.timedOut) return fail('timeout', `${what}: timed out after ${timeoutMs} ms`);
    if (r.code === 127) return fail('unavailable', `${what}: qmicli is not installed`);
    if (r.code !== 0) {
      const msg = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
      return fail(/couldn't open|No such file|not found/i.test(msg) ? 'vanished' : 'failed', `${what}: exit ${r.code}: ${msg}`);
    }
    return parseQmicliSignal(r.stdout);
  }
}

const SECTION_RAT: Record<string, string> = { LTE: 'lte', '5G': '5gnr', WCDMA: 'umts', GSM: 'gsm', 'TD-SCDMA': 'td-scdma' };

/** The text of --nas-get-signal-info -> ModemRadio (signal, nrSignal, rat). */
export function parseQmicliSignal(text: string): ReadResult<ModemRadio> {
  if (!/Successfully got signal info/.test(text)) return fail('malformed', 'qmicli --nas-get-signal-info: no "Successfully got signal info" line');
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const head = /^([A-Za-z0-9-]+):\s*$/.exec(raw.trim());
    if (head && !/^\s/.test(raw)) {
      current = new Map();
      sections.set(head[1]!, current);
      continue;
    }
    const kv = /^\s+([A-Za-z/ ]+):\s*'([^']*)'/.exec(raw);
    if (kv && current) current.set(kv[1]!.trim().toUpperCase(), kv[2]!);
  }
  const sig = (s: Map<string, string> | undefined): SignalInfo =>
    s
      ? {
          rssiDbm: inRange(toNumber(s.get('RSSI')), -140, 0),
          rsrpDbm: inRange(toNumber(s.get('RSRP')), -160, 0),
          rsrqDb: inRange(toNumber(s.get('RSRQ')), -45, 20),
          sinrDb: inRange(toNumber(s.get('SNR') ?? s.get('SINR')), -25, 50),
        }
      : emptySignal();
  const radio = emptyRadio();
  radio.rat = ratFromTechnologies([...sections.keys()].map((k) => SECTION_RAT[k] ?? k.toLowerCase()));
  const lte = sections.get('LTE');
  const nr = sections.get('5G');
  if (lte) {
    radio.signal = sig(lte);
    if (nr) radio.nrSignal = sig(nr);
  } else if (nr) {
    radio.signal = sig(nr);
  } else {
    radio.signal = sig(sections.get('WCDMA') ?? sections.get('GSM'));
  }
  return ok(normaliseRadio(radio));
}
