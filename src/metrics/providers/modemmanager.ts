import type { ModemConfig } from '../../model/config.js';
import type { ModemRadio, SignalInfo } from '../../model/modem.js';
import type { CommandRunner, UbusCaller } from '../../model/ports.js';
import { emptyRadio, emptySignal, fail, ok, ubusFailure } from '../provider.js';
import type { RadioContext, RadioProvider, ReadResult } from '../provider.js';
import { arr, cleanString, inRange, isRecord, num, parseJson, rec, str } from '../values.js';
import type { JsonRecord } from '../values.js';
import { configuredDevice, hexCellId, normaliseRadio, ratFromTechnologies, registrationFromMm, splitPlmn, stateFromMm } from './radio-common.js';

/**
 * ModemManager, read either through the `modemmanager` ubus object of
 * modemmanager-rpcd (openwrt/packages net/modemmanager,
 * files/usr/libexec/rpcd/modemmanager: `dump` returns {modem: [...]}, each
 * entry the `modem` object of `mmcli -m N -J` with generic.sim replaced by
 * the SIM object, plus `signal` and `location`), or with `mmcli -J` where
 * that package is absent. Every value is a string; "--" means none.
 *
 * `device` in the modem's config selects the modem: an index ("0"), a
 * D-Bus path, or the sysfs device path; when unset, the modem whose ports
 * include the link's l3 device is used.
 */
export class ModemManagerProvider implements RadioProvider {
  readonly kind = 'modemmanager' as const;
  /** Modems whose extended signal refresh was switched on (mmcli --signal-setup). */
  private readonly signalSetup = new Set<string>();

  constructor(
    private readonly ubus: UbusCaller | null,
    private readonly runner: CommandRunner | null,
    private readonly mmcli = 'mmcli',
  ) {}

  async readRadio(modem: ModemConfig, timeoutMs: number, ctx: RadioContext = { l3Device: null }): Promise<ReadResult<ModemRadio>> {
    const device = configuredDevice(modem);
    if (device !== null && !isMmSelector(device)) {
      return fail('malformed', `option device '${device}' is not a ModemManager index, D-Bus path or sysfs path`);
    }
    if (this.ubus) {
      const viaUbus = await this.readViaUbus(device, ctx, timeoutMs);
      if (viaUbus.ok || viaUbus.code !== 'unavailable' || !this.runner) return viaUbus;
    }
    if (!this.runner) return fail('unavailable', 'neither the modemmanager ubus object nor mmcli is available');
    return this.readViaMmcli(device, ctx, timeoutMs);
  }

  private async readViaUbus(device: string | null, ctx: RadioContext, timeoutMs: number): Promise<ReadResult<ModemRadio>> {
    let dump: JsonRecord;
    try {
      dump = await this.ubus!.call('modemmanager', 'dump', {}, { timeoutMs });
    } catch (err) {
      const r = ubusFailure<ModemRadio>(err, 'ubus modemmanager dump');
      // No such object: modemmanager-rpcd is not installed; mmcli may still be.
      return !r.ok && r.code === 'vanished' ? fail('unavailable', r.problem) : r;
    }
    if (!Array.isArray(dump['modem'])) {
      // rpcd prints {} when mmcli gave no list: ModemManager itself is not running.
      return Object.keys(dump).length === 0 ? fail('vanished', 'ModemManager reports no modems') : fail('malformed', "modemmanager dump has no 'modem' array");
    }
    const modems = dump['modem'].filter(isRecord);
    const found = modems.find((m) => matchesModem(m, device, ctx));
    if (!found) return fail('vanished', `ModemManager has no modem matching ${describe(device, ctx)}`);
    const sim = rec(rec(found, 'generic'), 'sim');
    return parseMmModem(found, rec(found, 'signal'), rec(found, 'location'), sim);
  }

