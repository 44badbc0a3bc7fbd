import type { StringFormat } from './formats.js';
import { DEFAULT_MARK_MASK } from '../model/mark-layout.js';

/**
 * The modemflow configuration as data: every section type, option, type,
 * default, limit and help text. Validation is driven by it and
 * `modemflow config schema` prints it, so the LuCI form and the daemon agree.
 */
export type OptionType =
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number; hex?: boolean }
  | { kind: 'number'; min?: number; max?: number; greaterThan?: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'string'; format: StringFormat };

export type DefaultValue = boolean | number | string | null | readonly string[];

export interface OptionSchema {
  name: string;
  type: OptionType;
  /** A `list` (several values); plain options hold one. */
  list?: boolean;
  /** Used when the option is absent; null means "not set". */
  default: DefaultValue;
  required?: boolean;
  unit?: string;
  help: string;
}

export interface SectionSchema {
  type: string;
  /** Several sections of this type may exist (modems, classes); otherwise at most one. */
  multiple: boolean;
  help: string;
  options: readonly OptionSchema[];
}

/** Routing rule priorities modemflow may use from rule_priority_base on. */
export const RULE_PRIORITY_SPAN = 64;
/** Defaults chosen to stay clear of mwan3 (tables 1-252, priorities 1001-3254) and netifd (10000, 20000, 90000). */
export const DEFAULT_TABLE_BASE = 3100;
export const DEFAULT_RULE_PRIORITY_BASE = 5000;

/**
 * Every duration has an upper bound, far below Node's timer limit (2^31-1 ms,
 * about 24.8 days; a longer timer fires after 1 ms, so a huge interval spins).
 */
export const MAX_INTERVAL_S = 86_400;
export const MIN_PROBE_INTERVAL_S = 0.5;
export const MAX_PROBE_INTERVAL_S = 3600;
export const MAX_RTT_MS = 60_000;
export const MAX_AUTONOMY_H = 8760;
/** Units whose options are durations (each needs a max; test/config/durations.test.ts checks). */
export const DURATION_UNITS: ReadonlySet<string> = new Set(['ms', 's', 'min', 'h']);

const bool = { kind: 'bool' } as const;
const str = (format: StringFormat): OptionType => ({ kind: 'string', format });
const num = (o: { min?: number; max?: number; greaterThan?: number }): OptionType => ({ kind: 'number', ...o });

