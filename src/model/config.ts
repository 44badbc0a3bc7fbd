import type { QosClass } from './qos.js';
import type { LogLevel } from './ports.js';

/**
 * The typed modemflow configuration, as `src/config` produces it from
 * /etc/config/modemflow. Every part of the daemon reads its settings from
 * these plain objects; UCI option names are given in the comments.
 */
export interface ModemflowConfig {
  globals: GlobalsConfig;
  /** In file order. */
  modems: ModemConfig[];
  /** In file order: the first matching class wins. */
  classes: ClassRule[];
  power: PowerConfig;
  telemetry: TelemetryConfig;
}

export interface GlobalsConfig {
  /** option enabled */
  enabled: boolean;
  /** option log_level: error|warn|info|debug */
  logLevel: LogLevel;
  /** option mark_mask: bits of the packet/conntrack mark modemflow owns. */
  markMask: number;
  /** option table_base: first routing table id; modem k uses tableBase + k. */
  tableBase: number;
  /** option rule_priority_base: first ip rule priority modemflow uses. */
  rulePriorityBase: number;
  /** option solve_interval: seconds between full solves on the slow timer. */
  solveIntervalS: number;
  /** option hysteresis: relative cost improvement (0.05 = 5%) a full solve needs before it changes assignments. */
  hysteresis: number;
  /** option spread_bulk: spread a saturating background group over further modems, cheapest first (elastic-spread.ts). */
  spreadBulk: boolean;
  /** list lan: netifd interfaces of the LAN (their l3 devices and prefixes). */
  lanInterfaces: string[];
  /** list lan_prefix: LAN prefixes; empty = ask netifd for those of lanInterfaces. */
  lanPrefixes: string[];
}

export type MetricsProvider = 'auto' | 'netifd' | 'modemmanager' | 'uqmi' | 'qmodem' | 'at' | 'qmicli';
export type ModemTier = 'primary' | 'overflow' | 'backup' | 'never';

export interface SimPlan {
  /** option price_per_gb: money per GB, both directions. */
  pricePerGb: number;
  /** option quota_gb: monthly allowance; null = unlimited. */
  quotaGb: number | null;
  /** option billing_day: day of month (1-28) the quota resets. */
  billingDay: number;
  /** option over_quota: what happens at quota: 'stop' leaves the modem out, 'overage' charges overagePricePerGb. */
  overQuota: 'stop' | 'overage';
  /** option overage_price_per_gb */
  overagePricePerGb: number | null;
}

export interface ModemThresholds {
  /** option min_rsrp: dBm below which the modem leaves the set; null = no limit. */
  minRsrpDbm: number | null;
  /** option min_sinr: dB */
  minSinrDb: number | null;
  /** option max_loss: percent */
  maxLossPct: number | null;
  /** option max_rtt: ms */
  maxRttMs: number | null;
  /** option min_down_kbps: capacity below which the modem is not worth using. */
  minDownKbps: number | null;
}

/** Per-modem power model override (UCI in mW and mW/Mbps, here in W and W/kbps). */
export interface PowerCoefficients {
  baseW: number;
  txWPerKbps: number;
  rxWPerKbps: number;
}

export interface ModemConfig {
  /** Section name. */
  name: string;
  /** option interface: the netifd interface (e.g. 'wwan0'). */
  interface: string;
  /** option enabled */
  enabled: boolean;
  /** option metrics */
  metrics: MetricsProvider;
  /** option device: provider-specific handle (uqmi control device /dev/cdc-wdm0, ModemManager modem index or path, qmodem section); null = discover. */
  device: string | null;
  /** option tier */
  tier: ModemTier;
  plan: SimPlan;
  thresholds: ModemThresholds;
  /** list probe: hosts to measure RTT/jitter/loss against (IP addresses). */
  probeTargets: string[];
  /** option probe_interval: seconds, >= 0.5 */
  probeIntervalS: number;
  /** option up_kbps / down_kbps: a plan or contract cap; null = estimate only. */
  upKbpsCap: number | null;
  downKbpsCap: number | null;
  /** option power_base_mw, power_tx_mw_per_mbps, power_rx_mw_per_mbps: all three or none. */
  power: PowerCoefficients | null;
  /** option allow_sim_switch: let coordination switch SIM/profile for carrier diversity. */
  allowSimSwitch: boolean;
}