  private async readViaMmcli(device: string | null, ctx: RadioContext, timeoutMs: number): Promise<ReadResult<ModemRadio>> {
    let selector = device;
    if (selector === null || selector.startsWith('/sys/')) {
      const listed = await this.json(['-L', '-J'], timeoutMs);
      if (!listed.ok) return listed;
      const paths = arr(listed.value, 'modem-list').filter((p): p is string => typeof p === 'string');
      selector = null;
      for (const p of paths) {
        const m = await this.json(['-m', p, '-J'], timeoutMs);
        if (m.ok && matchesModem(rec(m.value, 'modem') ?? {}, device, ctx)) {
          selector = p;
          break;
        }
      }
      if (selector === null) return fail('vanished', `ModemManager has no modem matching ${describe(device, ctx)}`);
    }
    const main = await this.json(['-m', selector, '-J'], timeoutMs);
    if (!main.ok) return main;
    const modemObj = rec(main.value, 'modem');
    if (!modemObj) return fail('malformed', `mmcli -m ${selector} -J has no 'modem' object`);
    if (!this.signalSetup.has(selector)) {
      // Extended signal values stay "--" until a refresh rate is set (what modemmanager-rpcd does too).
      const setup = await this.runner!.run(this.mmcli, ['-m', selector, '--signal-setup=5'], { timeoutMs });
      if (setup.code === 0) this.signalSetup.add(selector);
    }
    const signal = await this.json(['-m', selector, '--signal-get', '-J'], timeoutMs);
    const location = await this.json(['-m', selector, '--location-get', '-J'], timeoutMs);
    const simPath = str(rec(modemObj, 'generic'), 'sim');
    let sim: JsonRecord | null = null;
    if (simPath !== null && isMmSelector(simPath)) {
      const s = await this.json(['-i', simPath, '-J'], timeoutMs);
      sim = s.ok ? rec(s.value, 'sim') : null;
    }
    return parseMmModem(
      modemObj,
      signal.ok ? rec(rec(signal.value, 'modem'), 'signal') : null,
      location.ok ? rec(rec(location.value, 'modem'), 'location') : null,
      sim,
    );
  }

