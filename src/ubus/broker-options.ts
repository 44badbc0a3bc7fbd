/** Options and figures of UbusBroker, and the budget its peers share. */
import type { BrokerBudget } from './broker-peer.js';
import type { UbusLogger } from './logger.js';
import { UBUS_MAX_MSGLEN } from './constants.js';

export interface UbusBrokerOptions {
  socketPath?: string;
  logger?: UbusLogger;
  /**
   * Per client: once this many bytes wait to be read, further messages to it
   * are dropped, as ubusd drops them (default UBUS_MAX_MSGLEN, 1 MiB; a
   * message to an empty queue is always taken).
   */
  maxQueuedBytes?: number;
  /** All clients together (default 32 MiB). */
  maxTotalQueuedBytes?: number;
  /** Unfinished incoming frames of all clients together; the client going beyond is dropped (default 32 MiB). */
  maxTotalPartialBytes?: number;
  /** A client whose frame stays unfinished this long is dropped (ms, default 10000). */
  frameTimeoutMs?: number;
  /** Clients at once (default: the fd limit minus a reserve); see evictIdle. */
  maxClients?: number;
}

export interface UbusBrokerStats {
  clients: number;
  /** Bytes waiting for clients to read them. */
  queuedBytes: number;
  /** Bytes of unfinished incoming frames. */
  partialBytes: number;
  /** Messages dropped so far because their client did not read. */
  droppedMessages: number;
  eventPatterns: number;
  objects: number;
}

export function budgetFrom(options: UbusBrokerOptions): BrokerBudget {
  return {
    maxQueuedBytes: options.maxQueuedBytes ?? UBUS_MAX_MSGLEN,
    maxTotalQueuedBytes: options.maxTotalQueuedBytes ?? 32 * 1024 * 1024,
    maxTotalPartialBytes: options.maxTotalPartialBytes ?? 32 * 1024 * 1024,
    frameTimeoutMs: options.frameTimeoutMs ?? 10000,
    queuedBytes: 0,
    partialBytes: 0,
  };
}
