import type { ClassRule } from '../model/config.js';
import type { FlowGroup } from '../model/flow-group.js';
import type { ModemView } from '../model/modem.js';
import { isInterfaceName } from '../routing/addr.js';
import type { ConnectionPin, LanSpec, Placement, PlacementTarget, RoutedModem, RoutingPlan } from '../routing/plan.js';

/**
 * From a decision to the kernel state src/routing installs: every modem
 * with a slot gets its table and source rules; each host-class group's new
 * connections go to its modem (a placement); connections assigned on their
 * own are pinned; a group spread over several modems gets shares (OMMA
 * weights, src/routing/leaky-bucket.ts); each class has a placement for hosts not seen yet; what
 * no rule names follows `defaultModem` (or the main table when null).
 * Pure: plain data in, plain data out.
 */

export interface PlanModem {
  name: string;
  slot: number;
  view: ModemView;
  /** Fit to carry traffic (up, metrics ok, not excluded for a fault). Standby modems stay routable. */
  routable: boolean;
}

export interface PlanInput {
  modems: PlanModem[];
  /** The full class list (classList(config.classes)). */
  classes: ClassRule[];
  lan: LanSpec;
  groups: readonly FlowGroup[];
  /** group id -> modem name. */
  assignment: Readonly<Record<string, string>>;
  /** class name -> modem name, for new hosts of that class. */
  classTargets: ReadonlyMap<string, string>;
  /** group id -> modems and weights, for groups spread over several modems (they have no assignment). */
  shares: ReadonlyMap<string, ReadonlyArray<{ modem: string; weight: number }>>;
  defaultModem: string | null;
}

const PORT_PROTOS = new Set(['tcp', 'udp', 'sctp', 'udplite']);

export function buildRoutingPlan(input: PlanInput): RoutingPlan {
  const slotOf = new Map<string, number>();
  const modems: RoutedModem[] = input.modems.map((m) => {
    slotOf.set(m.name, m.slot);
    const l = m.view.link;
    return {
      name: m.name,
      slot: m.slot,
      interface: l.interface,
      // netifd names no l3_device for a down interface and some providers fall back to a sysfs path: only a real device name routes.
      device: l.up && l.l3Device !== null && isInterfaceName(l.l3Device) ? l.l3Device : null,
      gatewayV4: l.gatewayV4,
      gatewayV6: l.gatewayV6,
      addressesV4: l.ipv4.map(stripPrefix),
      addressesV6: l.ipv6.map(stripPrefix),
      up: l.up,
      usable: l.up && m.routable,
    };
  });
  const usable = new Set(modems.filter((m) => m.usable).map((m) => m.name));
  const target = (modem: string | undefined | null): number | null => (modem && usable.has(modem) ? slotOf.get(modem)! : null);
  const classIndex = new Map(input.classes.map((c, i) => [c.name, i + 1]));

  const placements: Placement[] = [];
  for (const [className, modem] of input.classTargets) {
    const idx = classIndex.get(className);
    const slot = target(modem);
    if (idx !== undefined && slot !== null) placements.push({ host: null, classIndex: idx, target: { kind: 'slot', slot } });
  }
  const pins: ConnectionPin[] = [];
  const shareTarget = (list: ReadonlyArray<{ modem: string; weight: number }>): PlacementTarget | null => {
    const shares = list.flatMap((s) => {
      const slot = target(s.modem);
      return slot === null ? [] : [{ slot, weight: s.weight }];
    });
    if (shares.length === 0) return null;
    return shares.length === 1 ? { kind: 'slot', slot: shares[0]!.slot } : { kind: 'share', shares };
  };
  for (const g of input.groups) {
    const key = g.key;
    const spread = input.shares.get(g.id);
    if (spread && key.kind === 'host-class') {
      const idx = classIndex.get(key.className);
      const t = shareTarget(spread);
      if (idx !== undefined && t) placements.push({ host: key.host, classIndex: idx, target: t });
      continue;
    }
    const slot = target(input.assignment[g.id]);
    if (slot === null) continue;
    if (key.kind === 'host-class') {
      const idx = classIndex.get(key.className);
      if (idx !== undefined) placements.push({ host: key.host, classIndex: idx, target: { kind: 'slot', slot } });
    } else if (!g.pinnedByNat && PORT_PROTOS.has(key.tuple.proto) && key.tuple.sport !== null && key.tuple.dport !== null) {
      // An established NATed connection follows its conntrack mark: a pin could only move it, which breaks it.
      pins.push({ tuple: key.tuple, slot });
    }
  }
  const d = target(input.defaultModem);
  return {
    modems,
    classes: input.classes,
    lan: input.lan,
    exemptDestinations: [],
    placements,
    defaultTarget: d === null ? null : { kind: 'slot', slot: d },
    pins,
  };
}

function stripPrefix(a: string): string {
  const i = a.indexOf('/');
  return i < 0 ? a : a.slice(0, i);
}
