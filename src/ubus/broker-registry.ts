/**
 * The broker's bookkeeping (ubusd_obj.c, ubusd_event.c): clients, objects with
 * their types (signatures), paths, subscriptions and event patterns. No I/O:
 * the broker (broker.ts) turns the messages it returns into frames.
 */
import { randomInt } from 'node:crypto';
import { forEachBlobAttr } from './blob.js';
import { resolveBlobmsg } from './blobmsg.js';
import { BLOBMSG_MAX_DEPTH, BlobmsgType, UBUS_SYSTEM_OBJECT_MAX } from './constants.js';

export interface BrokerClientRef {
  id: number;
  objects: Set<BrokerObject>;
}

export interface BrokerType {
  id: number;
  /** SIGNATURE payload: the methods as sent by the publisher. */
  signature: Buffer;
  refcount: number;
}

export interface BrokerObject {
  id: number;
  path?: string;
  /** null for ubusd's own objects (the event object). */
  client: BrokerClientRef | null;
  type?: BrokerType;
  subscribers: Set<BrokerObject>;
  targets: Set<BrokerObject>;
  invokeSeq: number;
  /** Set by the event dispatcher to send an event once per object. */
  eventSeen: number;
  /** This object's event patterns, so that freeing it does not scan everyone's. */
  events: EventSource[];
}

export interface EventSource {
  pattern: string;
  partial: boolean;
  obj: BrokerObject;
}

/** A random u32 id >= 1024 not in use, as ubus_alloc_id does. */
function allocId(used: Map<number, unknown>): number {
  for (;;) {
    const id = randomInt(UBUS_SYSTEM_OBJECT_MAX, 0x100000000);
    if (!used.has(id)) return id;
  }
}

export class BrokerRegistry {
  readonly clients = new Map<number, BrokerClientRef>();
  readonly objects = new Map<number, BrokerObject>();
  readonly types = new Map<number, BrokerType>();
  readonly paths = new Map<string, BrokerObject>();
  /** Exact patterns by event name, and the prefix ('*') patterns: an event looks up the first and scans only the second. */
  private readonly exactEvents = new Map<string, Set<EventSource>>();
  private readonly partialEvents = new Set<EventSource>();
  private eventRound = 1;

  newClientId(): number {
    return allocId(this.clients);
  }

  /** The fixed-id system object (UBUS_SYSTEM_OBJECT_EVENT). */
  addSystemObject(id: number): BrokerObject {
    const obj = this.makeObject(id, null);
    this.objects.set(id, obj);
    return obj;
  }

  private makeObject(id: number, client: BrokerClientRef | null): BrokerObject {
    return { id, client, subscribers: new Set(), targets: new Set(), invokeSeq: 0, eventSeen: 0, events: [] };
  }

  /**
   * Validates a signature: every method a named blobmsg attribute, and every
   * argument inside it valid blobmsg of a known type; null when not. ubusd
   * checks only the methods and keeps an object whose signature fails without
   * a type, so that `ubus list` leaves it out; refusing it here says so to
   * the publisher instead.
   */
  createType(signature: Buffer): BrokerType | null {
    try {
      forEachBlobAttr(signature, 0, signature.length, 'signature', (a) => {
        const m = resolveBlobmsg(signature, a, 'signature');
        if (!m.name) throw new Error('unnamed method');
        checkNested(signature, m.type, m.dataStart, m.dataEnd, 1);
      });
    } catch {
      return null;
    }
    const type: BrokerType = { id: allocId(this.types), signature: Buffer.from(signature), refcount: 0 };
    this.types.set(type.id, type);
    return type;
  }

  /** ubusd_create_object: null when the type is unknown/malformed or the path is taken. */
  createObject(client: BrokerClientRef, path: string | undefined, typeId: number | undefined, signature: Buffer | undefined): BrokerObject | null {
    let type: BrokerType | undefined;
    if (typeId !== undefined) {
      type = this.types.get(typeId);
      if (!type) return null;
    } else if (signature !== undefined) {
      type = this.createType(signature) ?? undefined;
      if (!type) return null;
    }
    if (path !== undefined && this.paths.has(path)) {
      if (type && type.refcount === 0) this.types.delete(type.id);
      return null;
    }
    const obj = this.makeObject(allocId(this.objects), client);
    obj.type = type;
    if (type) type.refcount++;
    this.objects.set(obj.id, obj);
    if (path !== undefined) {
      obj.path = path;
      this.paths.set(path, obj);
    }
    client.objects.add(obj);
    return obj;
  }

