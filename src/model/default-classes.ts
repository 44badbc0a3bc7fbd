import type { ClassRule, PortRange } from './config.js';

/**
 * Built-in traffic classes, tried after the user's `class` sections. The port
 * lists follow the services' published port usage; DSCP follows RFC 4594
 * (EF = 46 telephony, AF4x = 34/36/38 multimedia conferencing/streaming,
 * CS1 = 8 low-priority data).
 */

function ports(...specs: Array<number | [number, number]>): PortRange[] {
  return specs.map((s) => (typeof s === 'number' ? { from: s, to: s } : { from: s[0], to: s[1] }));
}

function rule(partial: Partial<ClassRule> & Pick<ClassRule, 'name' | 'qos' | 'upKbps' | 'downKbps'>): ClassRule {
  return {
    dscp: [],
    proto: null,
    destPorts: [],
    srcPorts: [],
    srcIps: [],
    srcMacs: [],
    destIps: [],
    domains: [],
    ...partial,
  };
}

export const DEFAULT_CLASS_RULES: readonly ClassRule[] = Object.freeze([
  // Telephony marked by the application or a VoIP phone.
  rule({ name: 'voice-dscp', dscp: [46], qos: 'C', upKbps: 100, downKbps: 100 }),
  // SIP signalling (RFC 3261), plain and TLS.
  rule({ name: 'sip', proto: 'udp', destPorts: ports(5060, 5061), qos: 'C', upKbps: 20, downKbps: 20 }),
  rule({ name: 'sip-tcp', proto: 'tcp', destPorts: ports(5060, 5061), qos: 'C', upKbps: 20, downKbps: 20 }),
  // WebRTC/meetings media: STUN/TURN 3478-3481 (Teams), 8801-8810 (Zoom), 19302-19309 (Meet), common RTP range.
  rule({
    name: 'realtime-media',
    proto: 'udp',
    destPorts: ports([3478, 3481], [8801, 8810], [19302, 19309], [10000, 20000]),
    qos: 'C',
    upKbps: 1500,
    downKbps: 1500,
  }),
  // Multimedia streaming marked AF4x, RTSP and RTMP.
  rule({ name: 'streaming-dscp', dscp: [34, 36, 38], qos: 'S', upKbps: 100, downKbps: 5000 }),
  rule({ name: 'rtsp-rtmp', proto: 'tcp', destPorts: ports(554, 1935), qos: 'S', upKbps: 200, downKbps: 5000 }),
  // VPN tunnels: WireGuard, OpenVPN, IKE/IPsec NAT-T; they carry mixed traffic.
  rule({ name: 'vpn-udp', proto: 'udp', destPorts: ports(51820, 1194, 500, 4500), qos: 'I', upKbps: 1000, downKbps: 3000 }),
  rule({ name: 'vpn-esp', proto: 'esp', qos: 'I', upKbps: 1000, downKbps: 3000 }),
  // Name resolution, interactive shells, web and QUIC.
  rule({ name: 'dns', proto: 'udp', destPorts: ports(53), qos: 'I', upKbps: 5, downKbps: 5 }),
  rule({ name: 'ssh', proto: 'tcp', destPorts: ports(22), qos: 'I', upKbps: 50, downKbps: 50 }),
  rule({ name: 'web', proto: 'tcp', destPorts: ports(80, 443), qos: 'I', upKbps: 200, downKbps: 2000 }),
  rule({ name: 'quic', proto: 'udp', destPorts: ports(443), qos: 'I', upKbps: 200, downKbps: 2000 }),
  // Explicitly low-priority data.
  rule({ name: 'bulk-dscp', dscp: [8], qos: 'B', upKbps: 500, downKbps: 5000 }),
]);

/** What matches nothing else. */
export const FALLBACK_CLASS: ClassRule = Object.freeze(
  rule({ name: 'default', qos: 'B', upKbps: 300, downKbps: 3000 }),
) as ClassRule;

/**
 * The full ordered class list the kernel rules and the userspace classifier
 * both use: the user's `class` sections, then the built-ins, then the
 * fallback. A connection's class index is its class' position + 1
 * (src/model/mark-layout.ts).
 */
export function classList(userRules: readonly ClassRule[]): ClassRule[] {
  return [...userRules, ...DEFAULT_CLASS_RULES, FALLBACK_CLASS];
}