export const SCHEMA: readonly SectionSchema[] = [
  {
    type: 'globals',
    multiple: false,
    help: 'Daemon-wide settings.',
    options: [
      { name: 'enabled', type: bool, default: true, help: 'Run modemflow; when off the router routes as if it were not installed.' },
      { name: 'log_level', type: { kind: 'enum', values: ['error', 'warn', 'info', 'debug'] }, default: 'info', help: 'Least severe messages to log.' },
      {
        name: 'mark_mask',
        type: { kind: 'int', min: 1, max: 0xffffffff, hex: true },
        default: `0x${DEFAULT_MARK_MASK.toString(16).padStart(8, '0')}`,
        help: 'Bits of the packet/conntrack mark modemflow owns: 12 contiguous bits (4 modem slot, 8 class). Keep clear of mwan3 (0x3f00) and firewall marks.',
      },
      {
        name: 'table_base',
        type: { kind: 'int', min: 256, max: 0xffffff00 },
        default: DEFAULT_TABLE_BASE,
        help: 'First routing table id; modem slot k uses table_base + k. Above 255 so it never meets mwan3 tables or the reserved 253-255.',
      },
      {
        name: 'rule_priority_base',
        type: { kind: 'int', min: 1, max: 32700 - RULE_PRIORITY_SPAN },
        default: DEFAULT_RULE_PRIORITY_BASE,
        help: `First ip rule priority; modemflow uses ${RULE_PRIORITY_SPAN} from here. Must stay clear of mwan3 (1001-1252, 2001-2254, 3001-3252) and netifd (10000, 20000).`,
      },
      { name: 'solve_interval', type: num({ min: 1, max: MAX_INTERVAL_S }), default: 60, unit: 's', help: 'Seconds between full solves on the slow timer.' },
      { name: 'hysteresis', type: num({ min: 0, max: 1 }), default: 0.05, help: 'Relative cost improvement a full solve needs before it moves groups (0.05 = 5%).' },
      {
        name: 'spread_bulk',
        type: bool,
        default: true,
        help: "When a LAN host's background (bulk) traffic fills its modem, send its new connections to the next cheapest modems too; modems carrying calls are left out.",
      },
      { name: 'lan', type: str('ifname'), list: true, default: ['lan'], help: 'netifd interfaces of the LAN: their devices and prefixes are what modemflow steers.' },
      { name: 'lan_prefix', type: str('cidr'), list: true, default: [], help: 'LAN prefixes (IPv4/IPv6 CIDR) instead of asking netifd for those of the lan interfaces.' },
    ],
  },
  {
    type: 'modem',
    multiple: true,
    help: 'One per netifd interface of a modem; the section name names the modem.',
    options: [
      { name: 'interface', type: str('ifname'), default: null, required: true, help: "The netifd interface, e.g. 'wwan0'." },
      { name: 'enabled', type: bool, default: true, help: 'Use this modem.' },
      {
        name: 'metrics',
        type: { kind: 'enum', values: ['auto', 'netifd', 'modemmanager', 'uqmi', 'qmodem', 'at', 'qmicli'] },
        default: 'auto',
        help: 'Where radio metrics come from; auto picks what is installed.',
      },
      { name: 'device', type: str('device'), default: null, help: 'Provider handle: uqmi control device, ModemManager index or path, qmodem section. Empty = discover.' },
      { name: 'tier', type: { kind: 'enum', values: ['primary', 'overflow', 'backup', 'never'] }, default: 'primary', help: 'primary: used first; overflow: when primaries are full; backup: only when nothing else works; never: not used.' },
      { name: 'price_per_gb', type: num({ min: 0 }), default: 0, unit: 'money/GB', help: 'Price of data, both directions.' },
      { name: 'quota_gb', type: num({ greaterThan: 0 }), default: null, unit: 'GB', help: 'Monthly allowance; empty = unlimited.' },
      { name: 'billing_day', type: { kind: 'int', min: 1, max: 28 }, default: 1, help: 'Day of the month the quota resets.' },
      { name: 'over_quota', type: { kind: 'enum', values: ['stop', 'overage'] }, default: 'stop', help: 'At quota: stop using the modem, or pay overage_price_per_gb.' },
      { name: 'overage_price_per_gb', type: num({ min: 0 }), default: null, unit: 'money/GB', help: 'Price past the quota (needed with over_quota overage).' },
      { name: 'min_rsrp', type: num({ min: -160, max: -30 }), default: null, unit: 'dBm', help: 'Signal below which the modem is left out.' },
      { name: 'min_sinr', type: num({ min: -30, max: 50 }), default: null, unit: 'dB', help: 'SINR below which the modem is left out.' },
      { name: 'max_loss', type: num({ min: 0, max: 100 }), default: null, unit: '%', help: 'Packet loss above which the modem is left out.' },
      { name: 'max_rtt', type: num({ greaterThan: 0, max: MAX_RTT_MS }), default: null, unit: 'ms', help: 'Round-trip time above which the modem is left out.' },
      { name: 'min_down_kbps', type: num({ min: 0 }), default: null, unit: 'kbps', help: 'Capacity below which the modem is not worth using.' },
      { name: 'probe', type: str('ip'), list: true, default: ['1.1.1.1', '8.8.8.8'], help: 'Addresses to measure RTT, jitter and loss against.' },
      { name: 'probe_interval', type: num({ min: MIN_PROBE_INTERVAL_S, max: MAX_PROBE_INTERVAL_S }), default: 5, unit: 's', help: 'Seconds between probes (0.5 to 3600).' },
      { name: 'up_kbps', type: num({ greaterThan: 0 }), default: null, unit: 'kbps', help: 'Upload cap of the plan; empty = estimate only.' },
      { name: 'down_kbps', type: num({ greaterThan: 0 }), default: null, unit: 'kbps', help: 'Download cap of the plan; empty = estimate only.' },
      { name: 'power_base_mw', type: num({ min: 0 }), default: null, unit: 'mW', help: 'Power model override: idle draw (set all three power_ options or none).' },
      { name: 'power_tx_mw_per_mbps', type: num({ min: 0 }), default: null, unit: 'mW/Mbps', help: 'Power model override: extra draw per Mbps sent.' },
      { name: 'power_rx_mw_per_mbps', type: num({ min: 0 }), default: null, unit: 'mW/Mbps', help: 'Power model override: extra draw per Mbps received.' },
      { name: 'allow_sim_switch', type: bool, default: false, help: 'Let modemflow switch SIM or profile for carrier diversity.' },
    ],
  },
  {
    type: 'class',
    multiple: true,
    help: 'Traffic rules, first match wins, tried before the built-in classes. All given matchers must hold.',
    options: [
      { name: 'enabled', type: bool, default: true, help: 'Use this rule.' },
      { name: 'dscp', type: str('dscp'), list: true, default: [], help: 'DSCP values or names (EF, AF41, CS1...).' },
      { name: 'proto', type: { kind: 'enum', values: ['tcp', 'udp', 'icmp', 'icmpv6', 'sctp', 'gre', 'esp'] }, default: null, help: 'Transport protocol.' },
      { name: 'dest_port', type: str('port-range'), list: true, default: [], help: 'Destination ports or ranges (tcp, udp, sctp).' },
      { name: 'src_port', type: str('port-range'), list: true, default: [], help: 'Source ports or ranges (tcp, udp, sctp).' },
      { name: 'src_ip', type: str('cidr'), list: true, default: [], help: 'LAN hosts or subnets.' },
      { name: 'src_mac', type: str('mac'), list: true, default: [], help: 'LAN hosts by MAC address.' },
      { name: 'dest_ip', type: str('cidr'), list: true, default: [], help: 'Destination addresses or subnets.' },
      { name: 'domain', type: str('domain'), list: true, default: [], help: 'Destination domains (resolved into an nft set by dnsmasq).' },
      { name: 'qos', type: { kind: 'enum', values: ['C', 'S', 'I', 'B'] }, default: null, required: true, help: 'C conversational, S streaming, I interactive, B background.' },
      { name: 'up_kbps', type: num({ greaterThan: 0 }), default: 100, unit: 'kbps', help: 'Upload demand assumed until measured.' },
      { name: 'down_kbps', type: num({ greaterThan: 0 }), default: 1000, unit: 'kbps', help: 'Download demand assumed until measured.' },
    ],
  },
  {
    type: 'power',
    multiple: false,
    help: 'Power source and budget.',
    options: [
      { name: 'source', type: { kind: 'enum', values: ['mains', 'battery', 'solar', 'vehicle'] }, default: 'mains', help: 'mains: no power limit; otherwise the budget comes from limit_w or the battery.' },
      { name: 'limit_w', type: num({ greaterThan: 0 }), default: null, unit: 'W', help: 'Fixed power budget; empty = derive from the energy left.' },
      { name: 'battery', type: str('sysfs-path'), default: null, help: 'sysfs power_supply directory of the battery.' },
      { name: 'ubus_object', type: str('ubus-object'), default: null, help: 'ubus object whose info call gives the battery state, instead of sysfs.' },
      { name: 'reserve', type: num({ min: 0, max: 100 }), default: 20, unit: '%', help: 'Capacity kept back.' },
      { name: 'autonomy', type: num({ greaterThan: 0, max: MAX_AUTONOMY_H }), default: null, unit: 'h', help: 'Hours the router should last on what is left.' },
      { name: 'base_load_w', type: num({ min: 0 }), default: 0, unit: 'W', help: "The router's own draw without modems (0 = count modems only)." },
    ],
  },
  {
    type: 'telemetry',
    multiple: false,
    help: 'Reporting to an MQTT broker.',
    options: [
      { name: 'enabled', type: bool, default: false, help: 'Report to the broker.' },
      { name: 'broker', type: str('url'), default: null, help: 'mqtt://, mqtts://, ws:// or wss:// URL (needed when enabled).' },
      { name: 'ca_file', type: str('path'), default: null, help: 'CA certificate (PEM).' },
      { name: 'cert_file', type: str('path'), default: null, help: 'Client certificate (PEM), with key_file.' },
      { name: 'key_file', type: str('path'), default: null, help: 'Client key (PEM), with cert_file.' },
      { name: 'username', type: str('text'), default: null, help: 'Broker user name.' },
      { name: 'password', type: str('text'), default: null, help: 'Broker password.' },
      { name: 'device_id', type: str('mqtt-id'), default: null, help: 'Device id in topics; empty = from the hostname.' },
      { name: 'topic_root', type: str('mqtt-topic'), default: 'modemflow', help: 'Topics are <topic_root>/<device_id>/...' },
      { name: 'state_interval', type: num({ min: 1, max: MAX_INTERVAL_S }), default: 60, unit: 's', help: 'Seconds between state reports.' },
      { name: 'metrics_interval', type: num({ min: 1, max: MAX_INTERVAL_S }), default: 30, unit: 's', help: 'Seconds between metric reports.' },
      { name: 'allow_commands', type: bool, default: false, help: 'Accept commands from the broker.' },
      {
        name: 'command',
        type: { kind: 'enum', values: ['set_power_limit', 'update_plan', 'solve', 'reload'] },
        list: true,
        default: ['set_power_limit', 'update_plan', 'solve', 'reload'],
        help: 'Commands accepted when allow_commands is on.',
      },
      { name: 'mqtt_version', type: { kind: 'enum', values: ['auto', '5', '3.1.1'] }, default: 'auto', help: 'auto: MQTT 5 where the broker speaks it, else 3.1.1.' },
      { name: 'keepalive', type: { kind: 'int', min: 10, max: 3600 }, default: 60, unit: 's', help: 'Seconds between MQTT pings on an idle link (below the carrier NAT timeout).' },
      { name: 'max_rate', type: num({ greaterThan: 0, max: 1000 }), default: 10, unit: 'msg/s', help: 'Messages per second at most.' },
      { name: 'plain_credentials', type: bool, default: false, help: 'Allow username/password over unencrypted mqtt:// or ws:// (they are refused otherwise).' },
      { name: 'bind_uplink', type: bool, default: true, help: 'Send telemetry through the cheapest usable modem (else the main routing table).' },
      { name: 'ha_discovery', type: bool, default: false, help: 'Announce sensors to Home Assistant (MQTT discovery).' },
      { name: 'ha_prefix', type: str('mqtt-topic'), default: 'homeassistant', help: 'Home Assistant discovery prefix.' },
      { name: 'queue_file', type: str('path'), default: null, help: 'File that keeps unsent messages across a restart; empty = memory only. /tmp is RAM; elsewhere it is flash.' },
      { name: 'queue_size', type: { kind: 'int', min: 1, max: 100000 }, default: 1000, help: 'Unsent messages kept at most; the oldest are dropped first.' },
      { name: 'queue_max_kb', type: num({ min: 1, max: 65536 }), default: 256, unit: 'KiB', help: 'Size of the unsent messages (and the queue file) at most.' },
      { name: 'queue_flush_interval', type: num({ min: 1, max: MAX_INTERVAL_S }), default: 300, unit: 's', help: 'Seconds between writes of the queue file while messages wait (flash wears).' },
    ],
  },
];

export function sectionSchema(type: string): SectionSchema | undefined {
  return SCHEMA.find((s) => s.type === type);
}
