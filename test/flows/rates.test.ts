import t from 'tap';
import { addBytes, observeCounters, startRate, windowRate } from '../../src/flows/rates.js';

const WINDOW = 10_000;

t.test('steady counters give the rate; bytes*8/ms = kbit/s', async (t) => {
  let s = startRate(0, 0, 0);
  // 125 000 bytes/s up (1000 kbit/s), 250 000 bytes/s down (2000 kbit/s), polled every 2 s.
  for (let i = 1; i <= 5; i++) s = observeCounters(s, i * 2000, i * 250_000, i * 500_000, WINDOW).state;
  const r = windowRate(s, 1)!;
  t.equal(r.upKbps, 1000);
  t.equal(r.downKbps, 2000);
  t.equal(r.spanMs, 10_000);
});

t.test('the window slides: old traffic stops counting', async (t) => {
  let s = startRate(0, 0, 0);
  let up = 0;
  // 10 s at 1000 kbit/s, then 10 s idle.
  for (let i = 1; i <= 10; i++) {
    up += i <= 5 ? 250_000 : 0;
    s = observeCounters(s, i * 2000, up, 0, WINDOW).state;
  }
  const r = windowRate(s, 1)!;
  t.equal(r.upKbps, 0, 'the last 10 s were idle');
  t.equal(r.spanMs, 10_000);
  t.ok(s.samples.length <= 7, `old samples are pruned (${s.samples.length} kept)`);
  // At 14 s the window (4-14 s) holds 6 s of traffic (to 10 s) and 4 s idle: 600 kbit/s.
  let m = startRate(0, 0, 0);
  let u = 0;
  for (let i = 1; i <= 7; i++) {
    u += i <= 5 ? 250_000 : 0;
    m = observeCounters(m, i * 2000, u, 0, WINDOW).state;
  }
  t.equal(windowRate(m, 1)!.upKbps, 600);
});

t.test('a counter that goes back counts from zero again (reset), never negative', async (t) => {
  let s = startRate(0, 1_000_000, 1_000_000);
  let o = observeCounters(s, 2000, 1_250_000, 1_000_000, WINDOW);
  t.equal(o.deltaUpBytes, 250_000);
  s = o.state;
  // conntrack -L -z zeroed the counters; 2 s later they read 250 000 again.
  o = observeCounters(s, 4000, 250_000, 100, WINDOW);
  t.equal(o.reset, true);
  t.equal(o.deltaUpBytes, 250_000, 'the new value is what was carried since the reset');
  t.equal(o.deltaDownBytes, 100);
  s = o.state;
  t.equal(s.resets, 1);
  const r = windowRate(s, 1)!;
  t.equal(r.upKbps, 1000, 'steady 1000 kbit/s across the reset');
  t.ok(r.downKbps >= 0);
  o = observeCounters(s, 6000, 500_000, 100, WINDOW);
  t.equal(o.reset, false);
  t.equal(o.deltaUpBytes, 250_000);
});

t.test('no rate from one sample, or below the minimum span; stale samples ignored', async (t) => {
  let s = startRate(1000, 10, 10);
  t.equal(windowRate(s, 1), null, 'one sample');
  s = observeCounters(s, 2000, 1010, 10, WINDOW).state;
  t.equal(windowRate(s, 5000), null, 'span 1 s < 5 s');
  t.equal(windowRate(s, 1)!.upKbps, 8);
  const before = s;
  const o = observeCounters(s, 1500, 99_999, 99_999, WINDOW);
  t.equal(o.state, before, 'a sample older than the last is dropped');
  const same = observeCounters(s, 2000, 2010, 10, WINDOW).state;
  t.equal(same.samples.length, s.samples.length, 'a second reading at the same time replaces the last');
  t.equal(windowRate(same, 1)!.upKbps, 16);
});

t.test('group rates from deltas, and the baseline of a connection first seen mid-life', async (t) => {
  let g = startRate(0);
  g = addBytes(g, 2000, 50_000, 100_000, WINDOW);
  g = addBytes(g, 4000, 50_000, 100_000, WINDOW);
  g = addBytes(g, 4000, 0, 0, WINDOW);
  g = addBytes(g, 6000, -5, 0, WINDOW);
  const r = windowRate(g, 1)!;
  t.equal(r.upKbps, (100_000 * 8) / 6000);
  t.equal(r.downKbps, (200_000 * 8) / 6000);
  // First seen at 5 MB: the 5 MB carried before are not a burst.
  let c = startRate(0, 5_000_000, 5_000_000);
  c = observeCounters(c, 2000, 5_000_000 + 2500, 5_000_000, WINDOW).state;
  t.equal(windowRate(c, 1)!.upKbps, 10);
});
