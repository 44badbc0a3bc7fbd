import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { OutboxSnapshot } from './outbox.js';

/** Where the outbox survives a restart. */
export interface OutboxStore {
  load(path: string): Promise<OutboxSnapshot | null>;
  save(path: string, s: OutboxSnapshot): Promise<void>;
}

/**
 * The queue file: one header line `{"v":1,"dropped":N}` then one JSON line
 * per message, oldest first. Written whole to `<file>.tmp`, synced and
 * renamed over the file, so a crash leaves the old or the new one, never a
 * mix. An empty queue removes the file. Counts what it writes (flash wear).
 */
export class FileOutboxStore implements OutboxStore {
  writes = 0;
  bytesWritten = 0;

  async load(path: string): Promise<OutboxSnapshot | null> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const lines = text.split('\n').filter((l) => l.length > 0);
    const header = JSON.parse(lines[0] ?? '{}') as { v?: number; dropped?: number };
    if (header.v !== 1) throw new Error(`${path}:1: expected a modemflow queue file header {"v":1,...}`);
    const entries: OutboxSnapshot['entries'] = [];
    lines.slice(1).forEach((line, i) => {
      let m: { t?: unknown; p?: unknown; r?: unknown; k?: unknown };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        // A torn last line cannot happen with rename, but a hand-edited file can: skip, keep the rest.
        return;
      }
      if (typeof m.t !== 'string' || typeof m.p !== 'string') throw new Error(`${path}:${i + 2}: expected {"t": topic, "p": payload}`);
      entries.push({ topic: m.t, payload: m.p, retain: m.r === 1, key: typeof m.k === 'string' ? m.k : null });
    });
    return { dropped: typeof header.dropped === 'number' ? header.dropped : 0, entries };
  }

  async save(path: string, s: OutboxSnapshot): Promise<void> {
    if (s.entries.length === 0 && s.dropped === 0) {
      await unlink(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      return;
    }
    const lines = [JSON.stringify({ v: 1, dropped: s.dropped })];
    for (const e of s.entries) lines.push(JSON.stringify(e.key === null ? { t: e.topic, p: e.payload, r: e.retain ? 1 : 0 } : { t: e.topic, p: e.payload, r: e.retain ? 1 : 0, k: e.key }));
    const data = lines.join('\n') + '\n';
    const tmp = `${path}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    this.writes++;
    this.bytesWritten += Buffer.byteLength(data);
  }
}
