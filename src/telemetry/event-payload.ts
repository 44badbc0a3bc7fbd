import type { ApiEvent, DecisionKind } from '../model/api.js';
import { PAYLOAD_VERSION } from './payload-version.js';

/** Every `events` message: `v`, `ts` (when it happened) and `type`, then the fields of that type. */
export type EventPayload =
  | { v: number; ts: number; type: 'modem'; modem: string; state: string; previous: string | null; reason: string | null }
  | { v: number; ts: number; type: 'path'; modem: string; alive: boolean; rttMs: number | null; lossPct: number | null }
  | { v: number; ts: number; type: 'decision'; kind: DecisionKind; modem: string | null; group: string | null; from: string | null; reason: string }
  | { v: number; ts: number; type: 'power'; limitW: number | null; previousW: number | null; basis: string; explanation: string }
  | { v: number; ts: number; type: 'config'; state: string; changed: string[]; errors: number; warnings: number }
  | { v: number; ts: number; type: 'telemetry'; dropped: number; reason: string }
  | { v: number; ts: number; type: 'command'; command: string; id: string | null; ok: boolean; error: string | null };

/**
 * Per-group placements are the daemon's bread and butter (hundreds an hour):
 * they stay in `state` counters and the ubus history, not in the event stream.
 */
const QUIET_DECISIONS: ReadonlySet<DecisionKind> = new Set(['place', 'move', 'unplace', 'spread']);

/** The `events` message for a daemon event, or null for those not published. */
export function eventPayload(e: ApiEvent): EventPayload | null {
  const v = PAYLOAD_VERSION;
  switch (e.type) {
    case 'modem':
      return { v, ts: e.data.atMs, type: 'modem', modem: e.data.name, state: e.data.state, previous: e.data.previous, reason: e.data.reason };
    case 'decision':
      if (QUIET_DECISIONS.has(e.data.kind)) return null;
      return { v, ts: e.data.atMs, type: 'decision', kind: e.data.kind, modem: e.data.modem, group: e.data.group, from: e.data.from, reason: e.data.reason };
    case 'power':
      return { v, ts: e.data.atMs, type: 'power', limitW: e.data.limitW, previousW: e.data.previousW, basis: e.data.basis, explanation: e.data.explanation };
    case 'config':
      return {
        v,
        ts: e.data.atMs,
        type: 'config',
        state: e.data.state,
        changed: [...e.data.changed],
        errors: e.data.problems.filter((p) => p.severity === 'error').length,
        warnings: e.data.problems.filter((p) => p.severity === 'warning').length,
      };
  }
}

export function pathEventPayload(modem: string, alive: boolean, rttMs: number | null, lossPct: number | null, ts: number): EventPayload {
  return { v: PAYLOAD_VERSION, ts, type: 'path', modem, alive, rttMs, lossPct };
}

/** Reported once the link is back: how many older messages the full outbox had to drop. */
export function droppedEventPayload(dropped: number, ts: number): EventPayload {
  return { v: PAYLOAD_VERSION, ts, type: 'telemetry', dropped, reason: 'outbox full while offline: oldest messages dropped' };
}

export function commandEventPayload(command: string, id: string | null, ok: boolean, error: string | null, ts: number): EventPayload {
  return { v: PAYLOAD_VERSION, ts, type: 'command', command, id, ok, error };
}
