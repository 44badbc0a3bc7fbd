/**
 * The logger this library writes to; structurally the same as modemflow's
 * Logger port, so the daemon passes its own. Defined here because src/ubus
 * imports nothing from the rest of src.
 */
export type UbusLogFields = Record<string, string | number | boolean | null | undefined>;

export interface UbusLogger {
  error(msg: string, fields?: UbusLogFields): void;
  warn(msg: string, fields?: UbusLogFields): void;
  info(msg: string, fields?: UbusLogFields): void;
  debug(msg: string, fields?: UbusLogFields): void;
}

const noop = (): void => {};

export const silentLogger: UbusLogger = { error: noop, warn: noop, info: noop, debug: noop };

/** Timers as an option, so tests and embedders can substitute them. */
export interface UbusTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: UbusTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
