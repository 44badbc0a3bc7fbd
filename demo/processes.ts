/**
 * The demo's children: programs started inside the test bed's namespaces
 * with `ip netns exec` (which execs the program, so the pid is the
 * program's). Each child gets a stdin pipe: the demo's own programs exit
 * when it closes, so they do not outlive a demo that was killed. What is
 * still running at cleanup is sent SIGTERM, then SIGKILL.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { promisify } from 'node:util';

export const run = promisify(execFile);

export interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

export class Children {
  private readonly list: Child[] = [];

  /** Starts `argv` in namespace `ns`; stderr (and stdout unless piped) go to `logFile`. */
  start(name: string, ns: string, argv: string[], logFile: string, pipeStdout = false): Child {
    const log = createWriteStream(logFile, { flags: 'a' });
    const proc = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stderr!.pipe(log);
    if (!pipeStdout) proc.stdout!.pipe(log);
    proc.stdin!.on('error', () => undefined);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const child = { name, proc, exited };
    this.list.push(child);
    return child;
  }

  /** Resolves when the child prints `word` on stdout; rejects when it exits first or after timeoutMs. */
  static waitFor(child: Child, word: string, timeoutMs: number): Promise<void> {
    return new Promise((ok, fail) => {
      let seen = '';
      const timer = setTimeout(() => fail(new Error(`${child.name}: not ready after ${timeoutMs} ms`)), timeoutMs);
      child.proc.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes(word)) {
          clearTimeout(timer);
          ok();
        }
      });
      void child.exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`${child.name} exited (code ${code}) before it was ready`));
      });
    });
  }

  /** SIGTERM to one child, SIGKILL after graceMs; resolves when it has exited. */
  static async stop(child: Child, graceMs: number): Promise<'exited' | 'killed'> {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return 'exited';
    child.proc.stdin!.end();
    child.proc.kill('SIGTERM');
    const timedOut = await Promise.race([child.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs))]);
    if (!timedOut) return 'exited';
    child.proc.kill('SIGKILL');
    await child.exited;
    return 'killed';
  }

  /** Stops every child still running, last started first. */
  async stopAll(graceMs: number): Promise<void> {
    for (const c of [...this.list].reverse()) await Children.stop(c, graceMs);
  }
}
