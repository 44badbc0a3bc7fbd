// Entry point bundled by active-probe.test.ts and run inside a test network
// namespace: runs one download probe and prints its result as JSON.
// (Not a test: run without arguments it does nothing.)
import { runDownloadProbe } from '../../../src/metrics/active-probe.js';
import { SystemClock } from '../../../src/os/clock.js';

const [url, source, maxMs] = process.argv.slice(2);
if (url !== undefined && source !== undefined && /^http:\/\//.test(url)) {
  const r = await runDownloadProbe(new SystemClock(), { url, sourceAddress: source, maxMs: Number(maxMs ?? 4000), maxBytes: 50_000_000 });
  process.stdout.write(JSON.stringify(r) + '\n');
}
