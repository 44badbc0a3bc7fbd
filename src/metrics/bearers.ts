import type { ModemConfig } from '../model/config.js';
import type { Exclusion } from '../model/flow-group.js';
import type { ModemView } from '../model/modem.js';
import type { InterfaceSpec } from '../model/tfap.js';
import { powerCoefficients } from './power-model.js';
import { priceQuote } from './price.js';
import { qosFromPath } from './qos-class.js';

export interface BearerSet {
  interfaces: InterfaceSpec[];
  excluded: Exclusion[];
}

export interface BuildBearersOptions {
  /** Offset of the router's local time from UTC in minutes (billing days are local). */
  utcOffsetMin?: number;
}

/**
 * The solver's interface/bearer list from the modem views. One interface per
 * enabled modem, with one bearer: the connection it has now (SIM/operator x
 * RAT). A modem left out gets an Exclusion with a provider-level reason only:
 * disabled, interface down, health unknown, quota reached, no capacity.
 * Thresholds (signal, loss, RTT), tiers and shared cells are coordination's.
 * A bearer whose path has not answered yet is offered as Background only:
 * nothing better is known.
 */
export function buildBearers(views: readonly ModemView[], configs: readonly ModemConfig[], nowMs: number, options: BuildBearersOptions = {}): BearerSet {
  const byName = new Map(views.map((v) => [v.name, v]));
  const interfaces: InterfaceSpec[] = [];
  const excluded: Exclusion[] = [];
  const out = (modem: string, code: string, reason: string): void => {
    excluded.push({ modem, bearerId: null, code, reason });
  };
  for (const cfg of configs) {
    if (!cfg.enabled) {
      out(cfg.name, 'disabled', 'modem disabled in the configuration');
      continue;
    }
    const view = byName.get(cfg.name);
    if (!view) {
      out(cfg.name, 'unknown', 'no metrics yet');
      continue;
    }
    if (!view.link.up) {
      out(cfg.name, 'down', `interface ${cfg.interface} is down`);
      continue;
    }
    if (view.health !== 'ok') {
      out(cfg.name, 'unknown', view.problem ?? 'provider failed');
      continue;
    }
    const bearerId = bearerIdOf(view);
    const price = priceQuote(cfg.plan, view.cycleBytes ?? 0, nowMs, options.utcOffsetMin ?? 0);
    if (price.costPerKbit === null) {
      excluded.push({ modem: cfg.name, bearerId, code: 'quota', reason: price.reason });
      continue;
    }
    const cap = view.capacity;
    if (!cap || (cap.downKbps <= 0 && cap.upKbps <= 0)) {
      excluded.push({ modem: cfg.name, bearerId, code: 'no-capacity', reason: cap ? 'capacity estimate is zero (no usable signal)' : 'no capacity estimate yet' });
      continue;
    }
    const power = powerCoefficients(cfg, view.radio?.rat ?? null);
    interfaces.push({
      id: cfg.name,
      bearers: [
        {
          id: bearerId,
          qos: qosFromPath(view.path) ?? 'B',
          upKbps: cap.upKbps,
          downKbps: cap.downKbps,
          costPerKbit: price.costPerKbit,
          baseW: power.baseW,
          txWPerKbps: power.txWPerKbps,
          rxWPerKbps: power.rxWPerKbps,
        },
      ],
    });
  }
  return { interfaces, excluded };
}

/** Stable across RAT changes (an EN-DC leg coming and going is the same bearer): modem + operator. */
export function bearerIdOf(view: ModemView): string {
  const r = view.radio;
  const plmn = r && r.mcc !== null && r.mnc !== null ? `${r.mcc}${r.mnc}` : 'sim';
  return `${view.name}/${plmn}`;
}
