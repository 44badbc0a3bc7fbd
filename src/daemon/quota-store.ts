import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes used per SIM in the current billing cycle, kept across restarts and
 * reboots. Flash wears, so the daemon writes rarely (QuotaPersistPolicy):
 * the file is small JSON written to a temporary name and renamed, so a power
 * cut leaves the old file or the new one, never half of one.
 */
export interface QuotaRecord {
  /** Start of the billing cycle the bytes belong to (ms since the epoch). */
  cycleStartMs: number;
  bytes: number;
}

export interface QuotaState {
  version: 1;
  savedMs: number;
  modems: Record<string, QuotaRecord>;
}

export interface QuotaStore {
  /** The saved state; null when there is none; an error text when the file is unreadable or malformed. */
  load(): Promise<QuotaState | null | string>;
  save(state: QuotaState): Promise<void>;
}

export const QUOTA_FILE = 'quota.json';

export class FileQuotaStore implements QuotaStore {
  constructor(private readonly dir: string) {}

  get path(): string {
    return join(this.dir, QUOTA_FILE);
  }

  async load(): Promise<QuotaState | null | string> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : `${this.path}: ${(e as Error).message}`;
    }
    return parseQuotaState(text, this.path);
  }

  async save(state: QuotaState): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, JSON.stringify(state) + '\n', { mode: 0o600 });
    await rename(tmp, this.path);
  }
}

/** Checks a saved state field by field; a bad file is reported, never half-used. */
export function parseQuotaState(text: string, where: string): QuotaState | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `${where}: not JSON (${(e as Error).message})`;
  }
  if (typeof doc !== 'object' || doc === null || (doc as { version?: unknown }).version !== 1) return `${where}: expected {"version": 1, ...}`;
  const d = doc as { savedMs?: unknown; modems?: unknown };
  if (typeof d.savedMs !== 'number' || typeof d.modems !== 'object' || d.modems === null || Array.isArray(d.modems)) {
    return `${where}: expected savedMs (number) and modems (object)`;
  }
  const modems: Record<string, QuotaRecord> = {};
  for (const [name, r] of Object.entries(d.modems as Record<string, unknown>)) {
    const rec = r as { cycleStartMs?: unknown; bytes?: unknown } | null;
    if (!rec || typeof rec.cycleStartMs !== 'number' || typeof rec.bytes !== 'number' || !Number.isFinite(rec.bytes) || rec.bytes < 0) {
      return `${where}: modems.${name}: expected {cycleStartMs: number, bytes: number >= 0}`;
    }
    modems[name] = { cycleStartMs: rec.cycleStartMs, bytes: rec.bytes };
  }
  return { version: 1, savedMs: d.savedMs, modems };
}

/** At most one write per this interval while running (the flash budget). */
export const QUOTA_SAVE_INTERVAL_MS = 10 * 60_000;

/**
 * When to write: never more often than every 10 minutes for byte growth; at
 * once when a billing cycle rolled over (the old count must not come back
 * after a reboot); and on stop (the caller).
 */
export function quotaSaveDue(last: QuotaState | null, now: Record<string, QuotaRecord>, nowMs: number): 'rollover' | 'interval' | null {
  if (last === null) return Object.keys(now).length > 0 ? 'interval' : null;
  for (const [name, r] of Object.entries(now)) {
    const prev = last.modems[name];
    if (prev && prev.cycleStartMs !== r.cycleStartMs) return 'rollover';
  }
  if (nowMs - last.savedMs < QUOTA_SAVE_INTERVAL_MS) return null;
  const changed = Object.entries(now).some(([name, r]) => last.modems[name]?.bytes !== r.bytes);
  return changed ? 'interval' : null;
}
