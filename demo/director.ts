/**
 * Plays the script against the running router: the radio side through the
 * emulator's `demo` object, the user's side through the daemon's
 * `modemflow` object (reload after a plan change, set_power_limit), as a
 * user with `ubus call` would. Each step says what it did; a step the
 * daemon cannot take says why instead.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModemsReply, StatusReply } from '../src/model/api.js';
import type { UbusClient } from '../src/ubus/index.js';
import { demoConfig } from './config-file.js';
import { modemByName } from './scenario.js';
import type { ScriptStep } from './scenario.js';
import type { ModemRecord } from './summary.js';

export interface DirectorContext {
  bus: UbusClient;
  confDir: string;
  daemonRunning: () => boolean;
  /** Bytes moved on a modem's uplink since the start. */
  bytesOf: (modem: string) => number;
  quotas: Record<string, number>;
  quotaRecords: Map<string, NonNullable<ModemRecord['quota']>>;
  /** The scripted radio loss of a modem (for the failover time). */
  onDrop: (uplink: number, atMs: number) => void;
}

const CALL = { timeoutMs: 3000 };

export async function writeConfig(confDir: string, quotas: Record<string, number>): Promise<void> {
  // A cycle that began today: quota used early in the cycle is what raises the price (src/metrics/price.ts).
  const billingDay = Math.min(28, new Date().getDate());
  await writeFile(join(confDir, 'modemflow'), demoConfig({ quotaGb: quotas, billingDay }));
}

/** Does one step; returns what to say. */
export async function playStep(step: ScriptStep, ctx: DirectorContext): Promise<string> {
  const a = step.action;
  const daemon = ctx.daemonRunning();
  try {
    switch (a.kind) {
      case 'link': {
        if (!a.up) ctx.onDrop(modemByName(a.modem).uplink, Date.now());
        await ctx.bus.call('demo', 'link', { modem: a.modem, up: a.up }, CALL);
        return step.say;
      }
      case 'signal':
        await ctx.bus.call('demo', 'radio', { modem: a.modem, rsrp: a.rsrpDbm, sinr: a.sinrDb }, CALL);
        return step.say;
      case 'quota': {
        // The plan's quota is set so that what the daemon counted this cycle is usedShare of it.
        let used = ctx.bytesOf(a.modem);
        if (daemon) {
          const reply = (await ctx.bus.call('modemflow', 'modems', {}, CALL)) as unknown as ModemsReply;
          const counted = reply.modems.find((m) => m.name === a.modem)?.cycleBytes;
          if (typeof counted === 'number' && counted > 0) used = counted;
        }
        const quotaGb = Math.max(0.001, Math.ceil((used / a.usedShare / 1e9) * 1e4) / 1e4);
        ctx.quotas[a.modem] = quotaGb;
        ctx.quotaRecords.set(a.modem, { quotaBytes: quotaGb * 1e9, usedAtSetBytes: used, bytesAtSet: ctx.bytesOf(a.modem) });
        await writeConfig(ctx.confDir, ctx.quotas);
        if (!daemon) return `${step.say} (quota_gb ${quotaGb}; no daemon to reload)`;
        const r = await ctx.bus.call('modemflow', 'reload', {}, CALL);
        return `${step.say} (quota_gb ${quotaGb}, reload: ${JSON.stringify(r)})`;
      }
      case 'power': {
        if (!daemon) return `${step.say}: skipped, no daemon`;
        const st = (await ctx.bus.call('modemflow', 'status', {}, CALL)) as unknown as StatusReply;
        const modems = (await ctx.bus.call('modemflow', 'modems', {}, CALL)) as unknown as ModemsReply;
        // Room for the active modems' idle draw minus the largest one, plus some traffic: one of them has to go.
        const idle = modems.modems.filter((m) => m.state === 'active' && m.bearer).map((m) => m.bearer!.baseW);
        const sum = idle.reduce((a, b) => a + b, 0);
        const watts = Math.round((idle.length >= 2 ? sum - Math.max(...idle) + 0.5 : Math.max(0.1, st.power.modelledW * 0.6)) * 100) / 100;
        const r = await ctx.bus.call('modemflow', 'set_power_limit', { watts }, CALL);
        const was = st.power.limitW === null ? 'none' : `${st.power.limitW.toFixed(2)} W`;
        return `${step.say}: ${watts} W (was ${was}, ${idle.length} modem(s) active; ${JSON.stringify(r)})`;
      }
    }
  } catch (e) {
    return `${step.say}: failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}
