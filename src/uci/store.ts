import * as nodeFs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { UciPackage, UciParseError } from './types.js';
import type { UciDelta } from './delta.js';
import type { UciStatus } from './ptr.js';
import { parseUci } from './parser.js';
import { exportUci } from './export.js';
import { filterDeltaFile, formatDelta, parseDeltaFile } from './delta.js';
import { applyDelta } from './commands.js';
import { isConfigName } from './validate.js';
import { encodeUci } from './bytes.js';

/**
 * The file side of UCI: config files in a directory, uncommitted changes as
 * delta files in save directories, and an atomic commit (temp file in the
 * config directory, fsync, chmod to the old mode, rename, fsync of the
 * directory). libuci also takes flock(2) locks; Node has no flock, so
 * concurrent writers from other processes are not excluded.
 */

/** The few file calls the store makes, so tests can make one of them fail. */
export interface UciFs {
  readFileSync(path: string): Uint8Array;
  statSync(path: string): { isFile(): boolean; isDirectory(): boolean; mode: number };
  readdirSync(path: string): string[];
  mkdirSync(path: string, options: { mode: number; recursive: boolean }): unknown;
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, data: Uint8Array): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  fchmodSync(fd: number, mode: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  appendFileSync(path: string, data: Uint8Array): void;
  truncateSync(path: string, len: number): void;
}

export const DEFAULT_CONFDIR = '/etc/config';
export const DEFAULT_SAVEDIR = '/tmp/.uci';

export interface UciStoreOptions {
  confdir?: string;
  /** Where new changes are written; it is also read last. */
  savedir?: string;
  /** Further delta directories read before the save directory (`uci -p`). */
  deltaPaths?: string[];
  /** Stop at the first parse error (default, as `uci`); false = `uci -S`. */
  strict?: boolean;
  fs?: UciFs;
}

export type UciLoadResult =
  | {
      status: 'ok';
      package: UciPackage;
      /** The saved changes read (what `uci changes` lists). */
      saved: UciDelta[];
      /** How many of them applied (libuci commits only when some did). */
      applied: number;
      parseErrors: UciParseError[];
      path: string;
    }
  | { status: 'notfound' | 'io'; path: string }
  | { status: 'parse'; error: UciParseError; path: string };

export class UciStore {
  readonly confdir: string;
  readonly savedir: string;
  readonly deltaPaths: string[];
  private readonly strict: boolean;
  private readonly fs: UciFs;

  constructor(options: UciStoreOptions = {}) {
    this.confdir = options.confdir ?? DEFAULT_CONFDIR;
    this.savedir = options.savedir ?? DEFAULT_SAVEDIR;
    this.deltaPaths = (options.deltaPaths ?? []).filter((p) => p !== this.savedir);
    this.strict = options.strict ?? true;
    this.fs = options.fs ?? (nodeFs as unknown as UciFs);
  }

  /** The file of a package; only ever called with names isConfigName accepts, so it stays inside confdir. */
  configPath(name: string): string {
    return `${this.confdir}/${name}`;
  }

  /** Config names in the directory (uci_list_configs): no dots, valid package names, sorted. */
  listConfigs(): string[] | null {
    let names: string[];
    try {
      names = this.fs.readdirSync(this.confdir);
    } catch {
      return null;
    }
    return names
      .filter((n) => isConfigName(n))
      .filter((n) => this.isDir(this.configPath(n)) !== true)
      .sort((a, b) => Buffer.compare(encodeUci(a), encodeUci(b)));
  }

  private isFile(path: string): boolean {
    try {
      return this.fs.statSync(path).isFile();
    } catch {
      return false;
    }
  }

  private isDir(path: string): boolean | null {
    try {
      return this.fs.statSync(path).isDirectory();
    } catch {
      return null;
    }
  }

  /** The package as `uci` sees it: the file plus every saved change replayed. */
  load(name: string): UciLoadResult {
    const path = this.configPath(name);
    if (!isConfigName(name) || !this.isFile(path)) return { status: 'notfound', path };
    let text: Uint8Array;
    try {
      text = this.fs.readFileSync(path);
    } catch {
      return { status: 'io', path };
    }
    const parsed = parseUci(text, path, { packageName: name, strict: this.strict });
    if (!parsed.ok) return { status: 'parse', error: parsed.errors[0]!, path };
    const saved: UciDelta[] = [];
    let applied = 0;
    for (const dir of [...this.deltaPaths, this.savedir]) {
      for (const d of this.readDeltas(dir, name)) {
        saved.push(d);
        if (applyDelta(parsed.package, d)) applied++;
      }
    }
    return { status: 'ok', package: parsed.package, saved, applied, parseErrors: parsed.errors, path };
  }

