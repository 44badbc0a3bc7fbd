import type { Result } from '../model/errors.js';
import type { TfapInstance } from '../model/tfap.js';
import { INSTANCE_LIMITS, parseInstance } from './parse-instance.js';

/**
 * A TFAP instance from JSON text, refusing hostile shapes before JSON.parse
 * builds them: text longer than the size cap, nesting deeper than any
 * instance needs (an instance is 5 levels deep; deep nesting would overflow
 * the stack of whatever walks it), or more JSON values than the element caps
 * allow (millions of tiny elements cost far more memory as objects than as
 * text). The scan is one linear pass that keeps no state but a depth.
 */

export interface TextLimits {
  /** Bytes of JSON text (UTF-8). */
  maxBytes: number;
  /** Levels of [ and { nesting. */
  maxDepth: number;
  /** JSON values (objects, arrays, strings, numbers, literals) in all. */
  maxValues: number;
}

export const TEXT_LIMITS: TextLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 32,
  // 100,000 flows of 5 fields and 1,000 interfaces x 100 bearers of 9 fields fit.
  maxValues: 2_000_000,
};

const MIB = 1024 * 1024;

export function describeBytes(n: number): string {
  return n >= MIB ? `${(n / MIB).toFixed(1)} MiB` : `${n} bytes`;
}

/** Line of a character offset (1-based), for error messages. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) line++;
  return line;
}

/**
 * Checks size, depth and value count of JSON text without parsing it. Ignores
 * what JSON.parse will reject anyway (it only has to be safe to hand over).
 */
export function checkJsonShape(text: string, lim: TextLimits = TEXT_LIMITS): string | undefined {
  // Characters <= bytes; only text near the cap needs the exact UTF-8 length.
  if (text.length > lim.maxBytes || (text.length * 3 > lim.maxBytes && Buffer.byteLength(text, 'utf8') > lim.maxBytes)) {
    return `the instance is larger than ${describeBytes(lim.maxBytes)} (${describeBytes(Buffer.byteLength(text, 'utf8'))})`;
  }
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let k = 0; k < text.length; k++) {
    const ch = text.charCodeAt(k);
    if (inString) {
      if (ch === 0x5c /* \ */) k++;
      else if (ch === 0x22 /* " */) inString = false;
      continue;
    }
    switch (ch) {
      case 0x22: // "
        inString = true;
        values++;
        break;
      case 0x5b: // [
      case 0x7b: // {
        values++;
        if (++depth > lim.maxDepth) return `line ${lineAt(text, k)}: nesting deeper than ${lim.maxDepth} levels (an instance needs 5)`;
        break;
      case 0x5d: // ]
      case 0x7d: // }
        depth--;
        break;
      case 0x2c: // , separates values: each one after it is counted at its first character
      case 0x3a: // :
      case 0x20:
      case 0x0a:
      case 0x0d:
      case 0x09:
        break;
      default: {
        // A number or literal: count it once, at its first character.
        const prev = k > 0 ? text.charCodeAt(k - 1) : 0x20;
        if (prev === 0x2c || prev === 0x3a || prev === 0x5b || prev === 0x20 || prev === 0x0a || prev === 0x0d || prev === 0x09) values++;
      }
    }
    if (values > lim.maxValues) {
      return `more than ${lim.maxValues.toLocaleString('en')} JSON values (at most ${INSTANCE_LIMITS.maxInterfaces} interfaces, ${INSTANCE_LIMITS.maxBearers} bearers and ${INSTANCE_LIMITS.maxFlows} flows)`;
    }
  }
  return undefined;
}

/**
 * Parses and validates instance text. Errors are the size/shape refusal, the
 * JSON syntax error, or parseInstance's field errors (first few and a count).
 */
export function parseInstanceText(text: string, lim: TextLimits = TEXT_LIMITS): Result<TfapInstance> {
  const shape = checkJsonShape(text, lim);
  if (shape !== undefined) return { ok: false, errors: [shape] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`not valid JSON: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`] };
  }
  return parseInstance(json);
}
