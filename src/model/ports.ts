/**
 * The small interfaces behind which every OS side effect sits. Decision code
 * takes these (or plain data) as arguments; `src/os/` has the Linux
 * implementations and recording fakes, and only `daemon/main.ts` and the CLI
 * construct the real ones.
 */

/** Time as an argument: pure code never reads Date or timers itself. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds (for intervals and timeouts). */
  monotonicMs(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: number;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** One line per event; `fields` names what it concerns (modem, flow, ...). */
export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface CommandResult {
  /** Exit code; null when killed by a signal or timed out. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  /** Written to the program's stdin (e.g. `nft -f -`, `ip -batch -`). */
  input?: string;
  timeoutMs?: number;
  /** Run inside a network namespace (`ip netns exec NAME`); used by the test bed. */
  netns?: string;
}

/** Runs a program with an argument array (never a shell string). Never throws for a non-zero exit. */
export interface CommandRunner {
  run(program: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

/** Line-streaming child process (e.g. `conntrack -E`, `ping`). */
export interface ProcessSpawner {
  spawn(program: string, args: readonly string[], handlers: SpawnHandlers, options?: { netns?: string }): SpawnedProcess;
}

export interface SpawnHandlers {
  onLine(line: string): void;
  onExit(code: number | null, signal: string | null): void;
  onStderr?(line: string): void;
}

export interface SpawnedProcess {
  readonly pid: number | undefined;
  kill(signal?: NodeJSSignal): void;
}

export type NodeJSSignal = 'SIGTERM' | 'SIGKILL' | 'SIGINT' | 'SIGHUP';

/** ubus `call` as the metrics, power and routing code needs it. The ubus client satisfies it. */
export interface UbusCaller {
  /** Resolves to the reply's data (an empty object when the method sent none); rejects on a status other than OK or on timeout. */
  call(path: string, method: string, args?: Record<string, unknown>, options?: { timeoutMs?: number }): Promise<Record<string, unknown>>;
}

/** Read-only view of sysfs/procfs-like trees (power_supply, hwmon, net statistics). */
export interface SysfsReader {
  /** File content without the trailing newline, or null when the file does not exist. */
  read(path: string): Promise<string | null>;
  /** Entry names of a directory, or [] when it does not exist. */
  list(path: string): Promise<string[]>;
}
