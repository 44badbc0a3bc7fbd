/** What the traffic generator reports, one JSON object per line, and how a peer address names its uplink. */
import type { TrafficKind } from './scenario.js';

export interface CallStats {
  sent: number;
  received: number;
  /** Over the last second; null when nothing came back. */
  rttMs: number | null;
  /** RFC 3550 interarrival jitter estimate, ms. */
  jitterMs: number | null;
  /** Of what was sent up to a second ago, % not echoed. */
  lossPct: number;
  /** The longest time without an echo so far, ms. */
  maxGapMs: number;
  uplink: number;
}

export interface StreamStats {
  bytes: number;
  kbps: number;
  uplink: number;
  connections: number;
}

export interface WebStats {
  ok: number;
  failed: number;
  /** Requests per uplink that answered. */
  byUplink: Record<string, number>;
  lastUplink: number;
}

export interface TrafficTick {
  type: 'tick';
  atMs: number;
  call: CallStats;
  video: StreamStats;
  bulk: StreamStats;
  web: WebStats;
}

/** A connection that ended without its application ending it. */
export interface BreakEvent {
  type: 'break';
  atMs: number;
  flow: TrafficKind;
  uplink: number;
  reason: string;
}

/** A gap in a flow: from the last good reply before it to the first after it. */
export interface OutageEvent {
  type: 'outage';
  flow: TrafficKind;
  fromMs: number;
  toMs: number;
  fromUplink: number;
  toUplink: number;
}

export type TrafficLine = TrafficTick | BreakEvent | OutageEvent;

/** Uplink (1..9) a server-seen peer address belongs to (operators NAT to 198.18.I.2 / 2001:db8:I::2), or 0. */
export function uplinkOfPeer(peer: string | undefined): number {
  const a = (peer ?? '').replace(/^::ffff:/, '');
  const m = /^198\.18\.(\d)\.2$/.exec(a) ?? /^2001:db8:(\d)::2$/.exec(a);
  return m ? Number(m[1]) : 0;
}