  private readDeltas(dir: string, name: string): UciDelta[] {
    const file = `${dir}/${name}`;
    if (!this.isFile(file)) return [];
    try {
      return parseDeltaFile(this.fs.readFileSync(file), name);
    } catch {
      return [];
    }
  }

  /** uci_save: appends changes to <savedir>/<name>. */
  save(name: string, deltas: readonly UciDelta[]): UciStatus {
    if (!isConfigName(name)) return 'inval';
    if (deltas.length === 0) return 'ok';
    try {
      const dirState = this.isDir(this.savedir);
      if (dirState === false) return 'io';
      // libuci gives a new save directory the config directory's mode.
      let mode = 0o700;
      try {
        mode = this.fs.statSync(this.confdir).mode & 0o7777;
      } catch {
        // keep the default
      }
      if (dirState === null) this.fs.mkdirSync(this.savedir, { mode, recursive: true });
      this.fs.appendFileSync(`${this.savedir}/${name}`, encodeUci(deltas.map((d) => formatDelta(name, d)).join('')));
      return 'ok';
    } catch {
      return 'io';
    }
  }

  /**
   * uci_commit: reloads the file, replays every saved change, writes the
   * result atomically and empties the save file. Nothing is written when
   * there are no changes.
   */
  commit(name: string): { status: UciStatus; error?: UciParseError } {
    const loaded = this.load(name);
    if (loaded.status === 'parse') return { status: 'parse', error: loaded.error };
    if (loaded.status !== 'ok') return { status: loaded.status };
    if (loaded.applied === 0) return { status: 'ok' };
    const status = this.writeAtomic(loaded.path, exportUci(loaded.package, { header: false }));
    if (status !== 'ok') return { status };
    try {
      if (this.isFile(`${this.savedir}/${name}`)) this.fs.truncateSync(`${this.savedir}/${name}`, 0);
    } catch {
      return { status: 'io' };
    }
    return { status: 'ok' };
  }

  /**
   * uci_revert: drops the saved changes to a package, a section or an
   * option from the save directory (only there: `-p` directories are read,
   * never rewritten). section is the real name (resolve `@type[N]` first).
   * A missing save file is nothing to revert; a save file with a line that
   * does not parse is left as it is, as libuci does.
   */
  revert(name: string, section: string | null = null, option: string | null = null): UciStatus {
    if (!isConfigName(name)) return 'inval';
    const file = `${this.savedir}/${name}`;
    if (!this.isFile(file)) return 'ok';
    try {
      const kept = filterDeltaFile(this.fs.readFileSync(file), name, section, option);
      if (kept === null) return 'ok';
      this.fs.truncateSync(file, 0);
      if (kept !== '') this.fs.appendFileSync(file, encodeUci(kept));
      return 'ok';
    } catch {
      return 'io';
    }
  }

  /** Replaces a file with `content` so that readers see the old or the new file, never a part. */
  writeAtomic(path: string, content: string | Uint8Array): UciStatus {
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '.' : path.slice(0, slash) || '/';
    const base = path.slice(slash + 1);
    const tmp = `${dir}/.${base}.uci-${randomBytes(4).toString('hex').slice(0, 6)}`;
    let mode = 0o644;
    try {
      mode = this.fs.statSync(path).mode & 0o7777;
    } catch {
      // a new file gets the default mode
    }
    let fd: number | null = null;
    try {
      fd = this.fs.openSync(tmp, 'wx', 0o600);
      const data = typeof content === 'string' ? encodeUci(content) : content;
      let off = 0;
      while (off < data.length) off += this.fs.writeSync(fd, data.subarray(off));
      this.fs.fsyncSync(fd);
      this.fs.fchmodSync(fd, mode);
      this.fs.closeSync(fd);
      fd = null;
      this.fs.renameSync(tmp, path);
    } catch {
      if (fd !== null) {
        try {
          this.fs.closeSync(fd);
        } catch {
          // already failing
        }
      }
      try {
        this.fs.unlinkSync(tmp);
      } catch {
        // nothing to remove
      }
      return 'io';
    }
    this.syncDir(dir);
    return 'ok';
  }

  /** Makes the rename itself durable; a failure here does not undo the commit. */
  private syncDir(dir: string): void {
    try {
      const fd = this.fs.openSync(dir, 'r');
      try {
        this.fs.fsyncSync(fd);
      } finally {
        this.fs.closeSync(fd);
      }
    } catch {
      // some file systems refuse fsync on directories
    }
  }
}
