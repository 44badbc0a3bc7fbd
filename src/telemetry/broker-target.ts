import type { TelemetryConfig } from '../model/config.js';

/** Where and how to connect, checked: what the transport and the MQTT client need. */
export interface BrokerTarget {
  protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  host: string;
  port: number;
  /** ws/wss only. */
  path: string;
  tls: boolean;
  username: string | null;
  password: string | null;
  /** The URL as it may be logged (never credentials). */
  display: string;
}

const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 } as const;

/**
 * Checks the broker URL and the security rules: a known scheme, a host, a
 * port, no credentials inside the URL (they would end up in logs), and no
 * username/password over an unencrypted link unless plain_credentials.
 */
export function brokerTarget(c: TelemetryConfig): { ok: true; value: BrokerTarget } | { ok: false; error: string } {
  if (c.brokerUrl === null) return { ok: false, error: 'telemetry.broker: not set' };
  if (/[\s\x00-\x1f\x7f]/.test(c.brokerUrl)) return { ok: false, error: 'telemetry.broker: control characters or spaces in the URL' };
  let u: URL;
  try {
    u = new URL(c.brokerUrl);
  } catch {
    return { ok: false, error: 'telemetry.broker: expected an mqtt://, mqtts://, ws:// or wss:// URL' };
  }
  const protocol = u.protocol.slice(0, -1);
  if (protocol !== 'mqtt' && protocol !== 'mqtts' && protocol !== 'ws' && protocol !== 'wss') {
    return { ok: false, error: `telemetry.broker: scheme ${u.protocol}// is not one of mqtt://, mqtts://, ws://, wss://` };
  }
  if (u.username !== '' || u.password !== '') return { ok: false, error: 'telemetry.broker: credentials in the URL; use the username and password options' };
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return { ok: false, error: 'telemetry.broker: no host' };
  const port = u.port === '' ? DEFAULT_PORTS[protocol] : Number(u.port);
  if ((protocol === 'mqtt' || protocol === 'mqtts') && u.pathname !== '' && u.pathname !== '/') {
    return { ok: false, error: `telemetry.broker: ${protocol}:// takes no path (got ${u.pathname})` };
  }
  if (u.search !== '' || u.hash !== '') return { ok: false, error: 'telemetry.broker: no query or fragment expected' };
  const tls = protocol === 'mqtts' || protocol === 'wss';
  const hasCredentials = c.username !== null || c.password !== null;
  if (hasCredentials && !tls && !c.plainCredentials) {
    return { ok: false, error: `telemetry: refusing to send username/password over unencrypted ${protocol}://; use mqtts:// or wss://, or set option plain_credentials 1` };
  }
  const path = protocol === 'ws' || protocol === 'wss' ? u.pathname || '/mqtt' : '';
  const display = `${protocol}://${u.host}${path}`;
  return { ok: true, value: { protocol, host, port, path, tls, username: c.username, password: c.password, display } };
}