  private async json(args: string[], timeoutMs: number): Promise<ReadResult<JsonRecord>> {
    const r = await this.runner!.run(this.mmcli, args, { timeoutMs });
    const what = `${this.mmcli} ${args.join(' ')}`;
    if (r.timedOut) return fail('timeout', `${what}: timed out after ${timeoutMs} ms`);
    if (r.code === 127) return fail('unavailable', `${what}: mmcli is not installed`);
    if (r.code !== 0) {
      // mmcli says "couldn't find modem" (exit 1) for a modem that went away; any non-zero exit is treated as gone.
      return fail('vanished', `${what}: exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    }
    const parsed = parseJson(r.stdout);
    if (!isRecord(parsed)) return fail('malformed', `${what}: output is not a JSON object`);
    return ok(parsed);
  }
}

function isMmSelector(s: string): boolean {
  return /^\d{1,3}$/.test(s) || /^\/org\/freedesktop\/ModemManager1\/(Modem|SIM)\/\d+$/.test(s) || /^\/sys\/[A-Za-z0-9_.:/-]+$/.test(s);
}

function describe(device: string | null, ctx: RadioContext): string {
  return device !== null ? `device '${device}'` : `net port '${ctx.l3Device ?? '?'}'`;
}

/** Does this `modem` object (from dump or mmcli -m N -J) belong to the configured modem? */
export function matchesModem(modemObj: JsonRecord, device: string | null, ctx: RadioContext): boolean {
  const path = str(modemObj, 'dbus-path');
  const generic = rec(modemObj, 'generic');
  if (device !== null) {
    if (/^\d+$/.test(device)) return path !== null && path.endsWith(`/Modem/${device}`);
    if (device.startsWith('/org/')) return path === device;
    return str(generic, 'device') === device || str(modemObj, 'device') === device;
  }
  if (ctx.l3Device === null) return false;
  // ports look like "wwan0 (net)", "cdc-wdm0 (qmi)".
  return arr(generic, 'ports').some((p) => typeof p === 'string' && p.split(' ')[0] === ctx.l3Device);
}

/** One modem's ModemManager objects -> ModemRadio. */
export function parseMmModem(
  modemObj: JsonRecord,
  signal: JsonRecord | null,
  location: JsonRecord | null,
  sim: JsonRecord | null,
): ReadResult<ModemRadio> {
  const generic = rec(modemObj, 'generic');
  if (!generic) return fail('malformed', "ModemManager modem object has no 'generic' section");
  const g3 = rec(modemObj, '3gpp');
  const radio = emptyRadio();
  const techs = arr(generic, 'access-technologies').map(cleanString).filter((x): x is string => x !== null);
  radio.rat = ratFromTechnologies(techs);
  radio.state = stateFromMm(str(generic, 'state'));
  radio.signalQualityPct = num(rec(generic, 'signal-quality'), 'value');
  const plmn = splitPlmn(str(g3, 'operator-code'));
  const loc3 = rec(location, '3gpp');
  radio.mcc = plmn.mcc ?? str(loc3, 'mcc');
  radio.mnc = plmn.mnc ?? str(loc3, 'mnc');
  radio.operatorName = str(g3, 'operator-name');
  radio.registration = registrationFromMm(str(g3, 'registration-state'));
  radio.cellId = hexCellId(str(loc3, 'cid'));
  const props = rec(sim, 'properties');
  radio.simIccid = str(props, 'iccid');
  // The SIM's own operator (mmcli -i: "operator-code"/"operator-name"), the home network next to the serving one.
  const home = splitPlmn(str(props, 'operator-code'));
  radio.homeMcc = home.mcc;
  radio.homeMnc = home.mnc;
  radio.homeOperatorName = str(props, 'operator-name');
  const slot = num(generic, 'primary-sim-slot');
  radio.simSlot = slot !== null && slot >= 1 ? slot : null;

  const lte = mmSignal(rec(signal, 'lte'));
  const nr = mmSignal(rec(signal, '5g'));
  const umts = mmSignal(rec(signal, 'umts'));
  const gsm = mmSignal(rec(signal, 'gsm'));
  const hasAny = (s: SignalInfo): boolean => Object.values(s).some((v) => v !== null);
  switch (radio.rat) {
    case 'nr5g-sa':
      radio.signal = nr;
      break;
    case 'nr5g-nsa':
      radio.signal = lte;
      radio.nrSignal = hasAny(nr) ? nr : null;
      break;
    case 'umts':
      radio.signal = umts;
      break;
    case 'gsm':
      radio.signal = gsm;
      break;
    default:
      radio.signal = hasAny(lte) ? lte : hasAny(nr) ? nr : hasAny(umts) ? umts : hasAny(gsm) ? gsm : emptySignal();
      radio.nrSignal = hasAny(lte) && hasAny(nr) ? nr : null;
      // No access technology reported, but the extended signal says which RATs are measured.
      if (radio.rat === null) {
        radio.rat = ratFromTechnologies([hasAny(lte) ? 'lte' : '', hasAny(nr) ? '5gnr' : '', hasAny(umts) ? 'umts' : '', hasAny(gsm) ? 'gsm' : ''].filter((x) => x !== ''));
      }
  }
  return ok(normaliseRadio(radio));
}

function mmSignal(s: JsonRecord | null): SignalInfo {
  return {
    rssiDbm: inRange(num(s, 'rssi'), -140, 0),
    rsrpDbm: inRange(num(s, 'rsrp'), -160, 0),
    rsrqDb: inRange(num(s, 'rsrq'), -45, 20),
    sinrDb: inRange(num(s, 'snr') ?? num(s, 'sinr'), -25, 50),
  };
}
