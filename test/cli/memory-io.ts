// A CliIo that keeps what a command prints, for running commands in-process.
import type { CliIo } from '../../src/cli/io.js';

export function memoryIo(stdin = ''): CliIo & { out: string; err: string } {
  const o = { out: '', err: '' };
  return Object.assign(o, {
    stdout: (s: string) => void (o.out += s),
    stderr: (s: string) => void (o.err += s),
    readStdin: async () => stdin,
    env: {},
  });
}
