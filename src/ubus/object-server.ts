/**
 * The server half of a client: objects registered with ubusd (published ones
 * with a path and methods, and the client's own path-less objects that
 * receive events and notifications), INVOKE dispatch with argument checking,
 * replies DATA + STATUS (later, for async handlers), notifications to
 * subscribers. Follows libubus-obj.c.
 */
import { decodeTableEntries, encodeTableContent } from './blobmsg.js';
import { MsgType, Status } from './constants.js';
import { isUbusError, UbusError } from './errors.js';
import type { UbusLogger } from './logger.js';
import type { UbusAttrs, UbusMessage } from './message.js';
import { checkArgs, encodeSignature } from './object.js';
import type { UbusObjectDefinition } from './object.js';

/** What the object server needs from the client. */
export interface ServerLink {
  send(msg: UbusMessage): void;
  request(type: number, peer: number, attrs: UbusAttrs, what: string, timeoutMs?: number, onData?: (m: UbusMessage) => void): Promise<number>;
  /** Identity of the current session: a reply started in an older one is dropped. */
  generation(): unknown;
}

/** A path-less object of the client itself (event listener, subscriber). */
export interface InternalObject {
  id: number;
  /** Handles an INVOKE; returns the status to reply. */
  onInvoke?(msg: UbusMessage): number;
  onUnsubscribe?(msg: UbusMessage): void;
}

export class UbusPublishedObject {
  /** @internal */ id = 0;
  /** @internal */ typeId = 0;
  private subscribed = false;

  constructor(
    readonly definition: UbusObjectDefinition,
    private readonly server: ObjectServer,
  ) {}

  get path(): string {
    return this.definition.path;
  }

  /** The id ubusd gave this object in the current session (changes after a reconnect). */
  get objectId(): number {
    return this.id;
  }

  get hasSubscribers(): boolean {
    return this.subscribed;
  }

  /** @internal */
  setSubscribed(active: boolean): void {
    this.subscribed = active;
  }

  /** Sends a notification to all subscribers (no reply expected, as ubus_notify with timeout -1). */
  notify(type: string, data: Record<string, unknown> = {}): void {
    this.server.notify(this, type, data);
  }

  remove(): Promise<void> {
    return this.server.removeObject(this);
  }
}

export class ObjectServer {
  private readonly byId = new Map<number, UbusPublishedObject | InternalObject>();
  private readonly published = new Set<UbusPublishedObject>();

  constructor(
    private readonly link: ServerLink,
    private readonly logger: UbusLogger,
  ) {}

  async addObject(def: UbusObjectDefinition): Promise<UbusPublishedObject> {
    for (const p of this.published) {
      if (p.path === def.path) throw new UbusError('INVALID_ARGUMENT', `ubus object ${def.path} is already published by this client`);
    }
    const obj = new UbusPublishedObject(def, this);
    await this.registerPublished(obj);
    this.published.add(obj);
    return obj;
  }

  private async registerPublished(obj: UbusPublishedObject): Promise<void> {
    const what = `ubus add object ${obj.path}`;
    let id = 0;
    let typeId = 0;
    const status = await this.link.request(MsgType.ADD_OBJECT, 0, { objpath: obj.path, signature: encodeSignature(obj.definition.methods) }, what, undefined, (m) => {
      id = m.attrs.objid ?? 0;
      typeId = m.attrs.objtype ?? 0;
    });
    if (status !== Status.OK) throw UbusError.fromStatus(status, what);
    if (!id) throw new UbusError('NO_DATA', `${what}: ubusd sent no object id`);
    obj.id = id;
    obj.typeId = typeId;
    obj.setSubscribed(false);
    this.byId.set(id, obj);
  }

  async removeObject(obj: UbusPublishedObject): Promise<void> {
    this.published.delete(obj);
    await this.dropId(obj.id, `ubus remove object ${obj.path}`);
    obj.id = 0;
  }

  /** Registers a path-less object and sets its id. */
  async register(obj: InternalObject): Promise<void> {
    let id = 0;
    const status = await this.link.request(MsgType.ADD_OBJECT, 0, {}, 'ubus add object', undefined, (m) => {
      id = m.attrs.objid ?? 0;
    });
    if (status !== Status.OK) throw UbusError.fromStatus(status, 'ubus add object');
    if (!id) throw new UbusError('NO_DATA', 'ubus add object: ubusd sent no object id');
    obj.id = id;
    this.byId.set(id, obj);
  }

  async unregister(obj: InternalObject): Promise<void> {
    await this.dropId(obj.id, 'ubus remove object');
    obj.id = 0;
  }

  private async dropId(id: number, what: string): Promise<void> {
    if (!id || !this.byId.has(id)) return;
    this.byId.delete(id);
    try {
      await this.link.request(MsgType.REMOVE_OBJECT, 0, { objid: id }, what);
    } catch (err) {
      // Not connected: ubusd already forgot the object with the session.
      if (!isUbusError(err) || err.code !== 'CONNECTION_FAILED') throw err;
    }
  }

  /** After a reconnect: ids of the old session are void; publish everything again. */
  async restore(): Promise<void> {
    this.byId.clear();
    for (const obj of this.published) await this.registerPublished(obj);
  }