/** A port or an inclusive port range. */
export interface PortRange {
  from: number;
  to: number;
}

export type L4Proto = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'sctp' | 'gre' | 'esp';

/** Traffic rule (`config class`): all given matchers must hold. */
export interface ClassRule {
  /** Section name, also the group label. */
  name: string;
  /** list dscp: DSCP code points 0-63. */
  dscp: number[];
  /** option proto */
  proto: L4Proto | null;
  /** list dest_port */
  destPorts: PortRange[];
  /** list src_port */
  srcPorts: PortRange[];
  /** list src_ip: LAN hosts/subnets (IPv4 or IPv6 CIDR). */
  srcIps: string[];
  /** list src_mac */
  srcMacs: string[];
  /** list dest_ip: CIDRs. */
  destIps: string[];
  /** list domain: destination domains, resolved into an nft set by dnsmasq (nftset). */
  domains: string[];
  /** option qos */
  qos: QosClass;
  /** option up_kbps / down_kbps: demand assumed while a group is too young to measure. */
  upKbps: number;
  downKbps: number;
}

export type PowerSource = 'mains' | 'battery' | 'solar' | 'vehicle';

export interface PowerConfig {
  /** option source */
  source: PowerSource;
  /** option limit_w: a fixed P_max; null = derive from the energy left (or none on mains). */
  limitW: number | null;
  /** option battery: a sysfs power_supply directory, e.g. /sys/class/power_supply/BAT0. */
  batteryPath: string | null;
  /** option ubus_object: a ubus object whose `info` gives the battery state instead of sysfs. */
  ubusObject: string | null;
  /** option reserve: percent of capacity kept back. */
  reservePct: number;
  /** option autonomy: hours the router should last. */
  autonomyH: number | null;
  /** option base_load_w: the router's own consumption without modems. */
  baseLoadW: number;
}

export interface TelemetryConfig {
  /** option enabled */
  enabled: boolean;
  /** option broker: mqtt://, mqtts://, ws:// or wss:// URL. */
  brokerUrl: string | null;
  /** option ca_file, cert_file, key_file */
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
  /** option username, password */
  username: string | null;
  password: string | null;
  /** option device_id: null = derive from the hostname. */
  deviceId: string | null;
  /** option topic_root */
  topicRoot: string;
  /** option state_interval: seconds between state reports. */
  stateIntervalS: number;
  /** option metrics_interval: seconds between metric reports. */
  metricsIntervalS: number;
  /** option allow_commands: accept commands from the broker. */
  allowCommands: boolean;
  /** list command: the commands accepted when allowCommands (default: all). */
  commands: string[];
  /** option mqtt_version: 'auto' tries MQTT 5 and falls back to 3.1.1. */
  mqttVersion: 'auto' | '5' | '3.1.1';
  /** option keepalive: seconds between MQTT pings on an idle link. */
  keepaliveS: number;
  /** option max_rate: messages per second at most (bursts up to the same number). */
  maxRatePerS: number;
  /** option plain_credentials: allow username/password over unencrypted mqtt:// or ws://. */
  plainCredentials: boolean;
  /** option bind_uplink: send telemetry through the cheapest usable modem. */
  bindUplink: boolean;
  /** option ha_discovery, ha_prefix: Home Assistant MQTT discovery. */
  haDiscovery: boolean;
  haPrefix: string;
  /** option queue_file: where the outbox survives a restart; null = memory only. */
  queueFile: string | null;
  /** option queue_size: messages the outbox holds at most (oldest dropped). */
  queueSize: number;
  /** option queue_max_kb: bytes the outbox (and its file) holds at most. */
  queueMaxBytes: number;
  /** option queue_flush_interval: seconds between writes of the queue file (flash wears). */
  queueFlushIntervalS: number;
}
