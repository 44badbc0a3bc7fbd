// The pure parts of the test-bed evaluation (bench/eval/bed-*.ts): the
// mwan3 tracker's score machine, the weighted nft map and rules, and the
// figures computed from a traffic record.
import t from 'tap';
import { initialTrack, memberIpCommands, MWAN3_TRACK_DEFAULTS, mwan3Ruleset, policyRule, policyUpdate, trackRound, weightMap } from '../../bench/eval/bed-mwan3.js';
import type { Mwan3Member, TrackState } from '../../bench/eval/bed-mwan3.js';
import { callFigures, dataCost, failover, mdTable } from '../../bench/eval/bed-metrics.js';
import type { ConnSample, TrafficRecord } from '../../bench/eval/bed-roles.js';

const member = (uplink: number, weight: number): Mwan3Member => ({ uplink, device: `wan${uplink}`, gatewayV4: `100.64.${uplink}.1`, weight });

t.test('mwan3track: offline after `down` failed rounds, online after `up` good ones', async (t) => {
  const d = MWAN3_TRACK_DEFAULTS;
  t.same([d.intervalS, d.timeoutS, d.down, d.up, d.reliability, d.count], [10, 4, 5, 5, 1, 1], "mwan3track's defaults");
  let s: TrackState = initialTrack();
  t.same(s, { score: 10, online: true });
  const events: (string | null)[] = [];
  for (let i = 0; i < 5; i++) {
    const step = trackRound(s, false);
    events.push(step.event);
    s = step.state;
  }
  t.same(events, [null, null, null, null, 'disconnected'], 'the fifth failure takes it offline');
  t.same(s, { score: 0, online: false });
  t.same(trackRound(s, false).state, { score: 0, online: false }, 'offline, failures keep the score at 0');
  const up: (string | null)[] = [];
  for (let i = 0; i < 5; i++) {
    const step = trackRound(s, true);
    up.push(step.event);
    s = step.state;
  }
  t.same(up, [null, null, null, null, 'connected'], 'five good rounds bring it back');
  t.same(trackRound(s, true).state, { score: 10, online: true }, 'one more and the score is full again');
  // A single failure while online costs one point, a success restores it.
  const once = trackRound(initialTrack(), false);
  t.same(once.state, { score: 9, online: true });
  t.equal(once.event, null);
  t.same(trackRound(once.state, true).state, { score: 10, online: true });
  t.equal(once.sleepS, 10, 'failure_interval defaults to interval');
});

t.test('weighted member map and rules', async (t) => {
  const w = weightMap([member(1, 4), member(2, 2), member(3, 1)]);
  t.equal(w.total, 7);
  t.same(w.entries, ['0-3 : 0x00000100', '4-5 : 0x00000200', '6 : 0x00000300']);
  t.equal(policyRule([member(2, 2), member(3, 1)]), 'meta mark set numgen random mod 3 map { 0-1 : 0x00000200, 2 : 0x00000300 }');
  t.equal(policyRule([]), '', 'no member online: no mark, the main table decides');
  t.throws(() => weightMap([member(1, 0)]), /wan1: weight must be an integer >= 1, got 0/);
  t.equal(policyUpdate([]), 'flush chain inet mwan3e policy_balanced\n');
  const rs = mwan3Ruleset('lan0', '192.168.77.0/24', [member(1, 3)]);
  t.match(rs, /meta mark set ct mark and 0x00003f00/, 'restores the connection mark');
  t.match(rs, /ct mark set meta mark and 0x00003f00/, 'saves it');
  t.same(memberIpCommands(member(2, 1)), [
    ['-4', 'route', 'replace', 'default', 'via', '100.64.2.1', 'dev', 'wan2', 'table', '2'],
    ['-4', 'rule', 'add', 'pref', '2002', 'fwmark', '0x00000200/0x00003f00', 'lookup', '2'],
    ['-4', 'rule', 'add', 'pref', '3002', 'fwmark', '0x00000200/0x00003f00', 'unreachable'],
  ]);
});

t.test('failover from connection probes', async (t) => {
  const p = (atMs: number, ok: number): ConnSample => [atMs, ok, ok ? 1 : 0, 10];
  const probes = [p(900, 1), p(1000, 1), p(1250, 0), p(1500, 0), p(1750, 1), p(2000, 1), p(4000, 1), p(6000, 1)];
  t.same(failover(probes, 1000, 9000, 1000), { seconds: 0.75, failed: 2 }, 'to the first probe after the last two failures in a row');
  t.same(failover(probes.filter((x) => x[1] === 1), 1000, 9000, 1000), { seconds: 0, failed: 0 }, 'no failure: 0');
  t.same(failover([...probes, p(6500, 0)], 1000, 9000, 1000), { seconds: 0.75, failed: 3 }, 'a lone failure later is congestion, not the outage');
  t.same(failover([...probes, p(7000, 0), p(7200, 0), p(7500, 1)], 1000, 9000, 1000), { seconds: null, failed: 4 }, 'not settled before the return');
  t.same(failover([...probes, p(8500, 0), p(8600, 0)], 1000, 9000, 1000).seconds, 0.75, 'probes the return cut short do not count');
});

t.test('call figures, cost, table', async (t) => {
  const rec: TrafficRecord = {
    t0Ms: 0,
    bulkBytesPerS: [],
    bulkConnsByUplink: {},
    breaks: [],
    callSent: 4,
    callSentAtMs: [0, 20, 40, 60],
    callEchoes: [
      [0, 10, 1, 0],
      [20, 14, 1, 0],
      [60, 12, 2, 1],
    ],
    callOfSeq: [0, 0, 1, 1],
    videoBytesPer100Ms: [],
    videoUplinks: [],
    web: [],
    probes: [],
  };
  const c = callFigures(rec, 0, 100);
  t.equal(c.sent, 4);
  t.equal(c.lossPct, 25);
  t.equal(c.rttMeanMs, 12);
  t.equal(c.jitterMs, 3, 'mean of |14-10| and |12-14|');
  t.same(c.uplinks, [1, 2]);
  t.same(c.uplinksByCall, [[1], [2]], 'per call');
  t.equal(dataCost([2e9, 1e9], [4, 1]), 9);
  t.equal(mdTable(['a', 'b'], [['1', '2']]), '| a | b |\n| --- | --- |\n| 1 | 2 |\n');
});
