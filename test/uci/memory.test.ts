// Memory of `uci show`/`export` grows with the file, by a small multiple:
// a long single line once cost ~80x its size (an array of numbers per byte).
// Measured as the peak RSS of a child process (the fixture script, bundled
// with esbuild so the child is plain Node) over that of the same child with
// an empty value, so Node's own footprint does not count.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const SCRIPT = join(import.meta.dirname, 'fixtures', 'show-big-line.ts');

t.test('an 8 MiB single-line value costs a small multiple of its size to show and export', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-uci-membuild-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bundle = join(dir, 'show-big-line.mjs');
  await build({ entryPoints: [SCRIPT], bundle: true, platform: 'node', target: 'node20', format: 'esm', outfile: bundle, logLevel: 'error' });
  const run = (size: number, cmd: string): { maxRssKb: number; outBytes: number } =>
    JSON.parse(execFileSync(process.execPath, [bundle, String(size), cmd], { encoding: 'utf8' }).trim()) as { maxRssKb: number; outBytes: number };
  const size = 8 << 20;
  const base = run(0, 'show');
  for (const cmd of ['show', 'export']) {
    const big = run(size, cmd);
    t.ok(big.outBytes > size, `the value went out (${cmd})`);
    const growth = ((big.maxRssKb - base.maxRssKb) * 1024) / size;
    t.comment(`${cmd}: peak RSS ${base.maxRssKb} kB empty, ${big.maxRssKb} kB with ${size} bytes: +${growth.toFixed(1)}x the file`);
    t.ok(growth < 8, `${cmd}: peak memory grows by less than 8x the file (${growth.toFixed(1)}x)`);
  }
});
