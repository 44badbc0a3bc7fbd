import type { DaemonControlApi, DaemonReadApi, ApiEvent } from '../model/api.js';
import type { TelemetryConfig } from '../model/config.js';
import type { Clock, Logger, TimerHandle } from '../model/ports.js';
import { brokerTarget, type BrokerTarget } from './broker-target.js';
import { parseCommand } from './command-request.js';
import { replyPayload, runCommand } from './command-runner.js';
import { commandEventPayload, droppedEventPayload, eventPayload, pathEventPayload } from './event-payload.js';
import { discoveryMessages, discoveryRemovals } from './ha-discovery-payload.js';
import { buildMetricsPayload } from './metrics-payload.js';
import { MqttLink, type LinkSettings } from './mqtt-link.js';
import { Outbox } from './outbox.js';
import type { OutboxStore } from './outbox-store.js';
import { STATUS_OFFLINE, STATUS_ONLINE } from './payload-version.js';
import { Publisher } from './publisher.js';
import { buildStatePayload } from './state-payload.js';
import { TokenBucket } from './token-bucket.js';
import { deriveDeviceId, Topics } from './topics.js';
import { tcpTransport, type TlsMaterial, type TransportFactory } from './transport.js';

export interface TelemetryDeps {
  read: DaemonReadApi;
  control: DaemonControlApi;
  clock: Clock;
  logger: Logger;
  identity: { hostname: string; baseMac: string | null };
  /** TLS files; the composition root passes fs. */
  readFile(path: string): Promise<Buffer>;
  /** The queue file (option queue_file); null = the outbox lives in memory only. */
  outboxStore: OutboxStore | null;
  /** The byte stream to the broker for mqtt:// and mqtts:// (default: node:net / node:tls). */
  connect?: TransportFactory;
  /** For the reconnect jitter (default Math.random). */
  random?: () => number;
  /** Reconnect backoff bounds (default 1 s .. 5 min). */
  backoff?: { minMs: number; maxMs: number };
}

export interface TelemetryStatus {
  enabled: boolean;
  connected: boolean;
  queued: number;
  dropped: number;
  lastError: string | null;
}

/** Commands a broker may give: a burst of this many, then one per COMMAND_REFILL_S. */
const COMMAND_BURST = 5;
const COMMAND_REFILL_S = 6;
/** A state change publishes `state` after this quiet time, so a burst of events gives one message. */
const STATE_DEBOUNCE_MS = 1000;

/** Options whose change needs a new connection (the rest apply live). */
function connectionKey(c: TelemetryConfig, deviceId: string): string {
  return JSON.stringify([c.enabled, c.brokerUrl, c.caFile, c.certFile, c.keyFile, c.username, c.password, deviceId, c.topicRoot, c.keepaliveS, c.mqttVersion, c.plainCredentials, c.bindUplink]);
}

/**
 * Fleet telemetry: publishes status, state, metrics and events under
 * `<topic_root>/<device-id>/`, keeps QoS 1 messages in an outbox (and the
 * queue file) through outages, answers allowed commands. Nothing here is
 * called synchronously by the daemon except the event listener, which only
 * queues.
 */
export class Telemetry {
  private topics: Topics;
  private link: MqttLink | null = null;
  private publisher: Publisher | null = null;
  private readonly outbox: Outbox;
  private unsubscribe: (() => void) | null = null;
  private stateTimer: TimerHandle | null = null;
  private metricsTimer: TimerHandle | null = null;
  private stateSoon: TimerHandle | null = null;
  private flushTimer: TimerHandle | null = null;
  private savedVersion = -1;
  private savedEmpty = true;
  private saving: Promise<void> = Promise.resolve();
  private readonly commandBucket = new TokenBucket(1 / COMMAND_REFILL_S, COMMAND_BURST);
  private readonly pathAlive = new Map<string, boolean>();
  private announced: string[] | null = null;
  private configError: string | null = null;
  private running = false;

  constructor(
    private readonly deps: TelemetryDeps,
    private config: TelemetryConfig,
  ) {
    this.topics = this.makeTopics(config);
    this.outbox = new Outbox(config.queueSize, config.queueMaxBytes);
  }

  private makeTopics(c: TelemetryConfig): Topics {
    return new Topics(c.topicRoot, deriveDeviceId(c.deviceId, this.deps.identity), c.haPrefix);
  }

  status(): TelemetryStatus {
    return {
      enabled: this.config.enabled,
      connected: this.link?.connected ?? false,
      queued: this.outbox.length,
      dropped: this.outbox.droppedTotal,
      lastError: this.configError ?? this.link?.lastError ?? null,
    };
  }

