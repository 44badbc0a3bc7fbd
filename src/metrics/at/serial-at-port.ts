import { closeSync, constants, openSync, readFileSync, unlinkSync, write, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isatty, ReadStream } from 'node:tty';
import type { AtOpenResult, AtPortOpener, AtReply, AtSession } from './at-port.js';
import { AtAnswer, AtLineSplitter } from './at-port.js';

/**
 * The real AT port, opened the way OpenWrt's AT tools do (sms_tool,
 * tom_modem): the tty opened read-write without becoming the controlling
 * terminal, switched to raw mode (no echo, no CR/LF translation), each
 * command sent as "<command>\r\n" and answered lines read until OK, ERROR,
 * +CME ERROR or +CMS ERROR, within a timeout.
 *
 * Lock: those tools take no lock at all (sms_tool, tom_modem, atinout open
 * the port and go). The one convention shared on Linux serial ports is the
 * UUCP lock file /var/lock/LCK..<tty> holding the owner's PID as ten
 * characters and a newline, used by pppd, busybox microcom, picocom and
 * minicom. This port takes that lock for the whole session and refuses a
 * port whose lock is held by a live process (a stale one is removed), so
 * it never talks over a dial-up pppd or an interactive microcom session.
 * It holds the port only for the few commands of one read, as sms_tool does.
 */
export class SerialAtPortOpener implements AtPortOpener {
  constructor(private readonly lockDir = '/var/lock') {}

  async open(device: string, _timeoutMs: number): Promise<AtOpenResult> {
    const lockPath = join(this.lockDir, `LCK..${basename(device)}`);
    const lock = takeUucpLock(lockPath);
    if (!lock.ok) return { ok: false, code: 'busy', problem: lock.problem };
    let fd: number;
    try {
      fd = openSync(device, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch (err) {
      releaseLock(lockPath);
      const code = (err as NodeJS.ErrnoException).code;
      return { ok: false, code: code === 'ENOENT' || code === 'ENODEV' || code === 'ENXIO' ? 'vanished' : 'failed', problem: `${device}: ${code ?? String(err)}` };
    }
    if (!isatty(fd)) {
      closeSync(fd);
      releaseLock(lockPath);
      return { ok: false, code: 'failed', problem: `${device} is not a tty` };
    }
    return { ok: true, session: new SerialAtSession(device, fd, lockPath) };
  }
}

function takeUucpLock(path: string): { ok: true } | { ok: false; problem: string } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      writeSync(fd, `${String(process.pid).padStart(10)}\n`);
      closeSync(fd);
      return { ok: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        // No lock directory (or not writable): nobody can lock there either, go on without.
        return { ok: true };
      }
    }
    const owner = lockOwner(path);
    if (owner !== null && alive(owner)) return { ok: false, problem: `${path} is held by process ${owner}` };
    try {
      unlinkSync(path); // stale: its owner is gone (or it holds no PID)
    } catch {
      // raced with another remover: try once more
    }
  }
  return { ok: false, problem: `${path}: could not take the lock` };
}

function lockOwner(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'latin1').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseLock(path: string): void {
  try {
    if (lockOwner(path) === process.pid) unlinkSync(path);
  } catch {
    // already gone
  }
}

class SerialAtSession implements AtSession {
  private readonly stream: ReadStream;
  private readonly splitter = new AtLineSplitter();
  private pending: { answer: AtAnswer; done: (r: AtReply) => void } | null = null;
  private closed = false;

  constructor(
    private readonly device: string,
    private readonly fd: number,
    private readonly lockPath: string,
  ) {
    this.stream = new ReadStream(fd);
    this.stream.setRawMode(true);
    this.stream.setEncoding('latin1');
    this.stream.on('data', (chunk: string) => {
      for (const line of this.splitter.push(chunk)) {
        const reply = this.pending?.answer.feed(line) ?? null;
        if (reply && this.pending) this.pending.done(reply);
      }
    });
    this.stream.on('error', (err: Error) => this.pending?.done({ ok: false, code: 'vanished', problem: `${device}: ${err.message}` }));
  }

  run(command: string, timeoutMs: number): Promise<AtReply> {
    if (this.closed) return Promise.resolve({ ok: false, code: 'failed', problem: `${this.device}: port closed` });
    return new Promise<AtReply>((resolve) => {
      const timer = setTimeout(() => finish({ ok: false, code: 'timeout', problem: `${command}: no final result from ${this.device} within ${timeoutMs} ms` }), timeoutMs);
      const finish = (r: AtReply): void => {
        clearTimeout(timer);
        if (this.pending?.done === finish) this.pending = null;
        resolve(r);
      };
      this.pending = { answer: new AtAnswer(command), done: finish };
      write(this.fd, Buffer.from(`${command}\r\n`, 'latin1'), (err) => {
        if (err) finish({ ok: false, code: 'vanished', problem: `${this.device}: ${err.code ?? err.message}` });
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending?.done({ ok: false, code: 'failed', problem: `${this.device}: port closed` });
    await new Promise<void>((resolve) => {
      this.stream.once('close', () => resolve());
      this.stream.destroy(); // closes the fd
    });
    releaseLock(this.lockPath);
  }
}
