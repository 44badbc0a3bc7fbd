import mqtt, { MqttClient } from 'mqtt';
import type { IClientOptions, IClientPublishOptions } from 'mqtt';
import type { Clock, Logger, TimerHandle } from '../model/ports.js';
import type { BrokerTarget } from './broker-target.js';
import type { TlsMaterial, TransportFactory } from './transport.js';
import { backoffMs } from './token-bucket.js';

export interface LinkSettings {
  target: BrokerTarget;
  clientId: string;
  keepaliveS: number;
  version: 'auto' | '5' | '3.1.1';
  will: { topic: string; payload: string };
  /** Read at each attempt: TLS files may be replaced between attempts. */
  tlsMaterial(): Promise<TlsMaterial>;
  /** Read at each attempt: the cheapest usable modem changes. */
  localAddress(): string | null;
}

export interface LinkListener {
  connected(protocolVersion: 4 | 5): void;
  disconnected(): void;
  message(topic: string, payload: Buffer): void;
}

export interface LinkDeps {
  clock: Clock;
  logger: Logger;
  transport: TransportFactory;
  random: () => number;
  backoff: { minMs: number; maxMs: number };
}

/** mqtt.js reason codes meaning "not this protocol version": 3.1.1 return code 1, MQTT 5 0x84. */
const UNSUPPORTED_VERSION = new Set([1, 0x84]);

/**
 * One MQTT connection, kept up: a fresh mqtt.js client per attempt (its own
 * reconnect has no backoff or jitter, and its stores reuse message ids),
 * exponential backoff with jitter between attempts, MQTT 5 first and 3.1.1
 * when the broker refuses 5.
 */
export class MqttLink {
  private client: MqttClient | null = null;
  /** Bumped per attempt; callbacks of older clients see a different number and do nothing. */
  private generation = 0;
  private attempt = 0;
  private timer: TimerHandle | null = null;
  private running = false;
  private versionNow: 4 | 5;
  connected = false;
  lastError: string | null = null;

  constructor(
    private settings: LinkSettings,
    private readonly listener: LinkListener,
    private readonly deps: LinkDeps,
  ) {
    this.versionNow = settings.version === '3.1.1' ? 4 : 5;
  }

  get protocolVersion(): 4 | 5 {
    return this.versionNow;
  }

  /** The current connection's number, for matching PUBACK callbacks. */
  get connection(): number {
    return this.generation;
  }

  start(): void {
    this.running = true;
    void this.attempt_();
  }

