import type { Topics } from './topics.js';
import { STATUS_OFFLINE, STATUS_ONLINE } from './payload-version.js';

/**
 * Home Assistant MQTT discovery: one device per router, sensors per modem.
 * Device classes and units are ones Home Assistant accepts for them
 * (sensor/const.py DEVICE_CLASS_UNITS): signal_strength in dB or dBm,
 * data_rate kbit/s, data_size GB, power W, duration ms.
 */
export interface SensorSpec {
  /** Suffix of the object id and unique id. */
  key: string;
  name: string;
  deviceClass: string | null;
  unit: string | null;
  stateClass: 'measurement' | 'total' | null;
  /** Jinja template over the JSON payload of the state topic. */
  valueTemplate: string;
}

/** Sensors per modem, read from its `metrics/<modem>` payload. */
export const MODEM_SENSORS: readonly SensorSpec[] = [
  { key: 'rsrp', name: 'RSRP', deviceClass: 'signal_strength', unit: 'dBm', stateClass: 'measurement', valueTemplate: '{{ value_json.signal.rsrpDbm if value_json.signal else none }}' },
  { key: 'rsrq', name: 'RSRQ', deviceClass: 'signal_strength', unit: 'dB', stateClass: 'measurement', valueTemplate: '{{ value_json.signal.rsrqDb if value_json.signal else none }}' },
  { key: 'sinr', name: 'SINR', deviceClass: 'signal_strength', unit: 'dB', stateClass: 'measurement', valueTemplate: '{{ value_json.signal.sinrDb if value_json.signal else none }}' },
  { key: 'rx_rate', name: 'Download rate', deviceClass: 'data_rate', unit: 'kbit/s', stateClass: 'measurement', valueTemplate: '{{ value_json.rates.rxKbps }}' },
  { key: 'tx_rate', name: 'Upload rate', deviceClass: 'data_rate', unit: 'kbit/s', stateClass: 'measurement', valueTemplate: '{{ value_json.rates.txKbps }}' },
  { key: 'rtt', name: 'Round-trip time', deviceClass: 'duration', unit: 'ms', stateClass: 'measurement', valueTemplate: '{{ value_json.path.rttMs if value_json.path else none }}' },
  { key: 'quota_used', name: 'Data used this cycle', deviceClass: 'data_size', unit: 'GB', stateClass: 'total', valueTemplate: '{{ value_json.quota.usedGb }}' },
  // Money has no currency in the config, so no `monetary` class: a plain number.
  { key: 'price', name: 'Price per GB', deviceClass: null, unit: null, stateClass: 'measurement', valueTemplate: '{{ value_json.price.perGb }}' },
  { key: 'state', name: 'State', deviceClass: null, unit: null, stateClass: null, valueTemplate: '{{ value_json.state }}' },
];

/** Sensors of the router, read from its `state` payload. */
export const ROUTER_SENSORS: readonly SensorSpec[] = [
  { key: 'power', name: 'Modem power', deviceClass: 'power', unit: 'W', stateClass: 'measurement', valueTemplate: '{{ value_json.power.modelledW }}' },
  { key: 'power_limit', name: 'Power limit', deviceClass: 'power', unit: 'W', stateClass: 'measurement', valueTemplate: '{{ value_json.power.limitW }}' },
  { key: 'cost_rate', name: 'Cost per hour', deviceClass: null, unit: null, stateClass: 'measurement', valueTemplate: '{{ value_json.cost.perHour }}' },
  { key: 'cycle_cost', name: 'Cost this cycle', deviceClass: null, unit: null, stateClass: 'total', valueTemplate: '{{ value_json.cost.cycleTotal }}' },
];

export interface DiscoveryMessage {
  topic: string;
  /** JSON config, or '' to remove the entity. */
  payload: string;
}

export interface DiscoveryDevice {
  hostname: string;
  version: string;
}

/** Object ids are `<modem>_<key>` (modem names are [A-Za-z0-9_.-]; dots are not allowed in object ids). */
export function modemObjectId(modem: string, key: string): string {
  return `${modem.replace(/\./g, '_')}_${key}`;
}

function sensorConfig(topics: Topics, device: DiscoveryDevice, spec: SensorSpec, objectId: string, name: string, stateTopic: string): Record<string, unknown> {
  const cfg: Record<string, unknown> = {
    name,
    unique_id: `modemflow_${topics.deviceId}_${objectId}`,
    object_id: `modemflow_${topics.deviceId}_${objectId}`,
    state_topic: stateTopic,
    value_template: spec.valueTemplate,
    availability_topic: topics.status,
    payload_available: STATUS_ONLINE,
    payload_not_available: STATUS_OFFLINE,
    device: {
      identifiers: [`modemflow_${topics.deviceId}`],
      name: device.hostname,
      manufacturer: 'modemflow',
      model: 'multi-modem router',
      sw_version: device.version,
    },
  };
  if (spec.deviceClass !== null) cfg.device_class = spec.deviceClass;
  if (spec.unit !== null) cfg.unit_of_measurement = spec.unit;
  if (spec.stateClass !== null) cfg.state_class = spec.stateClass;
  return cfg;
}

/** Every config message for the router and the given modems. */
export function discoveryMessages(topics: Topics, device: DiscoveryDevice, modems: readonly string[]): DiscoveryMessage[] {
  const out: DiscoveryMessage[] = [];
  for (const s of ROUTER_SENSORS) {
    out.push({ topic: topics.haConfig(s.key), payload: JSON.stringify(sensorConfig(topics, device, s, s.key, s.name, topics.state)) });
  }
  for (const m of modems) {
    for (const s of MODEM_SENSORS) {
      const id = modemObjectId(m, s.key);
      out.push({ topic: topics.haConfig(id), payload: JSON.stringify(sensorConfig(topics, device, s, id, `${m} ${s.name}`, topics.metrics(m))) });
    }
  }
  return out;
}

/** Empty retained configs that make Home Assistant forget a modem's sensors. */
export function discoveryRemovals(topics: Topics, modems: readonly string[]): DiscoveryMessage[] {
  return modems.flatMap((m) => MODEM_SENSORS.map((s) => ({ topic: topics.haConfig(modemObjectId(m, s.key)), payload: '' })));
}
