// The demo's summary from a hand-made run record: money per modem (with the
// quota's overage), what the same bytes would have cost elsewhere, the
// failover time, and which broken connections are a lost modem's (allowed)
// and which are not (a rebalancing failure).
import t from 'tap';
import { formatSummary, isLostModemBreak, modemCost, summarize } from '../../demo/summary.js';
import type { ModemRecord, RunRecord } from '../../demo/summary.js';

const GB = 1e9;

function modem(over: Partial<ModemRecord>): ModemRecord {
  return { name: 'm', uplink: 1, tier: 'primary', rateMbit: 8, pricePerGb: 1, overagePricePerGb: null, bytes: 0, quota: null, ...over };
}

function record(over: Partial<RunRecord> = {}): RunRecord {
  return {
    seconds: 100,
    startMs: 1_000_000,
    endMs: 1_100_000,
    modems: [
      modem({ name: 'cheap', uplink: 1, pricePerGb: 0.5, bytes: 2 * GB }),
      modem({ name: 'fast5g', uplink: 2, rateMbit: 40, pricePerGb: 6, bytes: 1 * GB }),
      modem({ name: 'backup', uplink: 3, tier: 'backup', rateMbit: 5, pricePerGb: 3, bytes: 0 }),
    ],
    breaks: [],
    outages: [],
    downs: [],
    failoverDrop: null,
    call: null,
    demandKbps: 12_000,
    daemon: 'running',
    daemonNote: null,
    ...over,
  };
}

t.test('costs: per modem at plan prices; alternatives for the same bytes', async (t) => {
  const s = summarize(record());
  t.equal(s.totalBytes, 3 * GB);
  t.same(s.modems.map((m) => m.cost), [1, 6, 0]);
  t.equal(s.cost, 7);
  t.equal(s.costPerHour, 7 * 36);
  const alt = Object.fromEntries(s.alternatives.map((a) => [a.label, a.cost]));
  t.equal(alt['everything on cheap'], 1.5);
  t.equal(alt['everything on fast5g'], 18);
  t.equal(alt['everything on backup'], 9);
  t.equal(alt['mwan3-style split (cheap + fast5g, equal weights)'], 3 * 3.25, 'mean price of the primaries');
  t.match(s.alternatives[0]!.note, /could not have carried it/, 'an 8 Mbit/s modem cannot carry 12 Mbit/s');
  t.match(s.alternatives[1]!.note, /carries/);
});

t.test('a quota set mid-run: bytes past it are paid at the overage price', async (t) => {
  // 0.7 GB counted when the quota of 1 GB was set at 0.5 GB into the run: 0.3 GB left.
  const m = modem({ pricePerGb: 0.5, overagePricePerGb: 10, bytes: 1.5 * GB, quota: { quotaBytes: 1 * GB, usedAtSetBytes: 0.7 * GB, bytesAtSet: 0.5 * GB } });
  // 1.0 GB after the quota step: 0.3 GB within the quota, 0.7 GB overage.
  t.equal(modemCost(m), 0.8 * 0.5 + 0.7 * 10);
  t.equal(modemCost({ ...m, overagePricePerGb: null }), 1.5 * 0.5, 'without an overage price the plan price applies');
});

t.test('broken connections: a lost modem\'s are allowed, any other counts against rebalancing', async (t) => {
  const downs = [{ uplink: 2, downMs: 1_030_000, upMs: 1_045_000, cause: 'ifdown' }];
  const onLost = { type: 'break' as const, atMs: 1_034_000, flow: 'bulk' as const, uplink: 2, reason: 'no data for 4 s' };
  const afterReturn = { ...onLost, atMs: 1_045_000 + 5_000 };
  const longAfter = { ...onLost, atMs: 1_045_000 + 7_000 };
  const otherModem = { ...onLost, uplink: 1 };
  t.ok(isLostModemBreak(onLost, downs));
  t.ok(isLostModemBreak(afterReturn, downs), 'noticed within the grace after the modem returned');
  t.notOk(isLostModemBreak(longAfter, downs));
  t.notOk(isLostModemBreak(otherModem, downs), 'another modem\'s connection');
  const s = summarize(record({ downs, breaks: [onLost, otherModem] }));
  t.same([s.breaks.total, s.breaks.lostModem, s.breaks.rebalancing], [2, 1, 1]);
  t.match(s.breaks.details[0]!, /^34\.0 s bulk on uplink 2: no data for 4 s \(its modem was lost\)$/);
});

t.test('failover: from the drop until the flow ran on another uplink', async (t) => {
  const drop = { uplink: 2, atMs: 1_030_000 };
  const outages = [
    { type: 'outage' as const, flow: 'bulk' as const, fromMs: 1_029_900, toMs: 1_035_260, fromUplink: 2, toUplink: 1 },
    { type: 'outage' as const, flow: 'web' as const, fromMs: 1_010_000, toMs: 1_012_000, fromUplink: 2, toUplink: 1 },
    { type: 'outage' as const, flow: 'call' as const, fromMs: 1_030_100, toMs: 1_030_400, fromUplink: 1, toUplink: 1 },
  ];
  const s = summarize(record({ failoverDrop: drop, outages }));
  t.same(s.failover, [{ flow: 'bulk', ms: 5260, from: 2, to: 1 }], 'only flows that left the dropped uplink around the drop');
  t.equal(s.failoverNote, null);
  const none = summarize(record({ failoverDrop: drop }));
  t.match(none.failoverNote, /no flow was carried by uplink 2/);
  const text = formatSummary(s, null).join('\n');
  t.match(text, /bulk: 5\.26 s \(uplink 2 -> 1\)/);
  t.match(text, /connections broken: 0 \(0 with a lost modem, 0 by rebalancing or otherwise\)/);
});