  notify(obj: UbusPublishedObject, type: string, data: Record<string, unknown>): void {
    if (!obj.id) throw new UbusError('NOT_FOUND', `ubus notify ${obj.path} ${type}: object is not registered`);
    this.link.send({
      type: MsgType.NOTIFY,
      seq: 0,
      peer: obj.id,
      attrs: { objid: obj.id, method: type, noReply: true, data: encodeTableContent(data) },
    });
  }

  handle(msg: UbusMessage): void {
    const id = msg.attrs.objid;
    if (id === undefined) return;
    const obj = this.byId.get(id);
    if (msg.type === MsgType.NOTIFY) {
      if (obj instanceof UbusPublishedObject && msg.attrs.active !== undefined) {
        obj.setSubscribed(msg.attrs.active);
        this.safely(() => obj.definition.onSubscribe?.(msg.attrs.active === true), obj.path, 'onSubscribe');
      }
      return;
    }
    if (msg.type === MsgType.UNSUBSCRIBE) {
      if (obj && !(obj instanceof UbusPublishedObject)) obj.onUnsubscribe?.(msg);
      return;
    }
    const noReply = msg.attrs.noReply === true;
    if (!obj) return this.finish(msg, Status.NOT_FOUND, undefined, noReply);
    if (msg.attrs.method === undefined) return this.finish(msg, Status.INVALID_ARGUMENT, undefined, noReply);
    if (!(obj instanceof UbusPublishedObject)) {
      let status: number = Status.OK;
      this.safely(() => {
        status = obj.onInvoke?.(msg) ?? Status.OK;
      }, String(id), msg.attrs.method);
      return this.finish(msg, status, undefined, noReply);
    }
    this.invoke(obj, msg, noReply);
  }

  private invoke(obj: UbusPublishedObject, msg: UbusMessage, noReply: boolean): void {
    const method = msg.attrs.method!;
    const m = Object.prototype.hasOwnProperty.call(obj.definition.methods, method) ? obj.definition.methods[method] : undefined;
    if (!m) return this.finish(msg, Status.METHOD_NOT_FOUND, undefined, noReply);
    const raw = msg.attrs.data ?? Buffer.alloc(0);
    let check: ReturnType<typeof checkArgs>;
    try {
      check = checkArgs(decodeTableEntries(raw, 0, raw.length, 'arguments'), m.args);
    } catch (err) {
      check = { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    if (!check.ok) {
      this.logger.warn('ubus call rejected: invalid argument', { object: obj.path, method, reason: check.reason });
      return this.finish(msg, Status.INVALID_ARGUMENT, undefined, noReply);
    }
    const gen = this.link.generation();
    const info = { object: obj.path, method, peer: msg.peer, user: msg.attrs.user, group: msg.attrs.group };
    let result: ReturnType<typeof m.handler>;
    try {
      result = m.handler(check.args, info);
    } catch (err) {
      return this.failed(obj, msg, err, noReply);
    }
    if (!(result instanceof Promise)) return this.finish(msg, Status.OK, result ?? undefined, noReply);
    result.then(
      (data) => {
        if (this.link.generation() === gen) this.finish(msg, Status.OK, data ?? undefined, noReply);
      },
      (err: unknown) => {
        if (this.link.generation() === gen) this.failed(obj, msg, err, noReply);
      },
    );
  }

  private failed(obj: UbusPublishedObject, msg: UbusMessage, err: unknown, noReply: boolean): void {
    const status = isUbusError(err) && err.code !== 'PROTOCOL' ? err.status : Status.UNKNOWN_ERROR;
    const level = status === Status.UNKNOWN_ERROR ? 'error' : 'debug';
    this.logger[level]('ubus method failed', { object: obj.path, method: msg.attrs.method, status, reason: err instanceof Error ? err.message : String(err) });
    this.finish(msg, status, undefined, noReply);
  }

  /** DATA (when there is data) then STATUS, with the request's seq and peer. */
  private finish(msg: UbusMessage, status: number, data: Record<string, unknown> | undefined, noReply: boolean): void {
    if (noReply) return;
    const objid = msg.attrs.objid ?? 0;
    if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
      this.logger.error('ubus handler returned something else than an object', { method: msg.attrs.method });
      status = Status.UNKNOWN_ERROR;
      data = undefined;
    }
    if (data !== undefined && status === Status.OK) {
      try {
        this.link.send({ type: MsgType.DATA, seq: msg.seq, peer: msg.peer, attrs: { objid, data: encodeTableContent(data) } });
      } catch (err) {
        this.logger.error('ubus reply not sent', { method: msg.attrs.method, reason: err instanceof Error ? err.message : String(err) });
        status = isUbusError(err) && err.code === 'CONNECTION_FAILED' ? status : Status.UNKNOWN_ERROR;
      }
    }
    try {
      this.link.send({ type: MsgType.STATUS, seq: msg.seq, peer: msg.peer, attrs: { status, objid } });
    } catch (err) {
      this.logger.debug('ubus reply dropped', { method: msg.attrs.method, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  private safely(fn: () => void, object: string, what: string): void {
    try {
      fn();
    } catch (err) {
      this.logger.error('ubus callback threw', { object, what, reason: err instanceof Error ? err.message : String(err) });
    }
  }
}
