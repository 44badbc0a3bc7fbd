import type { QosClass } from './qos.js';

/**
 * The Traffic Flow Assignment Problem (thesis 002, section 3.2) as plain JSON.
 * This shape is the public instance/answer format documented in the README.
 */

/** One way an interface (modem) can be connected: SIM/operator x RAT x APN. */
export interface BearerSpec {
  id: string;
  /** Best QoS class the bearer currently meets. */
  qos: QosClass;
  upKbps: number;
  downKbps: number;
  /** Money per kbit carried, either direction (eq. 3.4). */
  costPerKbit: number;
  /** Power of the interface when associated and idle, W. */
  baseW: number;
  /** W per kbps transmitted (uplink). */
  txWPerKbps: number;
  /** W per kbps received (downlink). */
  rxWPerKbps: number;
}

export interface InterfaceSpec {
  id: string;
  bearers: BearerSpec[];
}

export interface FlowSpec {
  id: string;
  upKbps: number;
  downKbps: number;
  qos: QosClass;
  /** Interface the flow must stay on (e.g. an established NATed connection). */
  pinned?: string;
}

export interface TfapInstance {
  /** P_max in W; null = unbounded (mains power). */
  powerLimitW: number | null;
  interfaces: InterfaceSpec[];
  flows: FlowSpec[];
}

export type TfapStatus = 'ok' | 'over_power_limit' | 'infeasible';
export type TfapMethod = 'heuristic' | 'exact';

export interface TfapAnswer {
  status: TfapStatus;
  /** interfaceId -> bearerId, active interfaces only. */
  activation: Record<string, string>;
  /** flowId -> interfaceId. */
  assignment: Record<string, string>;
  costPerSecond: number;
  powerW: number;
  solveMs: number;
  method: TfapMethod;
  /** Why the status is not `ok` (which flow could not be served, ...). */
  reason?: string;
  /** The heuristic's time budget ran out: this is the best answer found until then. */
  stoppedEarly?: true;
}
