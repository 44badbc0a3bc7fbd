// `make ipk`: builds modemflow_<v>_all.ipk and luci-app-modemflow_<v>_all.ipk
// on a plain Debian machine, without the OpenWrt SDK.
//   node dist/ipk/build-ipk.mjs [--repo DIR] [--dist DIR] [--luci DIR] [--out DIR]
// SOURCE_DATE_EPOCH (else the time of the last commit) sets every mtime and
// the SourceDateEpoch field, so the same tree gives the same bytes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IpkError, buildIpk } from './ipk.js';
import { luciSpec, modemflowSpec } from './packages.js';

export interface BuildResult {
  files: string[];
  warnings: string[];
}

export function sourceDateEpoch(repoRoot: string, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^[0-9]+$/.test(fromEnv)) throw new IpkError(`SOURCE_DATE_EPOCH must be seconds since 1970, got '${fromEnv}'`);
    return Number(fromEnv);
  }
  try {
    const out = execFileSync('git', ['-C', repoRoot, 'log', '-1', '--format=%ct'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    if (/^[0-9]+$/.test(out)) return Number(out);
  } catch {
    // fall through to the error below
  }
  throw new IpkError(`${repoRoot} is not a git checkout with a commit: set SOURCE_DATE_EPOCH`);
}

export function buildAll(opts: { repoRoot: string; distDir: string; luciDir: string; outDir: string; sourceDateEpoch: number }): BuildResult {
  const inputs = { repoRoot: opts.repoRoot, distDir: opts.distDir, luciDir: opts.luciDir, sourceDateEpoch: opts.sourceDateEpoch };
  const daemon = modemflowSpec(inputs);
  const luci = luciSpec(inputs, daemon);
  mkdirSync(opts.outDir, { recursive: true });
  const files: string[] = [];
  for (const spec of [daemon, luci.spec]) {
    const ipk = buildIpk(spec);
    const path = join(opts.outDir, ipk.fileName);
    writeFileSync(path, ipk.bytes);
    files.push(path);
  }
  return { files, warnings: luci.warnings };
}

function main(): number {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string', default: '.' },
      dist: { type: 'string' },
      luci: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const repoRoot = resolve(values.repo!);
  try {
    const result = buildAll({
      repoRoot,
      distDir: resolve(values.dist ?? join(repoRoot, 'dist')),
      luciDir: resolve(values.luci ?? join(repoRoot, 'luci-ui')),
      outDir: resolve(values.out ?? join(repoRoot, 'dist/ipk')),
      sourceDateEpoch: sourceDateEpoch(repoRoot),
    });
    for (const w of result.warnings) process.stderr.write(`ipk: warning: ${w}\n`);
    for (const f of result.files) process.stdout.write(`${f}\n`);
    return 0;
  } catch (e) {
    if (e instanceof IpkError || (e instanceof Error && 'code' in e)) {
      process.stderr.write(`ipk: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (process.argv[1] && /build-ipk\.mjs$/.test(process.argv[1])) process.exitCode = main();
