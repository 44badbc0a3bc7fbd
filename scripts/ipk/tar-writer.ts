/**
 * A deterministic tar writer that produces the bytes GNU tar writes for
 * `tar --format=gnu --numeric-owner --owner=0 --group=0 --sort=name
 * --mtime=@T -cf - .` (what OpenWrt's scripts/ipkg-build runs under
 * fakeroot): GNU headers ("ustar  \0"), owner 0/0 without names, one fixed
 * mtime, entries depth-first with each directory's children sorted by byte
 * order, two zero blocks and padding to a 10240-byte record.
 *
 * Our own writer rather than Debian's tar via execFile: the bytes then depend
 * on nothing installed on the build machine (tar version, locale, umask,
 * file owners), and the test compares them with GNU tar's where it exists.
 */

const BLOCK = 512;
const RECORD = 20 * BLOCK;

export type TarEntryType = 'dir' | 'file';

export interface TarEntry {
  /** Path as stored: `./`, `./usr/`, `./usr/bin/x`, or a bare name (`debian-binary`). */
  name: string;
  type: TarEntryType;
  /** Permission bits (e.g. 0o755). */
  mode: number;
  data?: Uint8Array;
}

export class TarError extends Error {
  override name = 'TarError';
}

function octal(value: number, width: number): string {
  // width - 1 digits, zero-padded, then the NUL the field ends with.
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new TarError(`value ${value} does not fit a ${width}-byte tar field`);
  return digits.padStart(width - 1, '0');
}

function put(buf: Buffer, offset: number, text: string): void {
  buf.write(text, offset, 'latin1');
}

/** One 512-byte GNU header. */
export function tarHeader(entry: TarEntry, mtimeS: number): Buffer {
  const name = Buffer.from(entry.name, 'utf8');
  // Longer names need GNU's ././@LongLink records; nothing we ship is that long.
  if (name.length > 100) throw new TarError(`tar name longer than 100 bytes: ${entry.name}`);
  if (entry.type === 'dir' && !entry.name.endsWith('/')) throw new TarError(`directory name must end with '/': ${entry.name}`);
  const size = entry.type === 'file' ? (entry.data?.length ?? 0) : 0;
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0);
  put(h, 100, octal(entry.mode & 0o7777, 8));
  put(h, 108, octal(0, 8));
  put(h, 116, octal(0, 8));
  put(h, 124, octal(size, 12));
  put(h, 136, octal(mtimeS, 12));
  h.fill(0x20, 148, 156); // checksum counts as spaces while summing
  h[156] = entry.type === 'dir' ? 0x35 : 0x30;
  put(h, 257, 'ustar  '); // GNU magic and version: "ustar" SP SP NUL
  let sum = 0;
  for (const b of h) sum += b;
  put(h, 148, octal(sum, 7)); // six digits, NUL, and the space left from summing
  h[154] = 0;
  return h;
}

/** The archive: headers and data in the given order, then the end marker and record padding. */
export function writeTar(entries: readonly TarEntry[], mtimeS: number): Buffer {
  if (!Number.isInteger(mtimeS) || mtimeS < 0) throw new TarError(`mtime must be a non-negative integer, got ${mtimeS}`);
  const parts: Buffer[] = [];
  let length = 0;
  for (const e of entries) {
    const header = tarHeader(e, mtimeS);
    parts.push(header);
    length += BLOCK;
    if (e.type === 'file' && e.data && e.data.length > 0) {
      const padded = Math.ceil(e.data.length / BLOCK) * BLOCK;
      const body = Buffer.alloc(padded);
      Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length).copy(body);
      parts.push(body);
      length += padded;
    }
  }
  length += 2 * BLOCK;
  const total = Math.ceil(length / RECORD) * RECORD;
  parts.push(Buffer.alloc(total - (length - 2 * BLOCK)));
  return Buffer.concat(parts, total);
}

export interface TreeFile {
  /** Absolute path on the target, e.g. `/usr/bin/modemflow`. */
  path: string;
  mode: number;
  data: Uint8Array;
}

/**
 * The entries `tar -cf - .` writes for a directory tree holding these files:
 * `./` first, then each directory before its contents, children sorted by
 * name (byte order, as `--sort=name` does). Directories are 0755.
 */
export function treeEntries(files: readonly TreeFile[], dirMode = 0o755): TarEntry[] {
  interface Dir {
    dirs: Map<string, Dir>;
    files: Map<string, TreeFile>;
  }
  const root: Dir = { dirs: new Map(), files: new Map() };
  for (const f of files) {
    const parts = f.path.split('/');
    if (parts[0] !== '' || parts.length < 2 || parts.slice(1).some((p) => p === '' || p === '.' || p === '..')) {
      throw new TarError(`not a clean absolute path: ${f.path}`);
    }
    let dir = root;
    for (const p of parts.slice(1, -1)) {
      if (dir.files.has(p)) throw new TarError(`${f.path}: '${p}' is a file`);
      let next = dir.dirs.get(p);
      if (!next) {
        next = { dirs: new Map(), files: new Map() };
        dir.dirs.set(p, next);
      }
      dir = next;
    }
    const leaf = parts[parts.length - 1]!;
    if (dir.files.has(leaf) || dir.dirs.has(leaf)) throw new TarError(`duplicate path: ${f.path}`);
    dir.files.set(leaf, f);
  }
  const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const out: TarEntry[] = [{ name: './', type: 'dir', mode: dirMode }];
  const walk = (dir: Dir, prefix: string): void => {
    const names = [...dir.dirs.keys(), ...dir.files.keys()].sort(byBytes);
    for (const n of names) {
      const sub = dir.dirs.get(n);
      if (sub) {
        out.push({ name: `${prefix}${n}/`, type: 'dir', mode: dirMode });
        walk(sub, `${prefix}${n}/`);
      } else {
        const f = dir.files.get(n)!;
        out.push({ name: `${prefix}${n}`, type: 'file', mode: f.mode, data: f.data });
      }
    }
  };
  walk(root, './');
  return out;
}
