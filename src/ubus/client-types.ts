/** Options and handles of UbusClient. */
import type { UbusError } from './errors.js';
import type { UbusMonitorAttrs } from './message.js';
import type { UbusLogger, UbusTimers } from './logger.js';
import type { UbusTransport } from './transport.js';

export interface UbusReconnectOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
}

export interface UbusClientOptions {
  /** Default /var/run/ubus/ubus.sock; ignored when transport is given. */
  socketPath?: string;
  transport?: UbusTransport;
  logger?: UbusLogger;
  timers?: UbusTimers;
  /** Timeout of call/lookup/... when the caller gives none (ms, default 30000 as the ubus tool). */
  defaultTimeoutMs?: number;
  /** How long to wait for ubusd's HELLO (ms, default 5000). */
  connectTimeoutMs?: number;
  /** Reconnect after a lost connection (default on: 100 ms doubling up to 5 s); false: stay down. */
  reconnect?: false | UbusReconnectOptions;
  /** Called after every successful (re)connection and re-registration. */
  onConnect?: () => void;
  onDisconnect?: (err: UbusError) => void;
}

export interface UbusCallOptions {
  timeoutMs?: number;
}

export type UbusEventHandler = (type: string, data: Record<string, unknown>, raw: Buffer) => void;
export type UbusNotifyHandler = (type: string, data: Record<string, unknown>, raw: Buffer) => void;

export interface UbusListener {
  readonly pattern: string;
  remove(): Promise<void>;
}

export interface UbusSubscription {
  readonly path: string;
  /** Whether the target object currently exists and we are subscribed to it. */
  readonly active: boolean;
  remove(): Promise<void>;
}

/** One message seen by ubusd's monitor. */
export type UbusMonitorHandler = (msg: UbusMonitorAttrs) => void;

export interface UbusMonitor {
  stop(): Promise<void>;
}
