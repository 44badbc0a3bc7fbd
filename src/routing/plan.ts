import type { ClassRule } from '../model/config.js';
import type { ConnectionTuple } from '../model/flow-group.js';

/**
 * The desired kernel routing state, as the daemon derives it from netifd's
 * view of the modems and the solver's answer. src/routing turns one of these
 * into ip rules, per-modem routing tables and the `inet modemflow` table.
 * Plain data: building it needs no OS access.
 */
export interface RoutingPlan {
  modems: RoutedModem[];
  /**
   * The full class list in order (the user's classes, then
   * DEFAULT_CLASS_RULES, then FALLBACK_CLASS): class index = position + 1,
   * as in mark-layout.ts.
   */
  classes: ClassRule[];
  lan: LanSpec;
  /** Extra destinations never steered (e.g. the fleet's management servers), CIDRs. */
  exemptDestinations: string[];
  /** Where new connections of a LAN host (or of all hosts) of a class go. */
  placements: Placement[];
  /** Where new connections go that no placement names; null = leave them to the main table. */
  defaultTarget: PlacementTarget | null;
  /** Single connections the solver placed on their own. */
  pins: ConnectionPin[];
}

export interface RoutedModem {
  /** modemflow's modem section name. */
  name: string;
  /** 1..15, stable for the modem's lifetime in the daemon (mark-layout.ts). */
  slot: number;
  /** netifd interface (for logs). */
  interface: string;
  /** L3 device carrying the traffic (e.g. wwan0); null when netifd reports none. */
  device: string | null;
  gatewayV4: string | null;
  gatewayV6: string | null;
  /** The modem's own addresses (no prefix length). */
  addressesV4: string[];
  addressesV6: string[];
  /** netifd says up. Down modems get no routes and no rules. */
  up: boolean;
  /** Fit to carry traffic (probes answer, thresholds hold). An up but unusable modem keeps its table and its source rules (probes need them) but gets no new traffic, and its connections are re-placed. */
  usable: boolean;
}

export interface LanSpec {
  /** Interfaces LAN clients arrive on (e.g. br-lan). */
  interfaces: string[];
  /** LAN prefixes, IPv4 and IPv6 (never steered as destinations). */
  prefixes: string[];
}

export interface SlotShare {
  slot: number;
  /** The solver's rate for this slot (OMMA's lambda*_j); any positive scale. */
  weight: number;
}

export type PlacementTarget = { kind: 'slot'; slot: number } | { kind: 'share'; shares: SlotShare[] };

export interface Placement {
  /** A LAN host address; null = every host of the class. */
  host: string | null;
  /** 1-based position in `classes`. */
  classIndex: number;
  target: PlacementTarget;
}

export interface ConnectionPin {
  /** tcp, udp, sctp or udplite: pins match on ports. */
  tuple: ConnectionTuple;
  slot: number;
}

/** The parts of GlobalsConfig routing needs, plus the table name (tests use their own). */
export interface RoutingSettings {
  /** Modem slot s uses routing table tableBase + s. */
  tableBase: number;
  /** ip rules of slot s sit at rulePriorityBase + 2(s-1) and + 2(s-1) + 1. */
  rulePriorityBase: number;
  markMask: number;
  /** nftables table name in family inet; 'modemflow' on a router. */
  tableName: string;
}

export const DEFAULT_TABLE_NAME = 'modemflow';

/** Two rule priorities per slot, slots 1..15. */
export const PRIORITIES_PER_SLOT = 2;
