/** What a CLI command needs from the process, so commands are testable in-process. */
export interface CliIo {
  stdout(text: string): void;
  /** Raw bytes to standard output (config values are bytes, not always UTF-8); falls back to stdout when absent. */
  stdoutBytes?(data: Uint8Array): void;
  stderr(text: string): void;
  /** Reads all of standard input (or, given maxBytes, stops once past it: the caller sees the text is too long). */
  readStdin(maxBytes?: number): Promise<string>;
  env: Record<string, string | undefined>;
}

export type CliCommand = (argv: string[], io: CliIo) => Promise<number>;

export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stdoutBytes: (b) => void process.stdout.write(b),
    stderr: (t) => void process.stderr.write(t),
    readStdin: async (maxBytes = Infinity) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const c of process.stdin) {
        chunks.push(c as Buffer);
        bytes += (c as Buffer).length;
        if (bytes > maxBytes) break;
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
  };
}
