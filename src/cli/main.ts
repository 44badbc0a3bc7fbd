import { processIo } from './io.js';
import { runCli } from './run.js';

const io = processIo();
runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    io.stderr(`modemflow: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
