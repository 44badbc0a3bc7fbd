/**
 * One error base class for modemflow with a stable machine-readable `code`;
 * callers branch on `code`, never on the message.
 */
export class ModemflowError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModemflowError';
    this.code = code;
  }
}

/** A value that is either a result or a list of problems (expected failures are values). */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; errors: E[] };
