import { open } from 'node:fs/promises';
import { solveHeuristic, type HeuristicVariant } from '../assignment/heuristic.js';
import { describeBytes, parseInstanceText, TEXT_LIMITS } from '../assignment/instance-text.js';
import type { CliCommand, CliIo } from './io.js';

const USAGE = `usage: modemflow solve [--method heuristic|exact] [--seed N] [--variant improved|thesis|thesis-ls]
                       [--time-limit SECONDS] [FILE|-]
Reads a TFAP instance (JSON, from FILE or standard input, at most 16 MiB) and prints the answer JSON.
  --time-limit  seconds for either method (default 60); the heuristic then returns the best
                answer found so far with "stoppedEarly": true.
exit: 0 status ok, 1 over_power_limit or infeasible (answer printed), 2 bad usage or
      bad instance (error on stderr), 3 --method exact but the highs package is missing.
`;

interface SolveArgs {
  method: 'heuristic' | 'exact';
  seed: number;
  variant: HeuristicVariant;
  timeLimitS: number;
  file: string;
}

function parseArgs(argv: string[]): SolveArgs | string {
  const out: SolveArgs = { method: 'heuristic', seed: 1, variant: 'improved', timeLimitS: 60, file: '-' };
  let fileSeen = false;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    const value = (): string | undefined => argv[++k];
    if (a === '--method') {
      const v = value();
      if (v !== 'heuristic' && v !== 'exact') return `--method: expected heuristic or exact, got ${v ?? 'nothing'}`;
      out.method = v;
    } else if (a === '--seed') {
      const v = value();
      if (v === undefined || !/^\d{1,9}$/.test(v)) return `--seed: expected a whole number, got ${v ?? 'nothing'}`;
      out.seed = Number(v);
    } else if (a === '--variant') {
      const v = value();
      if (v !== 'improved' && v !== 'thesis' && v !== 'thesis-ls') return `--variant: expected improved, thesis or thesis-ls, got ${v ?? 'nothing'}`;
      out.variant = v;
    } else if (a === '--time-limit') {
      const v = Number(value());
      if (!(v > 0 && v <= 86_400)) return '--time-limit: expected seconds > 0 and at most 86400';
      out.timeLimitS = v;
    } else if (a.startsWith('--') ) {
      return `unknown option ${a}`;
    } else {
      if (fileSeen) return `only one FILE may be given (got ${out.file} and ${a})`;
      out.file = a;
      fileSeen = true;
    }
  }
  return out;
}

/** Reads at most maxBytes + 1 bytes of a file (of any kind: FIFOs report no size), so oversize input is refused unread. */
async function readCapped(file: string, maxBytes: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(1 << 20, maxBytes + 1 - bytes));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      bytes += bytesRead;
      if (bytes > maxBytes) break;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await fh.close();
  }
}

async function readInput(file: string, io: CliIo): Promise<string> {
  return file === '-' ? io.readStdin(TEXT_LIMITS.maxBytes) : readCapped(file, TEXT_LIMITS.maxBytes);
}

export const solveCommand: CliCommand = async (argv, io) => {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`modemflow solve: ${args}\n${USAGE}`);
    return 2;
  }
  const where = args.file === '-' ? 'standard input' : args.file;
  let text: string;
  try {
    text = await readInput(args.file, io);
  } catch (err) {
    io.stderr(`modemflow solve: cannot read ${where}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  if (Buffer.byteLength(text, 'utf8') > TEXT_LIMITS.maxBytes) {
    io.stderr(`modemflow solve: ${where} is larger than ${describeBytes(TEXT_LIMITS.maxBytes)}: refused unread (an instance of 100,000 flows takes about 11 MiB)\n`);
    return 2;
  }
  const parsed = parseInstanceText(text);
  if (!parsed.ok) {
    const [first] = parsed.errors;
    if (parsed.errors.length === 1 && first!.startsWith('not valid JSON')) io.stderr(`modemflow solve: ${where} is ${first}\n`);
    else io.stderr(`modemflow solve: ${where} is not a valid instance:\n${parsed.errors.map((e) => `  ${e}\n`).join('')}`);
    return 2;
  }
  const now = () => performance.now();
  let answer;
  if (args.method === 'exact') {
    try {
      const { solveExact } = await import('../assignment/exact.js');
      answer = await solveExact(parsed.value, { now, timeLimitS: args.timeLimitS });
    } catch (err) {
      io.stderr(`modemflow solve: the exact method needs the highs package (a development dependency): ${err instanceof Error ? err.message : String(err)}\n`);
      return 3;
    }
  } else {
    answer = solveHeuristic(parsed.value, { now, budgetMs: args.timeLimitS * 1000, seed: args.seed, variant: args.variant });
  }
  io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
  return answer.status === 'ok' ? 0 : 1;
};
