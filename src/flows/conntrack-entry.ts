/**
 * One conntrack entry as conntrack-tools (`-o extended[,id]`) and the kernel's
 * /proc/net/nf_conntrack print it. Addresses are canonical (see ip-address.ts).
 */

export interface ConntrackTuple {
  src: string;
  dst: string;
  /** tcp, udp, udplite, sctp, dccp; null for others. */
  sport: number | null;
  dport: number | null;
  /** icmp/icmpv6 only. */
  icmpType: number | null;
  icmpCode: number | null;
  icmpId: number | null;
  /** gre only. */
  greKeys: { src: number; dst: number } | null;
  /** zone-orig= / zone-reply= (direction zones), null when not printed. */
  zone: number | null;
}

export interface Counters {
  packets: number;
  bytes: number;
}

export interface ConntrackEntry {
  family: 4 | 6;
  /** Lower-case protocol name: tcp, udp, icmp, icmpv6, sctp, gre, esp, ... or `proto-N`. */
  proto: string;
  protoNum: number;
  /** Seconds until the entry expires. */
  timeoutS: number | null;
  /** tcp/sctp/dccp state (ESTABLISHED, TIME_WAIT, ...), null for stateless protocols. */
  state: string | null;
  /** Original direction (from the initiator). */
  orig: ConntrackTuple;
  reply: ConntrackTuple;
  /** Present only when nf_conntrack_acct was on when the entry was created. */
  origCounters: Counters | null;
  replyCounters: Counters | null;
  assured: boolean;
  unreplied: boolean;
  /** [OFFLOAD] / [HW_OFFLOAD]: flow offloading carries the packets past the ruleset. */
  offload: 'sw' | 'hw' | null;
  mark: number;
  zone: number;
  /** conntrack id (`-o id`); null from /proc. */
  id: number | null;
}

export type ConntrackEventType = 'new' | 'update' | 'destroy';

export interface ConntrackEvent {
  type: ConntrackEventType;
  entry: ConntrackEntry;
  /** `-o timestamp` prefix, seconds since the epoch; null without. */
  timestampS: number | null;
}

/** IANA protocol numbers of the protocols conntrack tracks or a class rule names. */
export const PROTO_NAMES: Readonly<Record<number, string>> = {
  1: 'icmp',
  6: 'tcp',
  17: 'udp',
  33: 'dccp',
  47: 'gre',
  50: 'esp',
  58: 'icmpv6',
  132: 'sctp',
  136: 'udplite',
};

/** Stable identity of a connection across polls and events (the tuple, plus the zone when not 0). */
export function connectionKey(e: ConntrackEntry): string {
  const o = e.orig;
  const ep = (addr: string, port: number | null): string => (e.family === 6 ? `[${addr}]` : addr) + (port === null ? '' : `:${port}`);
  let detail = '';
  if (o.icmpId !== null) detail = `/${o.icmpType}/${o.icmpId}`;
  else if (o.greKeys) detail = `/${o.greKeys.src}/${o.greKeys.dst}`;
  const zone = e.zone !== 0 ? `@${e.zone}` : '';
  return `${e.proto}:${ep(o.src, o.sport)}>${ep(o.dst, o.dport)}${detail}${zone}`;
}

/** Source NAT or masquerade: the reply is addressed to someone other than the initiator. */
export function isSourceNatted(e: ConntrackEntry): boolean {
  return e.reply.dst !== e.orig.src || (e.orig.sport !== null && e.reply.dport !== e.orig.sport);
}

/** Destination NAT (port forward): the reply comes from someone other than the original destination. */
export function isDestinationNatted(e: ConntrackEntry): boolean {
  return e.reply.src !== e.orig.dst || (e.orig.dport !== null && e.reply.sport !== e.orig.dport);
}
