/**
 * A message broker that behaves like ubusd (ubusd_proto.c, ubusd_event.c) on
 * a unix socket: HELLO with the client's peer id, objects with random ids,
 * lookup with signatures, invoke forwarding and reply routing, events,
 * subscribe/notify, status replies. No ACLs and no monitor. Used by tests,
 * `make demo` and `modemflow ubusd`.
 * A client that sends a malformed frame, or does not read what it is sent
 * (more than maxQueuedBytes pending), is disconnected; the broker goes on.
 */
import { mkdir, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { dirname } from 'node:path';
import { decodeTableEntries, encodeTableContent, typed } from './blobmsg.js';
import { BrokerRegistry } from './broker-registry.js';
import type { BrokerClientRef, BrokerObject } from './broker-registry.js';
import { BlobmsgType, DEFAULT_UBUS_SOCKET, MsgType, Status, UBUS_SYSTEM_OBJECT_EVENT, UBUS_SYSTEM_OBJECT_MAX } from './constants.js';
import { isUbusError } from './errors.js';
import { UbusFramer } from './framer.js';
import { silentLogger } from './logger.js';
import type { UbusLogger } from './logger.js';
import { decodeMessage, encodeMessage } from './message.js';
import type { UbusAttrs, UbusMessage } from './message.js';

export interface UbusBrokerOptions {
  socketPath?: string;
  logger?: UbusLogger;
  /** Disconnect a client with more than this many bytes waiting to be written (default 16 MiB). */
  maxQueuedBytes?: number;
}

interface BrokerClient extends BrokerClientRef {
  socket: Socket;
  out: Buffer[];
  flushQueued: boolean;
}

/** Handler result: a status to reply, or NO_REPLY when the handler replied (or must not). */
const NO_REPLY = -1;

export class UbusBroker {
  private server: Server | null = null;
  private registry = new BrokerRegistry();
  private readonly sockets = new Map<number, BrokerClient>();
  private eventSeq = 0;
  readonly socketPath: string;
  private readonly logger: UbusLogger;

  constructor(private readonly options: UbusBrokerOptions = {}) {
    this.socketPath = options.socketPath ?? DEFAULT_UBUS_SOCKET;
    this.logger = options.logger ?? silentLogger;
  }

  get clientCount(): number {
    return this.sockets.size;
  }

  /** Listens on the socket path (a stale socket file is replaced). */
  async start(): Promise<void> {
    if (this.server) return;
    this.registry = new BrokerRegistry();
    this.registry.addSystemObject(UBUS_SYSTEM_OBJECT_EVENT);
    await mkdir(dirname(this.socketPath), { recursive: true });
    await unlink(this.socketPath).catch(() => undefined);
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error('ubus broker socket error', { reason: err.message }));
    this.server = server;
    this.logger.info('ubus broker listening', { socket: this.socketPath });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const c of [...this.sockets.values()]) c.socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(this.socketPath).catch(() => undefined);
  }

  private accept(socket: Socket): void {
    const client: BrokerClient = { id: this.registry.newClientId(), objects: new Set(), socket, out: [], flushQueued: false };
    this.registry.clients.set(client.id, client);
    this.sockets.set(client.id, client);
    const framer = new UbusFramer();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of framer.push(chunk)) {
          if (socket.destroyed) return;
          this.receive(client, decodeMessage(frame), frame);
        }
      } catch (err) {
        // A malformed frame (or a bug handling one) costs that client its session, never the broker.
        const level = isUbusError(err) ? 'warn' : 'error';
        this.logger[level]('ubus broker: bad frame, client dropped', { client: client.id.toString(16), reason: err instanceof Error ? err.message : String(err) });
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.drop(client));
    this.send(client, { type: MsgType.HELLO, seq: 0, peer: client.id, attrs: {} });
  }

  private drop(client: BrokerClient): void {
    if (!this.sockets.delete(client.id)) return;
    this.registry.clients.delete(client.id);
    for (const obj of [...client.objects]) this.freeObject(obj);
  }

  private send(client: BrokerClient, msg: UbusMessage): void {
    this.sendFrame(client, encodeMessage(msg));
  }

  private sendFrame(client: BrokerClient, frame: Buffer): void {
    if (client.socket.destroyed) return;
    client.out.push(frame);
    if (client.flushQueued) return;
    client.flushQueued = true;
    queueMicrotask(() => {
      client.flushQueued = false;
      if (client.socket.destroyed || client.out.length === 0) return;
      const data = client.out.length === 1 ? client.out[0]! : Buffer.concat(client.out);
      client.out = [];
      client.socket.write(data);
      if (client.socket.writableLength > (this.options.maxQueuedBytes ?? 16 * 1024 * 1024)) {
        this.logger.warn('ubus broker: client does not read, dropped', { client: client.id.toString(16) });
        client.socket.destroy();
      }
    });
  }

  private status(client: BrokerClient, req: UbusMessage, status: number): void {
    this.send(client, { type: MsgType.STATUS, seq: req.seq, peer: req.peer, attrs: { status } });
  }

  private receive(client: BrokerClient, msg: UbusMessage, frame: Buffer): void {
    let ret: number;
    switch (msg.type) {
      case MsgType.PING: {
        const pong = Buffer.from(frame);
        pong[1] = MsgType.DATA;
        this.sendFrame(client, pong);
        ret = Status.OK;
        break;
      }
      case MsgType.ADD_OBJECT:
        ret = this.addObject(client, msg);
        break;
      case MsgType.REMOVE_OBJECT:
        ret = this.removeObject(client, msg);
        break;
      case MsgType.LOOKUP:
        ret = this.lookup(client, msg);
        break;
      case MsgType.INVOKE:
        ret = this.invoke(client, msg);
        break;
      case MsgType.STATUS:
      case MsgType.DATA:
        this.response(client, msg, frame);
        return;
      case MsgType.SUBSCRIBE:
        ret = this.subscribe(client, msg);
        break;
      case MsgType.UNSUBSCRIBE:
        ret = this.unsubscribe(client, msg);
        break;
      case MsgType.NOTIFY:
        ret = this.notify(client, msg);
        break;
      default:
        ret = Status.INVALID_COMMAND;
    }
    if (ret !== NO_REPLY) this.status(client, msg, ret);
  }

  private addObject(client: BrokerClient, msg: UbusMessage): number {
    const a = msg.attrs;
    const obj = this.registry.createObject(client, a.objpath, a.objtype, a.signature);
    if (!obj) return Status.INVALID_ARGUMENT;
    const reply: UbusAttrs = { objid: obj.id };
    if (a.signature && obj.type) reply.objtype = obj.type.id;
    this.send(client, { type: MsgType.DATA, seq: msg.seq, peer: msg.peer, attrs: reply });
    if (obj.path !== undefined) this.objectEvent(obj, true);
    return Status.OK;
  }

  private removeObject(client: BrokerClient, msg: UbusMessage): number {
    if (msg.attrs.objid === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.registry.objects.get(msg.attrs.objid);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== client) return Status.PERMISSION_DENIED;
    const reply: UbusAttrs = { objid: obj.id };
    if (obj.type && obj.type.refcount === 1) reply.objtype = obj.type.id;
    this.send(client, { type: MsgType.DATA, seq: msg.seq, peer: msg.peer, attrs: reply });
    this.freeObject(obj);
    return Status.OK;
  }

  private freeObject(obj: BrokerObject): void {
    const { unsubscribed, targetsNowIdle } = this.registry.freeObject(obj);
    for (const t of targetsNowIdle) this.subscriptionChanged(t);
    for (const s of unsubscribed) {
      const c = s.client && this.sockets.get(s.client.id);
      if (c) this.send(c, { type: MsgType.UNSUBSCRIBE, seq: ++s.invokeSeq & 0xffff, peer: 0, attrs: { objid: s.id, target: obj.id } });
    }
    if (obj.path !== undefined) this.objectEvent(obj, false);
  }

  private lookup(client: BrokerClient, msg: UbusMessage): number {
    const path = msg.attrs.objpath;
    if (path === '') return Status.INVALID_ARGUMENT;
    const found = this.registry.lookup(path);
    if (path !== undefined && found.length === 0) return Status.NOT_FOUND;
    for (const obj of found) {
      if (!obj.type) continue;
      this.send(client, {
        type: MsgType.DATA,
        seq: msg.seq,
        peer: msg.peer,
        attrs: { objpath: obj.path, objid: obj.id, objtype: obj.type.id, signature: obj.type.signature },
      });
    }
    return Status.OK;
  }

  private invoke(client: BrokerClient, msg: UbusMessage): number {
    const a = msg.attrs;
    if (a.method === undefined || a.objid === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.registry.objects.get(a.objid);
    if (!obj) return Status.NOT_FOUND;
    if (!obj.client) return this.eventObject(client, a.method, a.data ?? Buffer.alloc(0));
    this.forwardInvoke(client, obj, msg, {});
    return NO_REPLY;
  }

  /** ubusd_forward_invoke: to the object's owner, same seq, peer = the caller. */
  private forwardInvoke(from: BrokerClient, obj: BrokerObject, msg: UbusMessage, head: UbusAttrs): void {
    const owner = obj.client && this.sockets.get(obj.client.id);
    if (!owner) return;
    const attrs: UbusAttrs = { ...head, objid: obj.id, method: msg.attrs.method };
    if (msg.attrs.data) attrs.data = msg.attrs.data;
    this.send(owner, { type: MsgType.INVOKE, seq: msg.seq, peer: from.id, attrs });
  }

  /** ubusd_handle_response: a reply goes back to the caller named by peer, with peer = the object. */
  private response(client: BrokerClient, msg: UbusMessage, frame: Buffer): void {
    const a = msg.attrs;
    if (a.objid === undefined) return;
    if (msg.type === MsgType.STATUS && a.status === undefined) return;
    if (msg.type === MsgType.DATA && a.data === undefined) return;
    const obj = this.registry.objects.get(a.objid);
    if (!obj || obj.client !== client) return;
    const target = this.sockets.get(msg.peer);
    if (!target) return;
    const out = Buffer.from(frame);
    out.writeUInt32BE(a.objid >>> 0, 4);
    this.sendFrame(target, out);
  }

  private subscribe(client: BrokerClient, msg: UbusMessage): number {
    const a = msg.attrs;
    if (a.objid === undefined || a.target === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.registry.objects.get(a.objid);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== client) return Status.INVALID_ARGUMENT;
    const target = this.registry.objects.get(a.target);
    if (!target || !target.client) return Status.NOT_FOUND;
    if (target.client === client) return Status.INVALID_ARGUMENT;
    if (this.registry.subscribe(obj, target)) this.subscriptionChanged(target);
    return Status.OK;
  }

  private unsubscribe(client: BrokerClient, msg: UbusMessage): number {
    const a = msg.attrs;
    if (a.objid === undefined || a.target === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.registry.objects.get(a.objid);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== client) return Status.INVALID_ARGUMENT;
    for (const t of obj.targets) {
      if (t.id !== a.target) continue;
      if (this.registry.unsubscribe(obj, t)) this.subscriptionChanged(t);
      return Status.OK;
    }
    return Status.NOT_FOUND;
  }

  /** ubus_notify_subscription: tells an object's owner whether it has subscribers. */
  private subscriptionChanged(target: BrokerObject): void {
    const owner = target.client && this.sockets.get(target.client.id);
    if (!owner) return;
    this.send(owner, {
      type: MsgType.NOTIFY,
      seq: ++target.invokeSeq & 0xffff,
      peer: 0,
      attrs: { objid: target.id, active: target.subscribers.size > 0 },
    });
  }

  private notify(client: BrokerClient, msg: UbusMessage): number {
    const a = msg.attrs;
    if (a.method === undefined || a.objid === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.registry.objects.get(a.objid);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== client) return Status.PERMISSION_DENIED;
    const noReply = a.noReply === true;
    if (!noReply) {
      this.send(client, {
        type: MsgType.STATUS,
        seq: msg.seq,
        peer: msg.peer,
        attrs: { objid: obj.id, subscribers: [...obj.subscribers].map((s) => s.id), status: Status.OK },
      });
    }
    for (const s of obj.subscribers) this.forwardInvoke(client, s, msg, noReply ? { noReply: true } : {});
    return NO_REPLY;
  }

  /** The event object (id 1): "register" a pattern for an object, or "send" an event. */
  private eventObject(client: BrokerClient, method: string, data: Buffer): number {
    let entries;
    try {
      entries = decodeTableEntries(data, 0, data.length, 'event arguments');
    } catch {
      return Status.INVALID_ARGUMENT;
    }
    // blobmsg_parse semantics: an attribute of the wrong type counts as missing.
    const get = (name: string, type: number): unknown => entries.find((e) => e.name === name && e.type === type)?.value;
    if (method === 'register') {
      const pattern = get('pattern', BlobmsgType.STRING);
      const objectId = get('object', BlobmsgType.INT32);
      if (typeof pattern !== 'string' || typeof objectId !== 'number') return Status.INVALID_ARGUMENT;
      const id = objectId >>> 0;
      if (id < UBUS_SYSTEM_OBJECT_MAX) return Status.PERMISSION_DENIED;
      const obj = this.registry.objects.get(id);
      if (!obj) return Status.NOT_FOUND;
      if (obj.client !== client) return Status.PERMISSION_DENIED;
      this.registry.addEventPattern(obj, pattern);
      return Status.OK;
    }
    if (method === 'send') {
      const id = get('id', BlobmsgType.STRING);
      const table = entries.find((e) => e.name === 'data' && e.type === BlobmsgType.TABLE);
      if (typeof id !== 'string' || !table) return Status.INVALID_ARGUMENT;
      if (id.startsWith('ubus.')) return Status.PERMISSION_DENIED;
      this.dispatchEvent(client, id, Buffer.from(data.subarray(table.dataStart, table.dataEnd)));
      return Status.OK;
    }
    return Status.INVALID_COMMAND;
  }

  private dispatchEvent(sender: BrokerClient | null, id: string, data: Buffer): void {
    for (const obj of this.registry.eventTargets(id, sender)) {
      const c = obj.client && this.sockets.get(obj.client.id);
      if (!c) continue;
      this.eventSeq = (this.eventSeq + 1) & 0xffff;
      this.send(c, { type: MsgType.INVOKE, seq: this.eventSeq, peer: 0, attrs: { objid: obj.id, method: id, data } });
    }
  }

  private objectEvent(obj: BrokerObject, added: boolean): void {
    const data = encodeTableContent({ id: typed('int32', obj.id), path: obj.path });
    this.dispatchEvent(null, added ? 'ubus.object.add' : 'ubus.object.remove', data);
  }
}
