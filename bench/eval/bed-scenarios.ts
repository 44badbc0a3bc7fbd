/**
 * The bed evaluation's scenarios (issue 15, part 2) and how each one's event
 * is played against the bed and the balancer while the traffic runs.
 * Every scenario is short: the whole full run stays within ~20 minutes
 * (21 runs, each on a fresh bed).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Balancer, BedLink } from './bed-balancers.js';

const run = promisify(execFile);

export type BedEvent =
  /** netifd's ifdown: the router side of the uplink goes down, and back up at untilS. */
  | { kind: 'link'; uplink: number; atS: number; untilS: number }
  /** The operator drops every packet while the link stays up, until untilS. */
  | { kind: 'loss'; uplink: number; atS: number; untilS: number }
  /** The uplink is re-shaped to a lower rate, and back at untilS. */
  | { kind: 'capacity'; uplink: number; toMbit: number; atS: number; untilS: number }
  /** The power limit is lowered to `watts` (modemflowd: set_power_limit over ubus). */
  | { kind: 'power'; watts: number; atS: number }
  /** The SIM prices change (modemflowd: new config, `ubus call modemflow reload`). */
  | { kind: 'price'; prices: number[]; atS: number };

export interface Scenario {
  /** Short name for file names and --scenarios. */
  key: string;
  name: string;
  seconds: number;
  event: BedEvent | null;
  /** Monthly quota per uplink in GB for this scenario's daemon config (null: none). */
  quotaGb: (number | null)[] | null;
  /** A longer run for mwan3-style, whose tracker needs about a minute to call a silent link dead (the others need seconds). */
  mwan3: { seconds: number; untilS: number } | null;
}

/** The scenario as one balancer runs it. */
export function scenarioFor(sc: Scenario, balancer: 'modemflowd' | 'mwan3' | 'single'): Scenario {
  if (balancer !== 'mwan3' || !sc.mwan3 || !sc.event || !('untilS' in sc.event)) return sc;
  return { ...sc, seconds: sc.mwan3.seconds, event: { ...sc.event, untilS: sc.mwan3.untilS } };
}

/** What happened when: epoch ms of the event and of its end (null: lasts to the end of the run). */
export interface EventTimes {
  atMs: number;
  untilMs: number | null;
  /** What the balancer said it did, for the log and the report. */
  note: string;
}

/** The uplink the failures hit (the single-link balancer's own), the one whose capacity drops, the quota's. */
export const FAIL_UPLINK = 2;
export const DROP_UPLINK = 1;
export const QUOTA_UPLINK = 3;

export function bedScenarios(quick: boolean, links: readonly BedLink[]): Scenario[] {
  const q = (full: number, short: number): number => (quick ? short : full);
  const quota = (gb: number): (number | null)[] => links.map((l) => (l.uplink === QUOTA_UPLINK ? gb : null));
  // The cheapest SIM becomes the dearest (e.g. roaming): modemflowd should move new connections off it.
  const prices = links.map((l) => (l.uplink === QUOTA_UPLINK ? 8 : l.pricePerGb));
  return [
    { key: 'steady', name: 'steady', seconds: q(60, 10), event: null, quotaGb: null, mwan3: null },
    { key: 'link', name: 'link down and back', seconds: q(30, 16), event: { kind: 'link', uplink: FAIL_UPLINK, atS: q(8, 5), untilS: q(22, 12) }, quotaGb: null, mwan3: null },
    // mwan3track at its defaults needs about a minute to call a silent link dead: the full run gives it 80 s.
    {
      key: 'loss',
      name: '100 % loss, link up',
      seconds: q(40, 16),
      event: { kind: 'loss', uplink: FAIL_UPLINK, atS: q(8, 5), untilS: q(33, 12) },
      quotaGb: null,
      mwan3: quick ? null : { seconds: 95, untilS: 88 },
    },
    {
      key: 'capacity',
      name: 'capacity drop (wwan1 20 -> 4 Mbit/s and back)',
      seconds: q(35, 16),
      event: { kind: 'capacity', uplink: DROP_UPLINK, toMbit: 4, atS: q(8, 5), untilS: q(26, 12) },
      quotaGb: null,
      mwan3: null,
    },
    // modemflowd drains a shed modem's pinned connections for 30 s (powerSleepAfterMs) before it sleeps: 60 s shows it.
    { key: 'power', name: 'power limit lowered to 4 W', seconds: q(60, 14), event: { kind: 'power', watts: 4, atS: q(8, 5) }, quotaGb: null, mwan3: null },
    { key: 'price', name: 'price change (wwan3 0.5 -> 8 per GB)', seconds: q(30, 14), event: { kind: 'price', prices, atS: q(10, 6) }, quotaGb: null, mwan3: null },
    { key: 'quota', name: `quota reached (wwan3: ${q(10, 4)} MB)`, seconds: q(40, 16), event: null, quotaGb: quota(q(0.01, 0.004)), mwan3: null },
  ];
}

