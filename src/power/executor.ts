import type { UbusCaller } from '../model/ports.js';
import { NETIFD_INTERFACE_EXPECTED, isNetifdInterfaceName } from '../model/names.js';

/**
 * Carries out coordination's wake/sleep/switch decisions. Taking a modem
 * down or up is netifd's `ifdown`/`ifup`, which are the ubus methods `down`
 * and `up` (no arguments) of the object `network.interface.<name>`
 * (openwrt/netifd ubus.c, iface_object_methods). Low power and SIM/profile
 * switching are provider commands (ModemManager, uqmi, ...) that src/metrics
 * owns; they come in through the two small interfaces below.
 *
 * The action shape matches coordination's CoordinationAction structurally:
 * src/power may not import src/coordination (layering).
 */

export interface PowerActionTarget {
  mcc: string;
  mnc: string;
  operatorName: string | null;
  simSlot: number | null;
  profile: string | null;
}

export interface ModemPowerAction {
  kind: 'wake' | 'sleep' | 'switch';
  modem: string;
  interface: string;
  reason: string;
  target?: PowerActionTarget;
}

/** The provider's radio low-power switch (e.g. ModemManager power state low, AT+CFUN=4). */
export interface LowPowerControl {
  setLowPower(modem: string, on: boolean): Promise<{ ok: true } | { ok: false; error: string }>;
}

/** The provider's SIM slot / profile selection. */
export interface OperatorSwitcher {
  switchOperator(modem: string, target: PowerActionTarget): Promise<{ ok: true } | { ok: false; error: string }>;
}

export interface ExecutorOptions {
  /** 'down': ifdown only; 'low-power': ifdown, then the provider's low-power mode. */
  sleepMode: 'down' | 'low-power';
  lowPower: LowPowerControl | null;
  switcher: OperatorSwitcher | null;
  ubusTimeoutMs: number;
}

export type ActionOutcomeCode = 'ok' | 'invalid-interface' | 'ubus-failed' | 'provider-failed' | 'unsupported';

export interface ActionOutcome {
  action: ModemPowerAction;
  code: ActionOutcomeCode;
  /** What was done, step by step, for the log. */
  steps: string[];
  error: string | null;
}


export class PowerActionExecutor {
  private readonly options: ExecutorOptions;

  constructor(
    private readonly ubus: UbusCaller,
    options: Partial<ExecutorOptions> = {},
  ) {
    this.options = { sleepMode: 'down', lowPower: null, switcher: null, ubusTimeoutMs: 10_000, ...options };
  }

  async apply(action: ModemPowerAction): Promise<ActionOutcome> {
    const steps: string[] = [];
    const fail = (code: ActionOutcomeCode, error: string): ActionOutcome => ({ action, code, steps, error });
    if (!isNetifdInterfaceName(action.interface)) {
      return fail('invalid-interface', `interface '${action.interface}' of modem '${action.modem}' is not ${NETIFD_INTERFACE_EXPECTED}`);
    }
    const lowPower = this.options.sleepMode === 'low-power' ? this.options.lowPower : null;
    if (this.options.sleepMode === 'low-power' && !lowPower && action.kind !== 'switch') {
      return fail('unsupported', 'sleep mode low-power needs the provider\'s low-power control');
    }
    switch (action.kind) {
      case 'sleep': {
        const down = await this.netifd(action.interface, 'down', steps);
        if (down) return fail('ubus-failed', down);
        if (lowPower) {
          const r = await lowPower.setLowPower(action.modem, true);
          steps.push(`low-power on ${action.modem}`);
          if (!r.ok) return fail('provider-failed', r.error);
        }
        return { action, code: 'ok', steps, error: null };
      }
      case 'wake': {
        if (lowPower) {
          const r = await lowPower.setLowPower(action.modem, false);
          steps.push(`low-power off ${action.modem}`);
          if (!r.ok) return fail('provider-failed', r.error);
        }
        const up = await this.netifd(action.interface, 'up', steps);
        return up ? fail('ubus-failed', up) : { action, code: 'ok', steps, error: null };
      }
      case 'switch': {
        if (!action.target) return fail('unsupported', 'switch without a target');
        if (!this.options.switcher) return fail('unsupported', 'no provider can switch SIM/profile for this modem');
        const r = await this.options.switcher.switchOperator(action.modem, action.target);
        steps.push(`switch ${action.modem} to ${action.target.mcc}${action.target.mnc}`);
        if (!r.ok) return fail('provider-failed', r.error);
        // Reconnect on the new SIM/profile.
        const up = await this.netifd(action.interface, 'up', steps);
        return up ? fail('ubus-failed', up) : { action, code: 'ok', steps, error: null };
      }
    }
  }

  /** Applies in order and stops at the first failure (coordination emits at most one per step anyway). */
  async applyAll(actions: readonly ModemPowerAction[]): Promise<ActionOutcome[]> {
    const out: ActionOutcome[] = [];
    for (const a of actions) {
      const r = await this.apply(a);
      out.push(r);
      if (r.code !== 'ok') break;
    }
    return out;
  }

  /** Null on success, else what went wrong. */
  private async netifd(iface: string, method: 'up' | 'down', steps: string[]): Promise<string | null> {
    const path = `network.interface.${iface}`;
    steps.push(`ubus call ${path} ${method}`);
    try {
      await this.ubus.call(path, method, {}, { timeoutMs: this.options.ubusTimeoutMs });
      return null;
    } catch (e) {
      return `ubus call ${path} ${method} failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
}
