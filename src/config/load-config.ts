import { readFileSync } from 'node:fs';
import type { ConfigProblem, ConfigResult } from './problems.js';
import { parseUci } from '../uci/index.js';
import { configFromUci } from './build-config.js';
import type { MarkUser } from './mark-users.js';
import { KNOWN_MARK_USERS, configuredMarkUsers } from './mark-users.js';

export const CONFIG_PACKAGE = 'modemflow';
export const DEFAULT_CONFIG_DIR = '/etc/config';

/** The configuration from the text of a modemflow UCI file. */
export function parseConfig(text: string | Uint8Array, file: string, markUsers: readonly MarkUser[] = KNOWN_MARK_USERS): ConfigResult {
  const parsed = parseUci(text, file, { packageName: CONFIG_PACKAGE });
  if (!parsed.ok) {
    const e = parsed.errors[0]!;
    const problem: ConfigProblem = {
      severity: 'error',
      file,
      line: e.pos.line,
      section: '',
      option: null,
      message: `UCI syntax error at column ${e.pos.column}: ${e.reason}`,
    };
    return { ok: false, errors: [problem], warnings: [] };
  }
  return configFromUci(parsed.package, file, markUsers);
}

/**
 * Reads <dir>/modemflow as committed (uncommitted `uci set` changes in
 * /tmp/.uci are not applied: the daemon runs what was committed).
 */
export function loadConfig(dir: string = DEFAULT_CONFIG_DIR): ConfigResult {
  const file = `${dir.replace(/\/+$/, '') || '/'}/${CONFIG_PACKAGE}`;
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const problem: ConfigProblem = { severity: 'error', file, line: null, section: '', option: null, message: `cannot read the file (${code})` };
    return { ok: false, errors: [problem], warnings: [] };
  }
  return parseConfig(text, file, [...KNOWN_MARK_USERS, ...configuredMarkUsers(dir)]);
}
