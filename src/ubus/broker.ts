/**
 * A message broker that behaves like ubusd (ubusd_proto.c, ubusd_event.c,
 * ubusd_monitor.c) on a unix socket: HELLO with the client's peer id, objects
 * with random ids, lookup with signatures (answered object by object, paused
 * while the client's queue is full), invoke forwarding and reply routing,
 * events, subscribe/notify, monitor, status replies. No ACLs (and so no
 * root-only check for monitor). Used by tests, `make demo` and `modemflow
 * ubusd`.
 * Bounds (see broker-peer.ts): per-client and broker-wide queues, a deadline
 * for unfinished frames, and a client limit below the fd limit at which the
 * client idle longest without objects makes room for a new one. Messages are
 * read as ubusd reads them (broker-parse.ts): bad content gets a status, only
 * a bad header drops the client.
 */
import { mkdir, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { dirname } from 'node:path';
import { encodeTableContent, typed } from './blobmsg.js';
import { LookupQueue } from './broker-lookup.js';
import type { LookupSink } from './broker-lookup.js';
import { BrokerMonitors } from './broker-monitor.js';
import { parseClientMessage } from './broker-parse.js';
import { BrokerPeer } from './broker-peer.js';
import type { BrokerBudget } from './broker-peer.js';
import { budgetFrom } from './broker-options.js';
import type { UbusBrokerOptions, UbusBrokerStats } from './broker-options.js';
import { BrokerRegistry } from './broker-registry.js';
import type { BrokerClientRef, BrokerObject } from './broker-registry.js';
import { claimSocketPath, defaultMaxClients, socketInode } from './broker-socket.js';
import { parseEventCall } from './broker-system.js';
import {
  DEFAULT_UBUS_SOCKET,
  MsgType,
  Status,
  UBUS_SYSTEM_OBJECT_EVENT,
  UBUS_SYSTEM_OBJECT_MONITOR,
} from './constants.js';
import { silentLogger } from './logger.js';
import type { UbusLogger } from './logger.js';
import { encodeMessage } from './message.js';
import type { UbusAttrs, UbusMessage } from './message.js';

export type { UbusBrokerOptions, UbusBrokerStats } from './broker-options.js';

interface BrokerClient extends BrokerClientRef {
  peer: BrokerPeer;
  /** Lookups being answered, oldest first (ubusd's cmd_queue). */
  lookups: LookupQueue;
  sink: LookupSink;
}

/** Handler result: a status to reply, or NO_REPLY when the handler replied (or must not). */
const NO_REPLY = -1;

export class UbusBroker {
  private server: Server | null = null;
  private registry = new BrokerRegistry();
  private monitors = new BrokerMonitors();
  private readonly clients = new Map<number, BrokerClient>();
  /** Clients by last frame received, least recent first (delete + set moves one to the end). */
  private readonly activity = new Map<number, BrokerClient>();
  private eventSeq = 0;
  private inode: number | null = null;
  private maxClients = 1000;
  private readonly budget: BrokerBudget;
  readonly socketPath: string;
  private readonly logger: UbusLogger;

  constructor(private readonly options: UbusBrokerOptions = {}) {
    this.socketPath = options.socketPath ?? DEFAULT_UBUS_SOCKET;
    this.logger = options.logger ?? silentLogger;
    this.budget = budgetFrom(options);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** What the broker holds now: bytes queued for clients and of unfinished frames, messages dropped so far. */
  get stats(): UbusBrokerStats {
    let dropped = this.droppedMessages;
    for (const c of this.clients.values()) dropped += c.peer.droppedMessages;
    return {
      clients: this.clients.size,
      queuedBytes: this.budget.queuedBytes,
      partialBytes: this.budget.partialBytes,
      droppedMessages: dropped,
      eventPatterns: this.registry.eventPatternCount,
      objects: this.registry.objects.size,
    };
  }

  private droppedMessages = 0;

  /**
   * Listens on the socket path. Refuses a path that is not a socket or that a
   * live broker answers on; a stale socket file is replaced.
   */
  async start(): Promise<void> {
    if (this.server) return;
    this.registry = new BrokerRegistry();
    this.monitors = new BrokerMonitors();
    this.registry.addSystemObject(UBUS_SYSTEM_OBJECT_EVENT);
    this.registry.addSystemObject(UBUS_SYSTEM_OBJECT_MONITOR);
    this.maxClients = this.options.maxClients ?? (await defaultMaxClients());
    await mkdir(dirname(this.socketPath), { recursive: true });
    await claimSocketPath(this.socketPath);
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
    this.inode = await socketInode(this.socketPath);
    this.logger.info('ubus broker listening', { socket: this.socketPath, maxClients: this.maxClients });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const c of [...this.clients.values()]) c.peer.socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Only our own socket: another broker may have replaced a file we no longer own.
    if (this.inode !== null && (await socketInode(this.socketPath)) === this.inode) {
      await unlink(this.socketPath).catch(() => undefined);
    }
    this.inode = null;
  }

  private accept(socket: Socket): void {
    if (this.clients.size >= this.maxClients && !this.evictIdle()) {
      this.logger.warn('ubus broker: client limit reached, connection refused', { maxClients: this.maxClients });
      socket.destroy();
      return;
    }
    const id = this.registry.newClientId();
    const client: BrokerClient = {
      id,
      objects: new Set(),
      lookups: new LookupQueue(),
      sink: {
        queuedBytes: () => client.peer.queuedBytes,
        isOpen: () => client.peer.isOpen,
        sendFrame: (frame) => this.sendFrame(client, frame),
        sendStatus: (seq, peer, status) => this.status(client, { seq, peer }, status),
        oversize: (obj) => this.logger.warn('ubus broker: object left out of a lookup, its reply exceeds the message limit', { path: obj.path ?? '', bytes: obj.type?.signature.length ?? 0 }),
      },
      peer: new BrokerPeer(socket, this.budget, {
        onFrame: (frame) => this.receive(client, frame),
        onWritten: () => client.lookups.run(this.registry, client.sink),
        onClose: () => this.drop(client),
        onDrop: (reason) => this.logger.warn('ubus broker: client dropped', { client: id.toString(16), reason }),
      }),
    };
    this.registry.clients.set(id, client);
    this.clients.set(id, client);
    this.activity.set(id, client);
    this.send(client, { type: MsgType.HELLO, seq: 0, peer: id, attrs: {} });
  }

  /**
   * At the client limit, drops the client that has been idle longest and
   * holds nothing others rely on (no objects, not monitoring, no lookup in
   * progress); false when there is none.
   */
  private evictIdle(): boolean {
    for (const c of this.activity.values()) {
      if (c.objects.size > 0 || c.lookups.pending > 0 || this.monitors.has(c.id) || !c.peer.isOpen) continue;
      c.peer.drop(`evicted at the client limit (${this.maxClients}): idle longest, with no objects`);
      this.activity.delete(c.id);
      return true;
    }
    return false;
  }

  private drop(client: BrokerClient): void {
    if (!this.clients.delete(client.id)) return;
    this.droppedMessages += client.peer.droppedMessages;
    this.activity.delete(client.id);
    this.registry.clients.delete(client.id);
    this.monitors.remove(client.id);
    client.lookups.clear();
    for (const obj of [...client.objects]) this.freeObject(obj);
  }

  private send(client: BrokerClient, msg: UbusMessage): void {
    this.sendFrame(client, encodeMessage(msg));
  }

  /** ubus_msg_send: every message but MONITOR is shown to the monitors first, even one the queue then drops. */
  private sendFrame(client: BrokerClient, frame: Buffer): void {
    if (!client.peer.isOpen) return;
    if (frame[1] !== MsgType.MONITOR) this.monitor(client, frame, true);
    if (!client.peer.send(frame) && client.peer.droppedMessages === 1) {
      this.logger.warn('ubus broker: client does not read, messages dropped', { client: client.id.toString(16) });
    }
  }

  private monitor(client: BrokerClient, frame: Buffer, send: boolean): void {
    if (this.monitors.size === 0) return;
    for (const [id, f] of this.monitors.frames(client.id, frame, send)) {
      const m = this.clients.get(id);
      if (m) this.sendFrame(m, f);
    }
  }

  private status(client: BrokerClient, req: { seq: number; peer: number }, status: number): void {
    this.send(client, { type: MsgType.STATUS, seq: req.seq, peer: req.peer, attrs: { status } });
  }

  private receive(client: BrokerClient, frame: Buffer): void {
    this.activity.delete(client.id);
    this.activity.set(client.id, client);
    this.monitor(client, frame, false);
    const msg = parseClientMessage(frame);
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
      const c = s.client && this.clients.get(s.client.id);
      if (c) this.send(c, { type: MsgType.UNSUBSCRIBE, seq: ++s.invokeSeq & 0xffff, peer: 0, attrs: { objid: s.id, target: obj.id } });
    }
    if (obj.path !== undefined) this.objectEvent(obj, false);
  }

  /** ubusd_handle_lookup (see broker-lookup.ts). */
  private lookup(client: BrokerClient, msg: UbusMessage): number {
    const path = msg.attrs.objpath;
    // ubusd finds nothing for an empty path.
    const found = path === '' ? [] : this.registry.lookup(path);
    if (path !== undefined && found.length === 0) return Status.NOT_FOUND;
    client.lookups.add(msg.seq, msg.peer, found, this.registry, client.sink);
    return NO_REPLY;
  }

  private invoke(client: BrokerClient, msg: UbusMessage): number {
    const a = msg.attrs;
    if (a.method === undefined || a.objid === undefined) return Status.INVALID_ARGUMENT;
    const obj = this.registry.objects.get(a.objid);
    if (!obj) return Status.NOT_FOUND;
    if (obj.id === UBUS_SYSTEM_OBJECT_MONITOR) return this.monitorObject(client, a.method);
    if (!obj.client) return this.eventObject(client, a.method, a.data ?? Buffer.alloc(0));
    this.forwardInvoke(client, obj, msg, {});
    return NO_REPLY;
  }

  /** ubusd_monitor_recv: "add" starts monitoring (again, from seq 0), "remove" stops it. */
  private monitorObject(client: BrokerClient, method: string): number {
    if (method === 'add') {
      this.monitors.add(client.id);
      return Status.OK;
    }
    if (method === 'remove') {
      this.monitors.remove(client.id);
      return Status.OK;
    }
    return Status.METHOD_NOT_FOUND;
  }

  /** ubusd_forward_invoke: to the object's owner, same seq, peer = the caller. */
  private forwardInvoke(from: BrokerClient, obj: BrokerObject, msg: UbusMessage, head: UbusAttrs): void {
    const owner = obj.client && this.clients.get(obj.client.id);
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
    const target = this.clients.get(msg.peer);
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
    const owner = target.client && this.clients.get(target.client.id);
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
    const call = parseEventCall(method, data);
    if (call.kind === 'status') return call.status;
    if (call.kind === 'send') {
      this.dispatchEvent(client, call.id, call.data);
      return Status.OK;
    }
    const obj = this.registry.objects.get(call.objectId);
    if (!obj) return Status.NOT_FOUND;
    if (obj.client !== client) return Status.PERMISSION_DENIED;
    this.registry.addEventPattern(obj, call.pattern);
    return Status.OK;
  }

  private dispatchEvent(sender: BrokerClient | null, id: string, data: Buffer): void {
    for (const obj of this.registry.eventTargets(id, sender)) {
      const c = obj.client && this.clients.get(obj.client.id);
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
