import { get } from 'node:http';
import type { Clock } from '../model/ports.js';

/**
 * The active capacity probe, run only when asked (it costs data): a timed
 * HTTP download bound to the modem's source address (Node's `localAddress`),
 * so the `from <address>` rule sends it through that modem. It stops at
 * `maxBytes` or `maxMs`, whichever comes first, and reports the rate of the
 * body after the first byte (connection set-up is not throughput).
 */
export interface ActiveProbeResult {
  ok: boolean;
  kbps: number | null;
  bytes: number;
  ms: number;
  problem: string | null;
}

export interface ActiveProbeOptions {
  /** http:// URL of a large object (https would need TLS set-up time in the figure). */
  url: string;
  sourceAddress: string;
  maxBytes?: number;
  maxMs?: number;
}

export function runDownloadProbe(clock: Clock, opts: ActiveProbeOptions): Promise<ActiveProbeResult> {
  const maxBytes = opts.maxBytes ?? 5_000_000;
  const maxMs = opts.maxMs ?? 8000;
  return new Promise((resolve) => {
    let bytes = 0;
    let firstByteMono: number | null = null;
    let lastMono = 0;
    let done = false;
    const finish = (problem: string | null): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      req.destroy();
      const ms = firstByteMono === null ? 0 : lastMono - firstByteMono;
      const kbps = ms > 0 && bytes > 0 ? (bytes * 8) / ms : null;
      resolve({ ok: problem === null && kbps !== null, kbps, bytes, ms, problem: problem ?? (kbps === null ? 'too little data to time' : null) });
    };
    const req = get(opts.url, { localAddress: opts.sourceAddress }, (res) => {
      if (res.statusCode !== 200) return finish(`HTTP ${res.statusCode}`);
      res.on('data', (chunk: Buffer) => {
        const now = clock.monotonicMs();
        if (firstByteMono === null) firstByteMono = now;
        else bytes += chunk.length; // the first chunk only starts the clock
        lastMono = now;
        if (bytes >= maxBytes) finish(null);
      });
      res.on('end', () => finish(null));
      res.on('error', (e) => finish(e.message));
    });
    req.on('error', (e) => finish(e.message));
    const timer = clock.setTimeout(() => finish(null), maxMs);
  });
}