  /** Removes an object; returns the subscribers that must be told (UNSUBSCRIBE) and targets whose last subscriber left. */
  freeObject(obj: BrokerObject): { unsubscribed: BrokerObject[]; targetsNowIdle: BrokerObject[] } {
    const targetsNowIdle: BrokerObject[] = [];
    for (const t of obj.targets) {
      t.subscribers.delete(obj);
      if (t.subscribers.size === 0) targetsNowIdle.push(t);
    }
    obj.targets.clear();
    const unsubscribed = [...obj.subscribers];
    for (const s of unsubscribed) s.targets.delete(obj);
    obj.subscribers.clear();
    for (const ev of obj.events) this.removeEventSource(ev);
    obj.events = [];
    if (obj.path !== undefined && this.paths.get(obj.path) === obj) this.paths.delete(obj.path);
    this.objects.delete(obj.id);
    obj.client?.objects.delete(obj);
    if (obj.type && --obj.type.refcount <= 0) this.types.delete(obj.type.id);
    return { unsubscribed, targetsNowIdle };
  }

  /** Returns true when this is the target's first subscriber. */
  subscribe(subscriber: BrokerObject, target: BrokerObject): boolean {
    const first = target.subscribers.size === 0;
    target.subscribers.add(subscriber);
    subscriber.targets.add(target);
    return first;
  }

  /** Returns true when the target has no subscriber left. */
  unsubscribe(subscriber: BrokerObject, target: BrokerObject): boolean {
    target.subscribers.delete(subscriber);
    subscriber.targets.delete(target);
    return target.subscribers.size === 0;
  }

  addEventPattern(obj: BrokerObject, pattern: string): void {
    const partial = pattern.endsWith('*');
    const ev: EventSource = { obj, pattern: partial ? pattern.slice(0, -1) : pattern, partial };
    obj.events.push(ev);
    if (partial) {
      this.partialEvents.add(ev);
      return;
    }
    let set = this.exactEvents.get(ev.pattern);
    if (!set) this.exactEvents.set(ev.pattern, (set = new Set()));
    set.add(ev);
  }

  private removeEventSource(ev: EventSource): void {
    if (ev.partial) {
      this.partialEvents.delete(ev);
      return;
    }
    const set = this.exactEvents.get(ev.pattern);
    if (!set) return;
    set.delete(ev);
    if (set.size === 0) this.exactEvents.delete(ev.pattern);
  }

  /** Number of registered event patterns (exact and prefix). */
  get eventPatternCount(): number {
    let n = this.partialEvents.size;
    for (const set of this.exactEvents.values()) n += set.size;
    return n;
  }

  /** Objects that receive event `id`: full match, or a prefix pattern ending in '*'; once each, never the sender's own. */
  eventTargets(id: string, sender: BrokerClientRef | null): BrokerObject[] {
    const round = ++this.eventRound;
    const out: BrokerObject[] = [];
    const take = (ev: EventSource): void => {
      if (ev.obj.client === sender || ev.obj.eventSeen === round) return;
      ev.obj.eventSeen = round;
      out.push(ev.obj);
    };
    const exact = this.exactEvents.get(id);
    if (exact) for (const ev of exact) take(ev);
    for (const ev of this.partialEvents) if (id.startsWith(ev.pattern)) take(ev);
    return out;
  }

  /** Objects with a path and a type, sorted by path; a trailing '*' in prefix selects by prefix. */
  lookup(path: string | undefined): BrokerObject[] {
    if (path === undefined) return this.sortedPaths(() => true);
    if (!path.endsWith('*')) {
      const obj = this.paths.get(path);
      return obj ? [obj] : [];
    }
    const prefix = path.slice(0, -1);
    return this.sortedPaths((p) => p.startsWith(prefix));
  }

  private sortedPaths(keep: (p: string) => boolean): BrokerObject[] {
    const keys = [...this.paths.keys()].filter(keep).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return keys.map((k) => this.paths.get(k)!);
  }
}

/** Every child of a table (named) or array inside a signature must be valid blobmsg of a known type. */
function checkNested(buf: Buffer, type: number, start: number, end: number, depth: number): void {
  if (type !== BlobmsgType.TABLE && type !== BlobmsgType.ARRAY) return;
  if (depth > BLOBMSG_MAX_DEPTH) throw new Error('signature nested too deeply');
  forEachBlobAttr(buf, start, end, 'signature', (c) => {
    const m = resolveBlobmsg(buf, c, 'signature');
    if (type === BlobmsgType.TABLE && !m.name) throw new Error('unnamed argument');
    checkNested(buf, m.type, m.dataStart, m.dataEnd, depth + 1);
  });
}