  /** New settings: drop the connection and connect again at once. */
  restart(settings: LinkSettings): void {
    this.settings = settings;
    this.versionNow = settings.version === '3.1.1' ? 4 : 5;
    this.attempt = 0;
    this.dropClient(true);
    if (this.running) void this.attempt_();
  }

  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean; expiryS?: number }, done?: (ok: boolean) => void): void {
    const client = this.client;
    if (!client || !this.connected) {
      done?.(false);
      return;
    }
    const o: IClientPublishOptions = { qos: opts.qos, retain: opts.retain };
    if (this.versionNow === 5 && opts.expiryS !== undefined) o.properties = { messageExpiryInterval: Math.ceil(opts.expiryS) };
    client.publish(topic, payload, o, (err) => done?.(!err));
  }

  subscribe(filter: string): void {
    this.client?.subscribe(filter, { qos: 1 }, (err) => {
      if (err) this.deps.logger.warn('telemetry: subscribe failed', { filter, error: err.message });
    });
  }

  unsubscribe(filter: string): void {
    this.client?.unsubscribe(filter);
  }

  /** Ends the connection cleanly (DISCONNECT: the broker does not send the Will). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.generation++;
    this.client = null;
    this.connected = false;
    if (!client) return;
    await new Promise<void>((resolve) => {
      const t = this.deps.clock.setTimeout(() => {
        client.end(true);
        resolve();
      }, 3000);
      client.end(false, {}, () => {
        this.deps.clock.clearTimeout(t);
        resolve();
      });
    });
  }

  private dropClient(force: boolean): void {
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.generation++;
    this.client = null;
    if (this.connected) {
      this.connected = false;
      this.listener.disconnected();
    }
    client?.end(force);
  }

  private scheduleRetry(): void {
    if (!this.running || this.timer) return;
    const ms = backoffMs(this.attempt++, this.deps.backoff.minMs, this.deps.backoff.maxMs, this.deps.random());
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      void this.attempt_();
    }, ms);
  }

  private async attempt_(): Promise<void> {
    const gen = ++this.generation;
    const s = this.settings;
    let tls: TlsMaterial;
    try {
      tls = s.target.tls ? await s.tlsMaterial() : { ca: null, cert: null, key: null };
    } catch (e) {
      this.lastError = `TLS files: ${(e as Error).message}`;
      this.deps.logger.error('telemetry: cannot read TLS files', { error: (e as Error).message });
      if (gen === this.generation) this.scheduleRetry();
      return;
    }
    if (gen !== this.generation || !this.running) return;
    const version = this.versionNow;
    const localAddress = s.localAddress();
    const t = s.target;
    const options: IClientOptions = {
      protocolVersion: version,
      clientId: s.clientId,
      clean: true,
      keepalive: s.keepaliveS,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      resubscribe: false,
      queueQoSZero: false,
      will: { topic: s.will.topic, payload: Buffer.from(s.will.payload), qos: 1, retain: true },
      ...(t.username !== null ? { username: t.username } : {}),
      ...(t.password !== null ? { password: t.password } : {}),
    };
    let acked = false;
    let socketError = false;
    let refused = false;
    let client: MqttClient;
    if (t.protocol === 'ws' || t.protocol === 'wss') {
      // mqtt.js builds the WebSocket; `ws` takes the local address and TLS material itself.
      const ws = { ...(localAddress ? { localAddress } : {}), ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) };
      client = mqtt.connect(`${t.protocol}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}${t.path}`, { ...options, wsOptions: ws });
    } else {
      client = new MqttClient(() => {
        const stream = this.deps.transport({ target: t, tls, localAddress });
        // mqtt.js reports only some socket errors; TLS failures would go unseen.
        stream.on('error', (e: Error) => {
          if (gen !== this.generation) return;
          socketError = true;
          this.lastError = e.message;
        });
        return stream;
      }, options);
    }
    this.client = client;
    client.on('connect', () => {
      if (gen !== this.generation) return;
      acked = true;
      this.attempt = 0;
      this.connected = true;
      this.lastError = null;
      this.deps.logger.info('telemetry: connected', { broker: t.display, mqtt: version === 5 ? '5' : '3.1.1', via: localAddress ?? 'main table' });
      this.listener.connected(version);
    });
    client.on('message', (topic, payload) => {
      if (gen === this.generation) this.listener.message(topic, payload);
    });
    client.on('error', (err: Error & { code?: number | string }) => {
      if (gen !== this.generation) return;
      if (typeof err.code === 'number') refused = !UNSUPPORTED_VERSION.has(err.code);
      else if (typeof err.code === 'string') socketError = true;
      this.lastError = err.message;
      if (version === 5 && this.settings.version === 'auto' && typeof err.code === 'number' && UNSUPPORTED_VERSION.has(err.code)) {
        this.versionNow = 4;
        refused = true; // handled here; the close handler must not toggle back
        this.deps.logger.info('telemetry: the broker does not speak MQTT 5; using 3.1.1', { broker: t.display });
      } else {
        this.deps.logger.warn('telemetry: connection error', { broker: t.display, error: err.message });
      }
    });
    client.on('close', () => {
      if (gen !== this.generation) return;
      // Some 3.1.1 brokers just hang up on an MQTT 5 CONNECT.
      // A refusal (bad credentials, not authorized) or a network failure says nothing about the version.
      if (!acked && !socketError && !refused && this.settings.version === 'auto') this.versionNow = version === 5 ? 4 : 5;
      if (this.connected) {
        this.connected = false;
        this.deps.logger.warn('telemetry: disconnected', { broker: t.display });
        this.listener.disconnected();
      }
      this.client = null;
      client.end(true);
      this.generation++;
      this.scheduleRetry();
    });
  }
}
