import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { NodeJSSignal, ProcessSpawner, SpawnedProcess, SpawnHandlers } from '../model/ports.js';

/** The real ProcessSpawner: spawn with an argument array, lines to the handlers. */
export class ChildProcessSpawner implements ProcessSpawner {
  spawn(program: string, args: readonly string[], handlers: SpawnHandlers, options: { netns?: string } = {}): SpawnedProcess {
    const [file, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, program, ...args]] : [program, [...args]];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: child.stdout }).on('line', (l) => handlers.onLine(l));
    createInterface({ input: child.stderr }).on('line', (l) => handlers.onStderr?.(l));
    let exited = false;
    const done = (code: number | null, signal: string | null): void => {
      if (exited) return;
      exited = true;
      handlers.onExit(code, signal);
    };
    child.on('error', () => done(127, null));
    child.on('exit', (code, signal) => done(code, signal));
    return {
      pid: child.pid,
      kill: (signal: NodeJSSignal = 'SIGTERM') => {
        if (!exited) child.kill(signal);
      },
    };
  }
}
