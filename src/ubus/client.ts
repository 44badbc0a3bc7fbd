/**
 * ubus client: calls, lookups, events, subscriptions, and published objects
 * (object-server.ts). Structurally satisfies modemflow's UbusCaller port.
 * The constructor only stores options; connect() opens, close() ends.
 * When ubusd goes away, requests in flight fail with CONNECTION_FAILED and the
 * client reconnects with backoff, registering its objects, event listeners
 * and subscriptions again (they get new ids from the new ubusd).
 */
import { decodeTableContent, encodeTableContent, typed } from './blobmsg.js';
import { DEFAULT_UBUS_SOCKET, MsgType, Status, UBUS_SYSTEM_OBJECT_EVENT, UBUS_SYSTEM_OBJECT_MONITOR } from './constants.js';
import { UbusConnection } from './connection.js';
import { UbusError } from './errors.js';
import { silentLogger, systemTimers } from './logger.js';
import type { UbusLogger, UbusTimers } from './logger.js';
import { encodeMessage } from './message.js';
import type { UbusAttrs, UbusMessage } from './message.js';
import type { UbusObjectDefinition } from './object.js';
import { ObjectServer, UbusPublishedObject } from './object-server.js';
import type { InternalObject } from './object-server.js';
import { PendingRequests } from './pending.js';
import { unixSocketTransport } from './transport.js';
import type { UbusTransport } from './transport.js';
import type { UbusCallOptions, UbusClientOptions, UbusEventHandler, UbusListener, UbusMonitor, UbusMonitorHandler, UbusNotifyHandler, UbusSubscription } from './client-types.js';
import { parseSignature } from './lookup.js';
import type { UbusObjectInfo } from './lookup.js';

interface ListenerState extends InternalObject {
  pattern: string;
  handler: UbusEventHandler;
}

interface SubscriptionState extends InternalObject {
  path: string;
  handler: UbusNotifyHandler;
  targetId: number;
  active: boolean;
}

export class UbusClient {
  private readonly transport: UbusTransport;
  private readonly logger: UbusLogger;
  private readonly timers: UbusTimers;
  private readonly pending: PendingRequests;
  private readonly server: ObjectServer;
  private conn: UbusConnection | null = null;
  private closing = false;
  private reconnectTimer: unknown = null;
  private reconnectDelayMs = 0;
  private readonly idCache = new Map<string, number>();
  private readonly listeners = new Set<ListenerState>();
  private readonly subscriptions = new Set<SubscriptionState>();
  /** Internal listener that re-subscribes when a subscription's target (re)appears. */
  private objectAddListener: UbusListener | null = null;
  private monitorHandler: UbusMonitorHandler | null = null;

  constructor(private readonly options: UbusClientOptions = {}) {
    this.transport = options.transport ?? unixSocketTransport(options.socketPath ?? DEFAULT_UBUS_SOCKET);
    this.logger = options.logger ?? silentLogger;
    this.timers = options.timers ?? systemTimers;
    this.pending = new PendingRequests(this.timers);
    this.server = new ObjectServer(
      {
        send: (msg) => this.send(msg),
        request: (type, peer, attrs, what, timeoutMs, onData) => this.request(type, peer, attrs, what, timeoutMs, onData),
        generation: () => this.conn,
      },
      this.logger,
    );
  }

  /** Our peer id from ubusd's HELLO (0 when not connected). */
  get localId(): number {
    return this.conn?.localId ?? 0;
  }

  get connected(): boolean {
    return this.conn?.isOpen ?? false;
  }

  get defaultTimeoutMs(): number {
    return this.options.defaultTimeoutMs ?? 30000;
  }

  /** Connects once; rejects with CONNECTION_FAILED if ubusd cannot be reached. */
  async connect(): Promise<void> {
    this.closing = false;
    await this.open();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const conn = this.conn;
    this.conn = null;
    this.pending.failAll((what) => new UbusError('CONNECTION_FAILED', `${what} failed: client closed`));
    if (conn) await conn.close();
  }

