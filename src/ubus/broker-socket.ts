/**
 * Where the broker may listen. ubusd unlinks whatever is at its path; a
 * development broker must not: a path that is not a socket is refused, a
 * socket a live broker answers on is refused (taking it over would strand
 * that broker's clients), and only a stale socket (nobody listening) is
 * replaced. Also the client limit derived from the process's fd limit.
 */
import { lstat, readFile, unlink } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { UbusError } from './errors.js';

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** Whether something accepts connections on the unix socket at path. */
function answers(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ path });
    const timer = setTimeout(() => {
      // Accepting but silent still means someone owns it.
      s.destroy();
      resolve(true);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(true);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      const code = errnoCode(err);
      if (code === 'ECONNREFUSED' || code === 'ENOENT') resolve(false);
      else reject(new UbusError('SYSTEM_ERROR', `cannot tell whether a broker listens on ${path}: ${err.message}`));
    });
  });
}

/** Makes path free for listen(): refuses a non-socket or a live socket, removes a stale one. */
export async function claimSocketPath(path: string, probeTimeoutMs = 1000): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw new UbusError('SYSTEM_ERROR', `cannot inspect ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isSocket) throw new UbusError('SYSTEM_ERROR', `${path} exists and is not a socket; refusing to replace it`);
  if (await answers(path, probeTimeoutMs)) throw new UbusError('SYSTEM_ERROR', `a broker already listens on ${path}`);
  await unlink(path).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') throw new UbusError('SYSTEM_ERROR', `cannot remove the stale socket ${path}: ${err instanceof Error ? err.message : String(err)}`);
  });
}

/** The inode of the socket at path, or null (to remove only our own socket on stop). */
export async function socketInode(path: string): Promise<number | null> {
  try {
    const st = await lstat(path);
    return st.isSocket() ? st.ino : null;
  } catch {
    return null;
  }
}

/**
 * Clients the broker can hold with the fds it has: the soft RLIMIT_NOFILE
 * (from /proc/self/limits) minus a reserve for everything else; 1000 when
 * unknown. Beyond it, accept() fails with EMFILE and everyone is locked out.
 */
export async function defaultMaxClients(reserve = 64): Promise<number> {
  try {
    const text = await readFile('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\S+)/m.exec(text);
    if (!m) return 1000;
    if (m[1] === 'unlimited') return 65536;
    const soft = Number.parseInt(m[1]!, 10);
    return Number.isFinite(soft) ? Math.max(16, Math.min(65536, soft - reserve)) : 1000;
  } catch {
    return 1000;
  }
}