/**
 * Changes a shaped uplink in place while traffic runs. `testbed.sh shape`
 * deletes the qdiscs before adding the new ones, which leaves the link
 * unshaped for a moment (measured: a TCP download burst to 80 Mbit/s on a
 * 20 Mbit/s link), so the rate is changed on the htb class testbed.sh made
 * (root 1:, class 1:1, each direction) and the loss in its operator's `loss`
 * chain (table inet testbed), with the same rules as testbed.sh.
 */
export async function retune(prefix: string, uplink: number, change: { rateMbit: number } | { lossPct: number }): Promise<void> {
  const op = `${prefix}-op${uplink}`;
  if ('rateMbit' in change) {
    for (const [ns, dev] of [[`${prefix}-rt`, `wan${uplink}`], [op, 'dn0']] as const) {
      await run('tc', ['-n', ns, 'class', 'change', 'dev', dev, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', `${change.rateMbit}mbit`, 'ceil', `${change.rateMbit}mbit`]);
    }
    return;
  }
  const p = change.lossPct;
  const rule = p >= 100 ? 'drop' : p > 0 ? `numgen random mod 100 < ${p} drop` : null;
  // One nft transaction: the chain is never without its rule in between.
  const script = `flush chain inet testbed loss\n${rule ? `add rule inet testbed loss ${rule}\n` : ''}`;
  await new Promise<void>((ok, fail) => {
    const c = execFile('ip', ['netns', 'exec', op, 'nft', '-f', '-'], (e) => (e ? fail(e) : ok()));
    c.stdin!.end(script);
  });
}

/** Plays the event at its time (t0Ms = the traffic's start); resolves when it is over. */
export async function playEvent(ev: BedEvent, t0Ms: number, links: readonly BedLink[], bed: (...a: string[]) => Promise<unknown>, balancer: Balancer, say: (s: string) => void, prefix: string): Promise<EventTimes> {
  const at = (s: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t0Ms + s * 1000 - Date.now())));
  const link = (u: number): BedLink => links.find((l) => l.uplink === u)!;
  await at(ev.atS);
  const atMs = Date.now();
  switch (ev.kind) {
    case 'link': {
      await bed('link', '--uplink', String(ev.uplink), 'down');
      await balancer.linkEvent(ev.uplink, false);
      say(`  wwan${ev.uplink}: link down`);
      await at(ev.untilS);
      const untilMs = Date.now();
      await bed('link', '--uplink', String(ev.uplink), 'up');
      await balancer.linkEvent(ev.uplink, true);
      say(`  wwan${ev.uplink}: back`);
      return { atMs, untilMs, note: '' };
    }
    case 'loss': {
      await retune(prefix, ev.uplink, { lossPct: 100 });
      say(`  wwan${ev.uplink}: 100 % loss`);
      await at(ev.untilS);
      const untilMs = Date.now();
      await retune(prefix, ev.uplink, { lossPct: link(ev.uplink).lossPct });
      say(`  wwan${ev.uplink}: back`);
      return { atMs, untilMs, note: '' };
    }
    case 'capacity': {
      await retune(prefix, ev.uplink, { rateMbit: ev.toMbit });
      say(`  wwan${ev.uplink}: ${ev.toMbit} Mbit/s`);
      await at(ev.untilS);
      const untilMs = Date.now();
      await retune(prefix, ev.uplink, { rateMbit: link(ev.uplink).rateMbit });
      say(`  wwan${ev.uplink}: ${link(ev.uplink).rateMbit} Mbit/s again`);
      return { atMs, untilMs, note: '' };
    }
    case 'power': {
      const note = await balancer.setPowerLimit(ev.watts);
      say(`  power limit ${ev.watts} W: ${note}`);
      return { atMs, untilMs: null, note };
    }
    case 'price': {
      const note = await balancer.setPrices(ev.prices);
      say(`  prices ${ev.prices.join('/')}: ${note}`);
      return { atMs, untilMs: null, note };
    }
  }
}

/** Reads the router's uplink devices once: link state and byte counters (index = uplink - 1). */
export async function readUplinks(prefix: string, n: number): Promise<{ atMs: number; up: boolean[]; txBytes: number[]; rxBytes: number[] }> {
  const { stdout } = await run('ip', ['-n', `${prefix}-rt`, '-j', '-s', 'link', 'show'], { maxBuffer: 1 << 22 });
  const atMs = Date.now();
  const doc = JSON.parse(stdout) as Array<{ ifname: string; flags?: string[]; stats64?: { rx: { bytes: number }; tx: { bytes: number } } }>;
  const dev = (i: number) => doc.find((l) => l.ifname === `wan${i + 1}`);
  return {
    atMs,
    up: Array.from({ length: n }, (_, i) => dev(i)?.flags?.includes('UP') ?? false),
    txBytes: Array.from({ length: n }, (_, i) => dev(i)?.stats64?.tx.bytes ?? 0),
    rxBytes: Array.from({ length: n }, (_, i) => dev(i)?.stats64?.rx.bytes ?? 0),
  };
}