  start(): void {
    if (this.running || !this.config.enabled) return;
    const target = brokerTarget(this.config);
    if (!target.ok) {
      this.configError = target.error;
      this.deps.logger.error('telemetry: not started', { error: target.error });
      return;
    }
    this.configError = null;
    this.running = true;
    const publisher = new Publisher(
      { get connected() { return link.connected; }, get connection() { return link.connection; }, publish: (...a) => link.publish(...a) },
      this.outbox,
      this.deps.clock,
      this.config.maxRatePerS,
      () => this.scheduleFlush(),
    );
    const link = new MqttLink(this.linkSettings(target.value), {
      connected: () => this.onConnected(),
      disconnected: () => publisher.connectionLost(),
      message: (topic, payload) => this.onMessage(topic, payload),
    }, {
      clock: this.deps.clock,
      logger: this.deps.logger,
      transport: this.deps.connect ?? tcpTransport,
      random: this.deps.random ?? Math.random,
      backoff: this.deps.backoff ?? { minMs: 1000, maxMs: 300_000 },
    });
    this.link = link;
    this.publisher = publisher;
    this.unsubscribe = this.deps.read.onEvent((e) => this.onEvent(e));
    this.armStateTimer();
    this.armMetricsTimer();
    void this.loadQueue().then(() => publisher.batch(() => {
      this.reportDrops();
      publisher.setReady();
    }));
    link.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const t of [this.stateTimer, this.metricsTimer, this.stateSoon, this.flushTimer]) if (t) this.deps.clock.clearTimeout(t);
    this.stateTimer = this.metricsTimer = this.stateSoon = this.flushTimer = null;
    const link = this.link!;
    const publisher = this.publisher!;
    if (link.connected) {
      // The clean stop says so itself: a DISCONNECT suppresses the Will.
      await new Promise<void>((resolve) => {
        const t = this.deps.clock.setTimeout(resolve, 3000);
        link.publish(this.topics.status, STATUS_OFFLINE, { qos: 1, retain: true }, () => {
          this.deps.clock.clearTimeout(t);
          resolve();
        });
      });
    }
    publisher.stop();
    await link.stop();
    publisher.connectionLost();
    await this.flushQueue(true);
    this.link = null;
    this.publisher = null;
  }

  reconfigure(next: TelemetryConfig): void {
    const prev = this.config;
    const before = connectionKey(prev, this.topics.deviceId);
    const nextTopics = this.makeTopics(next);
    const after = connectionKey(next, nextTopics.deviceId);
    this.config = next;
    this.outbox.setBounds(next.queueSize, next.queueMaxBytes);
    if (before !== after || !this.running) {
      const wasRunning = this.running;
      const restart = async (): Promise<void> => {
        if (wasRunning) await this.stop();
        this.topics = nextTopics;
        this.start();
      };
      void restart().catch((e: Error) => this.deps.logger.error('telemetry: restart failed', { error: e.message }));
      return;
    }
    this.topics = nextTopics;
    this.publisher?.setRate(next.maxRatePerS);
    if (prev.stateIntervalS !== next.stateIntervalS) this.armStateTimer();
    if (prev.metricsIntervalS !== next.metricsIntervalS) this.armMetricsTimer();
    if (prev.allowCommands !== next.allowCommands) {
      if (next.allowCommands) this.link?.subscribe(this.topics.commands);
      else this.link?.unsubscribe(this.topics.commands);
    }
    if (prev.haDiscovery !== next.haDiscovery || prev.haPrefix !== next.haPrefix) {
      if (prev.haDiscovery) this.removeDiscovery(new Topics(prev.topicRoot, this.topics.deviceId, prev.haPrefix));
      if (next.haDiscovery && this.link?.connected) {
        this.link.subscribe(this.topics.haStatus);
        this.announced = null;
        this.announce();
      }
    }
  }

  // --- connection ---------------------------------------------------------

  private linkSettings(target: BrokerTarget): LinkSettings {
    const c = this.config;
    return {
      target,
      clientId: `modemflow-${this.topics.deviceId}`.slice(0, 64),
      keepaliveS: c.keepaliveS,
      version: c.mqttVersion,
      will: { topic: this.topics.status, payload: STATUS_OFFLINE },
      tlsMaterial: async (): Promise<TlsMaterial> => ({
        ca: c.caFile ? await this.deps.readFile(c.caFile) : null,
        cert: c.certFile ? await this.deps.readFile(c.certFile) : null,
        key: c.keyFile ? await this.deps.readFile(c.keyFile) : null,
      }),
      localAddress: () => {
        if (!this.config.bindUplink) return null;
        const up = this.deps.read.preferredUplink();
        // The v4 address for a v4 broker name or literal; v6 only for a v6 literal.
        return target.host.includes(':') ? up?.addressV6 ?? null : up?.addressV4 ?? null;
      },
    };
  }

  private onConnected(): void {
    this.publisher!.batch(() => this.greet());
  }

  private greet(): void {
    const link = this.link!;
    const publisher = this.publisher!;
    publisher.now({ topic: this.topics.status, payload: STATUS_ONLINE, qos: 1, retain: true });
    if (this.config.allowCommands) link.subscribe(this.topics.commands);
    if (this.config.haDiscovery) {
      link.subscribe(this.topics.haStatus);
      this.announced = null;
      this.announce();
    }
    this.reportDrops();
    this.publishState();
  }

  /** Drops are reported once a connection can carry the report, before the outbox (they are older). */
  private reportDrops(): void {
    const publisher = this.publisher;
    if (!publisher || !this.link?.connected) return;
    const dropped = this.outbox.takeDropped();
    if (dropped > 0) {
      publisher.now({
        topic: this.topics.events,
        payload: JSON.stringify(droppedEventPayload(dropped, this.deps.clock.now())),
        qos: 1,
        retain: false,
        done: (ok) => {
          if (!ok) this.outbox.returnDropped(dropped);
        },
      });
      this.deps.logger.warn('telemetry: outbox was full while offline', { dropped });
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.topics.haStatus) {
      if (this.config.haDiscovery && payload.toString() === 'online') {
        this.announced = null;
        this.announce();
      }
      return;
    }
    const name = this.topics.commandName(topic);
    if (name !== null && this.config.allowCommands) this.onCommand(name, payload);
  }

  // --- what is published --------------------------------------------------

  private onEvent(e: ApiEvent): void {
    try {
      const p = eventPayload(e);
      if (p) this.publisher?.reliable(this.topics.events, JSON.stringify(p));
      if (!this.stateSoon && this.running) {
        this.stateSoon = this.deps.clock.setTimeout(() => {
          this.stateSoon = null;
          this.publishState();
        }, STATE_DEBOUNCE_MS);
      }
    } catch (err) {
      this.deps.logger.error('telemetry: event not published', { type: e.type, error: (err as Error).message });
    }
  }

  private publishState(): void {
    if (!this.publisher) return;
    try {
      const { read } = this.deps;
      const p = buildStatePayload(read.status(), read.assignment(), { queued: this.outbox.length, dropped: this.outbox.droppedTotal, sent: this.publisher.sent }, this.deps.clock.now());
      // Only the newest state matters: kept through an outage, replaced, not queued.
      this.publisher.snapshot('state', { topic: this.topics.state, payload: JSON.stringify(p), qos: 1, retain: true }, true);
    } catch (err) {
      this.deps.logger.error('telemetry: state not published', { error: (err as Error).message });
    }
  }

  private publishMetrics(): void {
    const publisher = this.publisher;
    if (!publisher) return;
    try {
      const ts = this.deps.clock.now();
      const modems = this.deps.read.modems().modems;
      for (const m of modems) {
        const alive = m.path?.alive;
        const before = this.pathAlive.get(m.name);
        if (alive !== undefined) {
          this.pathAlive.set(m.name, alive);
          if (before !== undefined && before !== alive) {
            publisher.reliable(this.topics.events, JSON.stringify(pathEventPayload(m.name, alive, m.path?.short.rttMs ?? null, m.path?.short.lossPct ?? null, ts)));
          }
        }
        // QoS 0 and dropped offline: an old reading is worth nothing, and MQTT 5 brokers expire it.
        publisher.snapshot(`metrics/${m.name}`, { topic: this.topics.metrics(m.name), payload: JSON.stringify(buildMetricsPayload(m, ts)), qos: 0, retain: false, expiryS: this.config.metricsIntervalS * 2 }, false);
      }
      if (this.config.haDiscovery && this.link?.connected) this.announce(modems.map((m) => m.name));
    } catch (err) {
      this.deps.logger.error('telemetry: metrics not published', { error: (err as Error).message });
    }
  }

  /** Discovery for the modems now configured; removal for those gone since the last announcement. */
  private announce(names?: string[]): void {
    const publisher = this.publisher;
    if (!publisher) return;
    const modems = names ?? this.deps.read.modems().modems.map((m) => m.name);
    const prev = this.announced;
    if (prev && prev.length === modems.length && prev.every((m, i) => m === modems[i])) return;
    const status = this.deps.read.status();
    const gone = prev ? prev.filter((m) => !modems.includes(m)) : [];
    for (const d of discoveryRemovals(this.topics, gone)) publisher.now({ topic: d.topic, payload: d.payload, qos: 1, retain: true });
    for (const d of discoveryMessages(this.topics, { hostname: this.deps.identity.hostname, version: status.version }, modems)) {
      publisher.now({ topic: d.topic, payload: d.payload, qos: 1, retain: true });
    }
    this.announced = modems;
  }

  private removeDiscovery(topics: Topics): void {
    if (!this.publisher) return;
    const msgs = discoveryMessages(topics, { hostname: '', version: '' }, this.announced ?? []);
    for (const d of msgs) this.publisher.now({ topic: d.topic, payload: '', qos: 1, retain: true });
    this.announced = null;
  }

  private armStateTimer(): void {
    if (this.stateTimer) this.deps.clock.clearTimeout(this.stateTimer);
    this.stateTimer = this.deps.clock.setTimeout(() => {
      this.stateTimer = null;
      this.publishState();
      if (this.running) this.armStateTimer();
    }, this.config.stateIntervalS * 1000);
  }

  private armMetricsTimer(): void {
    if (this.metricsTimer) this.deps.clock.clearTimeout(this.metricsTimer);
    this.metricsTimer = this.deps.clock.setTimeout(() => {
      this.metricsTimer = null;
      this.publishMetrics();
      if (this.running) this.armMetricsTimer();
    }, this.config.metricsIntervalS * 1000);
  }

  // --- commands -------------------------------------------------------------

  private onCommand(name: string, payload: Buffer): void {
    const ts = this.deps.clock.now();
    if (!this.commandBucket.take(this.deps.clock.monotonicMs())) {
      this.deps.logger.warn('telemetry: command refused: rate limited', { command: name });
      const parsed = parseCommand(name, payload, this.config.commands);
      if (parsed.id !== null) this.reply(parsed.id, name, { ok: false, error: `rate limited: at most ${COMMAND_BURST} commands at once, then one per ${COMMAND_REFILL_S} s` }, ts);
      return;
    }
    const parsed = parseCommand(name, payload, this.config.commands);
    if (!parsed.ok) {
      this.deps.logger.warn('telemetry: command refused', { command: name, id: parsed.id, error: parsed.error });
      if (parsed.id !== null) this.reply(parsed.id, name, { ok: false, error: parsed.error }, ts);
      this.publisher?.reliable(this.topics.events, JSON.stringify(commandEventPayload(name, parsed.id, false, parsed.error, ts)));
      return;
    }
    const { id, command } = parsed;
    this.deps.logger.info('telemetry: command', { command: name, id });
    void runCommand(this.deps.control, command, `mqtt:${id}`).then((r) => {
      const done = this.deps.clock.now();
      if (r.ok) this.deps.logger.info('telemetry: command done', { command: name, id });
      else this.deps.logger.warn('telemetry: command failed', { command: name, id, error: r.error });
      this.reply(id, name, r, done);
      this.publisher?.reliable(this.topics.events, JSON.stringify(commandEventPayload(name, id, r.ok, r.ok ? null : r.error, done)));
    });
  }

  private reply(id: string, command: string, r: { ok: true; value: unknown } | { ok: false; error: string }, ts: number): void {
    this.publisher?.now({ topic: this.topics.reply(id), payload: replyPayload(id, command, r, ts), qos: 1, retain: false });
  }

  // --- queue file -----------------------------------------------------------

  private async loadQueue(): Promise<void> {
    const store = this.deps.outboxStore;
    const path = this.config.queueFile;
    if (!store || !path) return;
    try {
      const s = await store.load(path);
      if (s) {
        this.outbox.restore(s);
        this.savedEmpty = false;
        this.deps.logger.info('telemetry: queue file loaded', { file: path, messages: s.entries.length, dropped: s.dropped });
      }
    } catch (e) {
      this.deps.logger.error('telemetry: queue file unreadable, starting empty', { file: path, error: (e as Error).message });
    }
  }

  /** Batched: one write per queue_flush_interval at most while messages wait. */
  private scheduleFlush(): void {
    if (!this.deps.outboxStore || !this.config.queueFile || this.flushTimer || !this.running) return;
    this.flushTimer = this.deps.clock.setTimeout(() => {
      this.flushTimer = null;
      void this.flushQueue(false);
    }, this.config.queueFlushIntervalS * 1000);
  }

  private flushQueue(final: boolean): Promise<void> {
    const store = this.deps.outboxStore;
    const path = this.config.queueFile;
    if (!store || !path) return Promise.resolve();
    this.saving = this.saving.then(async () => {
      if (this.outbox.version === this.savedVersion && !final) return;
      const snap = this.outbox.snapshot();
      const empty = snap.entries.length === 0 && snap.dropped === 0;
      if (empty && this.savedEmpty) {
        this.savedVersion = this.outbox.version;
        return;
      }
      try {
        await store.save(path, snap);
        this.savedVersion = this.outbox.version;
        this.savedEmpty = empty;
      } catch (e) {
        this.deps.logger.error('telemetry: queue file not written', { file: path, error: (e as Error).message });
      }
      // Changes during an outage keep coming: the next batch waits its interval.
      if (this.outbox.version !== this.savedVersion) this.scheduleFlush();
    });
    return this.saving;
  }
}
