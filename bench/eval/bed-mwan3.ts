/**
 * mwan3-style balancing for the test bed, done the way openwrt/packages
 * net/mwan3 does it, in nftables instead of iptables. Pure: text and state
 * in, text and state out.
 *
 * What mwan3 does (read from net/mwan3 files/lib/mwan3/mwan3.sh and
 * files/usr/sbin/mwan3track, facts only):
 * - a new connection from the LAN gets the mark of one policy member, chosen
 *   per connection at random with probability weight / total weight over the
 *   members of the lowest metric that are online (iptables `statistic --mode
 *   random`, here `numgen random mod total`); the mark is saved to the
 *   conntrack mark and restored for every later packet, so a connection
 *   stays on its member; marks live under mmx_mask 0x3F00;
 * - `ip rule fwmark <id<<8>/0x3f00 lookup <id>` sends it to the member's
 *   table (a default route via its interface), and a lower-priority
 *   `unreachable` rule for the same mark keeps a marked connection from
 *   leaking elsewhere once its interface's route is gone;
 * - mwan3track pings each interface's track_ip with the defaults
 *   reliability 1, count 1, timeout 4 s, interval 10 s, down 5, up 5
 *   (failure_interval and recovery_interval default to interval): the
 *   score starts at down+up, a failed round takes one off, and when it
 *   reaches `up` the interface is offline (removed from the policies);
 *   offline, each good round adds one, and at `up` it is online again;
 * - a netifd ifdown/ifup (hotplug) removes/re-adds the interface at once.
 */

/** mwan3track's defaults (files/usr/sbin/mwan3track, config_get ... defaults). */
export const MWAN3_TRACK_DEFAULTS = Object.freeze({
  reliability: 1,
  count: 1,
  timeoutS: 4,
  intervalS: 10,
  down: 5,
  up: 5,
  sizeBytes: 56,
  maxTtl: 60,
});

export type TrackDefaults = typeof MWAN3_TRACK_DEFAULTS;

export interface TrackState {
  score: number;
  online: boolean;
}

export interface TrackStep {
  state: TrackState;
  /** What mwan3track signals through hotplug after this round, if anything. */
  event: 'disconnected' | 'connected' | null;
  /** Seconds until the next round. */
  sleepS: number;
}

export function initialTrack(d: TrackDefaults = MWAN3_TRACK_DEFAULTS): TrackState {
  return { score: d.down + d.up, online: true };
}

/** One tracking round: `ok` = at least `reliability` targets answered. */
export function trackRound(s: TrackState, ok: boolean, d: TrackDefaults = MWAN3_TRACK_DEFAULTS): TrackStep {
  let score = s.score;
  let online = s.online;
  let event: TrackStep['event'] = null;
  // failure_interval and recovery_interval both default to interval.
  const sleepS = d.intervalS;
  if (!ok) {
    score--;
    if (score < d.up) score = 0;
    if (score === d.up) {
      online = false;
      event = 'disconnected';
      score = 0;
    }
  } else {
    score++;
    if (score > d.up) {
      score = d.down + d.up;
    } else if (score === d.up) {
      online = true;
      event = 'connected';
    }
  }
  return { state: { score, online }, event, sleepS };
}

export interface Mwan3Member {
  /** 1-based uplink of the bed: interface id, mark id << 8, table id. */
  uplink: number;
  device: string;
  gatewayV4: string;
  weight: number;
}

export const MMX_MASK = 0x3f00;
export const markOf = (uplink: number): number => uplink << 8;
const hex = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

/** The nft map of `numgen random mod total` ranges to member marks (weights in member order). */
export function weightMap(members: readonly Mwan3Member[]): { total: number; entries: string[] } {
  let at = 0;
  const entries: string[] = [];
  for (const m of members) {
    if (!(Number.isInteger(m.weight) && m.weight >= 1)) throw new Error(`mwan3 member wan${m.uplink}: weight must be an integer >= 1, got ${m.weight}`);
    const lo = at;
    const hi = at + m.weight - 1;
    entries.push(`${lo === hi ? String(lo) : `${lo}-${hi}`} : ${hex(markOf(m.uplink))}`);
    at += m.weight;
  }
  return { total: at, entries };
}

/** The policy chain's body for the online members (none online: mark stays 0, the main table decides). */
export function policyRule(online: readonly Mwan3Member[]): string {
  if (online.length === 0) return '';
  const { total, entries } = weightMap(online);
  return `meta mark set numgen random mod ${total} map { ${entries.join(', ')} }`;
}

/** The whole nft table (inet mwan3e) for the router namespace. */
export function mwan3Ruleset(lanDevice: string, lanPrefixV4: string, online: readonly Mwan3Member[]): string {
  const mask = hex(MMX_MASK);
  return `table inet mwan3e {
	chain prerouting {
		type filter hook prerouting priority mangle; policy accept;
		iifname "${lanDevice}" meta nfproto ipv4 jump mwan3_hook
	}
	chain mwan3_hook {
		meta mark set ct mark and ${mask}
		meta mark and ${mask} != 0 return
		ip daddr ${lanPrefixV4} return
		jump policy_balanced
		ct mark set meta mark and ${mask}
	}
	chain policy_balanced {
		${policyRule(online)}
	}
}
`;
}

/** The policy chain alone, for `nft -f` when a member goes or comes back. */
export function policyUpdate(online: readonly Mwan3Member[]): string {
  return `flush chain inet mwan3e policy_balanced\n${online.length ? `add rule inet mwan3e policy_balanced ${policyRule(online)}\n` : ''}`;
}

/** `ip` argument lists for one member's rules and table (as mwan3_create_iface_rules / _route). */
export function memberIpCommands(m: Mwan3Member): string[][] {
  const fw = `${hex(markOf(m.uplink))}/${hex(MMX_MASK)}`;
  return [
    ['-4', 'route', 'replace', 'default', 'via', m.gatewayV4, 'dev', m.device, 'table', String(m.uplink)],
    ['-4', 'rule', 'add', 'pref', String(2000 + m.uplink), 'fwmark', fw, 'lookup', String(m.uplink)],
    ['-4', 'rule', 'add', 'pref', String(3000 + m.uplink), 'fwmark', fw, 'unreachable'],
  ];
}
