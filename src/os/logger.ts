import type { LogFields, Logger, LogLevel } from '../model/ports.js';

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

function formatFields(fields?: LogFields): string {
  if (!fields) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = String(v);
    parts.push(`${k}=${/[\s"=]/.test(s) ? JSON.stringify(s) : s}`);
  }
  return parts.length ? ' ' + parts.join(' ') : '';
}

/** One line per event: `level message key=value ...` to a writable (stderr; procd sends it to logd). */
export class LineLogger implements Logger {
  constructor(
    private readonly write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
    private level: LogLevel = 'info',
  ) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  private emit(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVELS[level] > LEVELS[this.level]) return;
    this.write(`${level} ${msg}${formatFields(fields)}`);
  }

  error(msg: string, fields?: LogFields): void { this.emit('error', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.emit('warn', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.emit('info', msg, fields); }
  debug(msg: string, fields?: LogFields): void { this.emit('debug', msg, fields); }
}

export interface LogEntry {
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

/** Keeps entries in memory; tests assert on them. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];
  error(msg: string, fields: LogFields = {}): void { this.entries.push({ level: 'error', msg, fields }); }
  warn(msg: string, fields: LogFields = {}): void { this.entries.push({ level: 'warn', msg, fields }); }
  info(msg: string, fields: LogFields = {}): void { this.entries.push({ level: 'info', msg, fields }); }
  debug(msg: string, fields: LogFields = {}): void { this.entries.push({ level: 'debug', msg, fields }); }
  at(level: LogLevel): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }
}
