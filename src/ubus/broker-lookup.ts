/**
 * The lookups of one client being answered (ubusd's cmd_queue): one DATA per
 * object with a type, then STATUS. Objects are sent while the client's queue
 * is short and the rest follow as it reads, so `ubus list` of many objects
 * costs bounded memory. An object whose reply would exceed UBUS_MAX_MSGLEN is
 * left out (no client could read it); the others are still listed.
 */
import type { BrokerObject, BrokerRegistry } from './broker-registry.js';
import { MsgType, Status } from './constants.js';
import { encodeMessage } from './message.js';

/** A lookup pauses while this many bytes wait for its client (ubusd waits for an empty queue). */
export const LOOKUP_PAUSE_BYTES = 64 * 1024;

interface LookupCmd {
  seq: number;
  peer: number;
  objs: BrokerObject[];
  next: number;
}

export interface LookupSink {
  /** Bytes waiting for the client. */
  queuedBytes(): number;
  isOpen(): boolean;
  sendFrame(frame: Buffer): void;
  sendStatus(seq: number, peer: number, status: number): void;
  oversize(obj: BrokerObject): void;
}

export class LookupQueue {
  private cmds: LookupCmd[] = [];

  get pending(): number {
    return this.cmds.length;
  }

  clear(): void {
    this.cmds = [];
  }

  /** Queues a lookup of objs (already matched); answers at once what fits. */
  add(seq: number, peer: number, objs: BrokerObject[], registry: BrokerRegistry, sink: LookupSink): void {
    this.cmds.push({ seq, peer, objs, next: 0 });
    if (this.cmds.length === 1) this.run(registry, sink);
  }

  /** Goes on answering; returns when done or the client's queue is full. */
  run(registry: BrokerRegistry, sink: LookupSink): void {
    while (this.cmds.length > 0 && sink.isOpen()) {
      const cmd = this.cmds[0]!;
      while (cmd.next < cmd.objs.length) {
        const obj = cmd.objs[cmd.next]!;
        // Gone, or re-registered since the lookup began: skip it.
        if (registry.objects.get(obj.id) !== obj || !obj.type) {
          cmd.next++;
          continue;
        }
        let frame: Buffer;
        try {
          frame = encodeMessage({
            type: MsgType.DATA,
            seq: cmd.seq,
            peer: cmd.peer,
            attrs: { objpath: obj.path, objid: obj.id, objtype: obj.type.id, signature: obj.type.signature },
          });
        } catch {
          sink.oversize(obj);
          cmd.next++;
          continue;
        }
        const queued = sink.queuedBytes();
        if (queued > 0 && queued + frame.length > LOOKUP_PAUSE_BYTES) return;
        cmd.next++;
        sink.sendFrame(frame);
      }
      // The STATUS too waits for room: dropped, it would leave the caller waiting until its timeout.
      if (sink.queuedBytes() > LOOKUP_PAUSE_BYTES) return;
      this.cmds.shift();
      sink.sendStatus(cmd.seq, cmd.peer, Status.OK);
    }
  }
}