  private async open(): Promise<void> {
    let opened: UbusConnection | undefined;
    const conn = await UbusConnection.open(
      this.transport(),
      {
        onMessage: (msg) => this.dispatch(msg),
        // The connection reports a loss in a later microtask, after `opened` is set.
        onLost: (err) => {
          if (opened) this.lost(opened, err);
        },
      },
      this.timers,
      this.options.connectTimeoutMs ?? 5000,
    );
    opened = conn;
    if (this.closing) {
      await conn.close();
      throw new UbusError('CONNECTION_FAILED', 'client closed while connecting');
    }
    this.conn = conn;
    this.reconnectDelayMs = 0;
    this.logger.debug('ubus connected', { peer: conn.localId.toString(16) });
    try {
      await this.restore();
    } catch (err) {
      // Half-restored sessions are not kept: drop it (a reconnect retries everything).
      if (this.conn === conn) this.conn = null;
      this.pending.failAll((what) => new UbusError('CONNECTION_FAILED', `${what} failed: session reset`));
      await conn.close();
      throw err;
    }
    this.options.onConnect?.();
  }

  private lost(conn: UbusConnection, err: UbusError): void {
    if (this.conn !== conn) return;
    this.conn = null;
    this.idCache.clear();
    // The new ubusd knows none of our subscriptions: until one is made again it
    // must read as inactive, or the object-add listener would skip it.
    for (const s of this.subscriptions) {
      s.active = false;
      s.targetId = 0;
    }
    this.pending.failAll((what) => new UbusError('CONNECTION_FAILED', `${what} failed: connection to ubus lost`, { cause: err }));
    this.logger.warn('ubus connection lost', { reason: err.message });
    this.options.onDisconnect?.(err);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const opts = this.options.reconnect;
    if (opts === false || this.closing || this.reconnectTimer !== null) return;
    const initial = opts?.initialDelayMs ?? 100;
    const max = opts?.maxDelayMs ?? 5000;
    this.reconnectDelayMs = this.reconnectDelayMs === 0 ? initial : Math.min(max, this.reconnectDelayMs * (opts?.factor ?? 2));
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.open().catch((err: unknown) => {
        this.logger.warn('ubus reconnect failed', { reason: err instanceof Error ? err.message : String(err) });
        this.scheduleReconnect();
      });
    }, this.reconnectDelayMs);
  }

  /** Re-registers everything the previous session had. */
  private async restore(): Promise<void> {
    await this.server.restore();
    for (const l of this.listeners) await this.registerListener(l);
    for (const s of this.subscriptions) {
      await this.server.register(s);
      await this.trySubscribe(s);
    }
    if (this.subscriptions.size > 0) await this.ensureObjectAddListener();
    if (this.monitorHandler) await this.monitorCall('add');
  }

  private send(msg: UbusMessage): void {
    if (!this.conn) throw new UbusError('CONNECTION_FAILED', 'not connected to ubus');
    this.conn.send(encodeMessage(msg));
  }

  /** Writes a request and waits for its STATUS; DATA replies go to onData. */
  private async request(type: number, peer: number, attrs: UbusAttrs, what: string, timeoutMs = this.defaultTimeoutMs, onData?: (msg: UbusMessage) => void): Promise<number> {
    const conn = this.conn;
    if (!conn) throw new UbusError('CONNECTION_FAILED', `${what} failed: not connected to ubus`);
    const seq = this.pending.nextSeq(peer);
    const frame = encodeMessage({ type, seq, peer, attrs });
    conn.send(frame);
    const { status } = await this.pending.add(seq, peer, what, timeoutMs, onData);
    return status;
  }

  private dispatch(msg: UbusMessage): void {
    try {
      this.route(msg);
    } catch (err) {
      // A throwing callback must not take the connection (or the process) down.
      this.logger.error('ubus message handling failed', { type: msg.type, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  private route(msg: UbusMessage): void {
    switch (msg.type) {
      case MsgType.STATUS:
      case MsgType.DATA:
        this.pending.deliver(msg, msg.type === MsgType.STATUS);
        return;
      case MsgType.INVOKE:
      case MsgType.NOTIFY:
      case MsgType.UNSUBSCRIBE:
        this.server.handle(msg);
        return;
      case MsgType.MONITOR:
        if (msg.monitor) this.monitorHandler?.(msg.monitor);
        return;
      default:
        this.logger.debug('ubus message ignored', { type: msg.type });
    }
  }

  /** Objects matching path (exact, or a prefix ending in '*'; all when omitted), with their signatures. */
  async lookup(path?: string, options: UbusCallOptions = {}): Promise<UbusObjectInfo[]> {
    const found: UbusObjectInfo[] = [];
    const status = await this.request(MsgType.LOOKUP, 0, path === undefined ? {} : { objpath: path }, `ubus list ${path ?? ''}`.trim(), options.timeoutMs, (m) => {
      const a = m.attrs;
      if (a.objid === undefined || a.objpath === undefined || a.objtype === undefined) return;
      found.push({ path: a.objpath, id: a.objid, typeId: a.objtype, signature: parseSignature(a.signature), rawSignature: a.signature ? Buffer.from(a.signature) : undefined });
    });
    if (status !== Status.OK) throw UbusError.fromStatus(status, `ubus list ${path ?? ''}`.trim());
    return found;
  }

  /** The id of an object, cached until the connection drops or a call finds it gone. */
  async lookupId(path: string, options: UbusCallOptions = {}): Promise<number> {
    const cached = this.idCache.get(path);
    if (cached !== undefined) return cached;
    let id = 0;
    const status = await this.request(MsgType.LOOKUP, 0, { objpath: path }, `ubus lookup ${path}`, options.timeoutMs, (m) => {
      if (m.attrs.objid !== undefined) id = m.attrs.objid;
    });
    if (status !== Status.OK) throw UbusError.fromStatus(status, `ubus lookup ${path}`);
    if (id === 0) throw new UbusError('NOT_FOUND', `ubus lookup ${path}: Not found (NOT_FOUND)`);
    this.idCache.set(path, id);
    return id;
  }

  /** Invokes a method; resolves to every DATA table's raw bytes, in order. */
  async callRaw(path: string, method: string, args: Record<string, unknown> | Buffer = {}, options: UbusCallOptions = {}): Promise<Buffer[]> {
    const data = Buffer.isBuffer(args) ? args : encodeTableContent(args);
    const what = `ubus call ${path} ${method}`;
    for (let attempt = 0; ; attempt++) {
      const cached = this.idCache.has(path);
      const id = await this.lookupId(path, options);
      const replies: Buffer[] = [];
      const status = await this.request(MsgType.INVOKE, id, { objid: id, method, data }, what, options.timeoutMs ?? this.defaultTimeoutMs, (m) => {
        if (m.attrs.data) replies.push(Buffer.from(m.attrs.data));
      });
      if (status === Status.OK) return replies;
      if (status === Status.NOT_FOUND && cached && attempt === 0) {
        // The object was re-registered under a new id: look it up again once.
        this.idCache.delete(path);
        continue;
      }
      throw UbusError.fromStatus(status, what);
    }
  }

  /** UbusCaller: the reply's data table (the last one if several; {} when none). */
  async call(path: string, method: string, args: Record<string, unknown> = {}, options: UbusCallOptions = {}): Promise<Record<string, unknown>> {
    const replies = await this.callRaw(path, method, args, options);
    const last = replies[replies.length - 1];
    return last ? decodeTableContent(last, 0, last.length) : {};
  }

  /** Sends an event (ubus send TYPE DATA). */
  async sendEvent(type: string, data: Record<string, unknown> = {}, options: UbusCallOptions = {}): Promise<void> {
    const what = `ubus send ${type}`;
    const payload = encodeTableContent({ id: type, data });
    const status = await this.request(MsgType.INVOKE, UBUS_SYSTEM_OBJECT_EVENT, { objid: UBUS_SYSTEM_OBJECT_EVENT, method: 'send', data: payload }, what, options.timeoutMs);
    if (status !== Status.OK) throw UbusError.fromStatus(status, what);
  }

  /** Listens for events whose type matches pattern (exact, or a prefix ending in '*'; '*' for all). */
  async listen(pattern: string, handler: UbusEventHandler): Promise<UbusListener> {
    const state: ListenerState = {
      id: 0,
      pattern,
      handler,
      onInvoke: (m) => {
        const raw = m.attrs.data ?? Buffer.alloc(0);
        handler(m.attrs.method ?? '', decodeTableContent(raw, 0, raw.length), raw);
        return Status.OK;
      },
    };
    await this.registerListener(state);
    this.listeners.add(state);
    return {
      pattern,
      remove: async () => {
        this.listeners.delete(state);
        await this.server.unregister(state);
      },
    };
  }

  private async registerListener(l: ListenerState): Promise<void> {
    await this.server.register(l);
    const what = `ubus listen ${l.pattern}`;
    // "object" must travel as int32 (ubusd's policy), whatever the id's magnitude.
    const data = encodeTableContent({ object: typed('int32', l.id), pattern: l.pattern });
    const status = await this.request(MsgType.INVOKE, UBUS_SYSTEM_OBJECT_EVENT, { objid: UBUS_SYSTEM_OBJECT_EVENT, method: 'register', data }, what);
    if (status !== Status.OK) {
      await this.server.unregister(l);
      throw UbusError.fromStatus(status, what);
    }
  }

  /** Publishes an object with its methods; it is registered again after a reconnect. */
  addObject(def: UbusObjectDefinition): Promise<UbusPublishedObject> {
    return this.server.addObject(def);
  }

  /**
   * Subscribes to an object's notifications. If the object is missing or goes
   * away, the subscription waits and resubscribes when it is registered again.
   */
  async subscribe(path: string, handler: UbusNotifyHandler): Promise<UbusSubscription> {
    const state: SubscriptionState = {
      id: 0,
      path,
      handler,
      targetId: 0,
      active: false,
      onInvoke: (m) => {
        const raw = m.attrs.data ?? Buffer.alloc(0);
        handler(m.attrs.method ?? '', decodeTableContent(raw, 0, raw.length), raw);
        return Status.OK;
      },
      onUnsubscribe: () => {
        state.active = false;
        state.targetId = 0;
        this.logger.debug('ubus subscription target gone', { path });
      },
    };
    await this.server.register(state);
    this.subscriptions.add(state);
    await this.ensureObjectAddListener();
    await this.trySubscribe(state);
    return {
      path,
      get active() {
        return state.active;
      },
      remove: async () => {
        this.subscriptions.delete(state);
        if (state.active && this.conn) {
          await this.request(MsgType.UNSUBSCRIBE, 0, { objid: state.id, target: state.targetId }, `ubus unsubscribe ${path}`).catch(() => Status.OK);
        }
        await this.server.unregister(state);
      },
    };
  }

  private async trySubscribe(s: SubscriptionState, knownId?: number): Promise<void> {
    let target = knownId ?? 0;
    if (!target) {
      this.idCache.delete(s.path);
      target = await this.lookupId(s.path).catch(() => 0);
    }
    if (!target) return;
    const status = await this.request(MsgType.SUBSCRIBE, 0, { objid: s.id, target }, `ubus subscribe ${s.path}`);
    if (status === Status.OK) {
      s.targetId = target;
      s.active = true;
    } else {
      this.logger.warn('ubus subscribe failed', { path: s.path, status });
    }
  }

  private async ensureObjectAddListener(): Promise<void> {
    if (this.objectAddListener) return;
    this.objectAddListener = await this.listen('ubus.object.add', (_type, data) => {
      const path = typeof data.path === 'string' ? data.path : '';
      const id = typeof data.id === 'number' ? data.id >>> 0 : 0;
      for (const s of this.subscriptions) {
        if (s.path !== path || s.active || !id) continue;
        this.trySubscribe(s, id).catch((err: unknown) => this.logger.warn('ubus resubscribe failed', { path, reason: String(err) }));
      }
    });
  }

  /**
   * ubusd's monitor (`ubus monitor`): handler sees every message ubusd
   * receives (send = false) or sends (send = true), with the client it came
   * from or went to. Started again after a reconnect; stop() ends it.
   */
  async monitor(handler: UbusMonitorHandler): Promise<UbusMonitor> {
    this.monitorHandler = handler;
    try {
      await this.monitorCall('add');
    } catch (err) {
      this.monitorHandler = null;
      throw err;
    }
    return {
      stop: async () => {
        if (this.monitorHandler !== handler) return;
        this.monitorHandler = null;
        if (this.conn) await this.monitorCall('remove').catch(() => undefined);
      },
    };
  }

  /** __ubus_monitor: an INVOKE of "add"/"remove" on the monitor object, 1 s timeout as libubus. */
  private async monitorCall(method: 'add' | 'remove'): Promise<void> {
    const what = `ubus monitor ${method}`;
    const status = await this.request(MsgType.INVOKE, UBUS_SYSTEM_OBJECT_MONITOR, { objid: UBUS_SYSTEM_OBJECT_MONITOR, method, data: Buffer.alloc(0) }, what, 1000);
    if (status !== Status.OK) throw UbusError.fromStatus(status, what);
  }
}
