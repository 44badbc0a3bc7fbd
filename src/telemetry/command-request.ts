import { TOPIC_LEVEL_RE } from './topics.js';

/** Commands a broker may give (`<root>/<id>/cmd/<name>`), and their arguments. */
export type CommandName = 'set_power_limit' | 'update_plan' | 'solve' | 'reload';
export const COMMAND_NAMES: readonly CommandName[] = ['set_power_limit', 'update_plan', 'solve', 'reload'];

/** A command payload is small JSON; anything longer is refused unread. */
export const MAX_COMMAND_BYTES = 4096;

export type CommandArgs =
  | { name: 'set_power_limit'; watts: number | null }
  | { name: 'update_plan'; modem: string; pricePerGb?: number; quotaGb?: number | null }
  | { name: 'solve' }
  | { name: 'reload' };

export type ParsedCommand =
  | { ok: true; id: string; command: CommandArgs }
  /** `id` is null when the request id could not be read (then there is nowhere to reply). */
  | { ok: false; id: string | null; error: string };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[]): string | null {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  return extra.length ? `args: unknown field ${JSON.stringify(extra[0])} (expected ${allowed.length ? allowed.join(', ') : 'none'})` : null;
}

function parseArgs(name: CommandName, args: Record<string, unknown>): CommandArgs | string {
  switch (name) {
    case 'set_power_limit': {
      const bad = onlyKeys(args, ['watts']);
      if (bad) return bad;
      const w = args.watts;
      if (w === null) return { name, watts: null };
      if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0 || w > 10000) return 'args.watts: expected a number > 0 and <= 10000 (W), or null for the configured limit';
      return { name, watts: w };
    }
    case 'update_plan': {
      const bad = onlyKeys(args, ['modem', 'price_per_gb', 'quota_gb']);
      if (bad) return bad;
      if (typeof args.modem !== 'string' || !TOPIC_LEVEL_RE.test(args.modem)) return 'args.modem: expected a modem section name (1-64 of A-Z a-z 0-9 _ . -)';
      const out: CommandArgs = { name, modem: args.modem };
      if ('price_per_gb' in args) {
        const p = args.price_per_gb;
        if (typeof p !== 'number' || !Number.isFinite(p) || p < 0) return 'args.price_per_gb: expected a number >= 0';
        out.pricePerGb = p;
      }
      if ('quota_gb' in args) {
        const q = args.quota_gb;
        if (q !== null && (typeof q !== 'number' || !Number.isFinite(q) || q <= 0)) return 'args.quota_gb: expected a number > 0, or null for unlimited';
        out.quotaGb = q;
      }
      if (out.pricePerGb === undefined && out.quotaGb === undefined) return 'args: expected price_per_gb and/or quota_gb';
      return out;
    }
    case 'solve':
    case 'reload': {
      const bad = onlyKeys(args, []);
      return bad ?? { name };
    }
  }
}

/**
 * Checks one command message: size, JSON, request id, name against the
 * allowed list, then the arguments of that command. Payload:
 * `{"id": "<request id>", "args": {...}}` (args may be left out when empty).
 */
export function parseCommand(name: string, payload: Uint8Array, allowed: readonly string[]): ParsedCommand {
  if (payload.byteLength > MAX_COMMAND_BYTES) return { ok: false, id: null, error: `payload of ${payload.byteLength} bytes is over the limit of ${MAX_COMMAND_BYTES}` };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return { ok: false, id: null, error: 'payload is not JSON; expected {"id": "...", "args": {...}}' };
  }
  if (!isObject(body)) return { ok: false, id: null, error: 'payload: expected a JSON object {"id": "...", "args": {...}}' };
  const id = body.id;
  if (typeof id !== 'string' || !TOPIC_LEVEL_RE.test(id)) return { ok: false, id: null, error: 'id: expected a request id of 1-64 of A-Z a-z 0-9 _ . -' };
  const extra = Object.keys(body).filter((k) => k !== 'id' && k !== 'args');
  if (extra.length) return { ok: false, id, error: `unknown field ${JSON.stringify(extra[0])} (expected id, args)` };
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) return { ok: false, id, error: `unknown command ${JSON.stringify(name)} (expected one of ${COMMAND_NAMES.join(', ')})` };
  if (!allowed.includes(name)) return { ok: false, id, error: `command ${JSON.stringify(name)} is not allowed on this router (allowed: ${allowed.join(', ') || 'none'})` };
  const args = body.args ?? {};
  if (!isObject(args)) return { ok: false, id, error: 'args: expected a JSON object' };
  const parsed = parseArgs(name as CommandName, args);
  return typeof parsed === 'string' ? { ok: false, id, error: parsed } : { ok: true, id, command: parsed };
}
