import { execFile } from 'node:child_process';
import type { CommandResult, CommandRunner, RunOptions } from '../model/ports.js';

/** The real CommandRunner: execFile with an argument array, never a shell. */
export class ExecFileRunner implements CommandRunner {
  constructor(private readonly defaultTimeoutMs = 10_000) {}

  run(program: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const [file, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, program, ...args]] : [program, [...args]];
    const timeout = options.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve) => {
      const child = execFile(file, argv, { timeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr, timedOut: false });
        const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string | null };
        const timedOut = e.killed === true && e.signal === 'SIGTERM';
        // A missing program is an ENOENT string code: report it as exit 127 like a shell would.
        const code = typeof e.code === 'number' ? e.code : e.code === 'ENOENT' ? 127 : null;
        resolve({ code: timedOut ? null : code, stdout: stdout ?? '', stderr: stderr || e.message, timedOut });
      });
      if (options.input !== undefined) {
        child.stdin?.on('error', () => {});
        child.stdin?.end(options.input);
      }
    });
  }
}
