import type { QosClass } from './qos.js';

/**
 * The unit the solver assigns (DESIGN.md): a long-lived or heavy connection on
 * its own, or the rest of one LAN host's traffic of one class together.
 * src/flows builds these; the daemon turns them into solver flows and
 * src/routing into kernel state.
 */
export interface ConnectionTuple {
  family: 4 | 6;
  /** Lower-case protocol name as conntrack prints it (tcp, udp, icmp, ...). */
  proto: string;
  /** Original direction, as seen from the LAN. */
  src: string;
  dst: string;
  sport: number | null;
  dport: number | null;
}

export type GroupKey =
  | { kind: 'host-class'; host: string; className: string }
  | { kind: 'connection'; tuple: ConnectionTuple; className: string; conntrackId: number | null };

export interface FlowGroup {
  /** Stable id derived from the key (e.g. 'h:192.168.1.20:web', 'c:udp:...'). */
  id: string;
  key: GroupKey;
  qos: QosClass;
  /** Demand: measured rates when the group is old enough, else the class' configured demand. */
  upKbps: number;
  downKbps: number;
  measured: boolean;
  /** Live connections in the group. */
  connections: number;
  /** Modem slot the group's existing connections are on (from their marks), if all on one. */
  currentSlot: number | null;
  /** Established NATed TCP: must stay where it is (DESIGN.md decision 1). */
  pinnedByNat: boolean;
}

/** Why a bearer or modem is not offered to the solver; kept for the status page. */
export interface Exclusion {
  modem: string;
  /** null = the whole modem. */
  bearerId: string | null;
  /** Stable code, e.g. 'down', 'quota', 'rsrp', 'loss', 'tier', 'dead-path'. */
  code: string;
  /** Human-readable reason with the figures, e.g. 'RSRP -121 dBm below -115 dBm'. */
  reason: string;
}
