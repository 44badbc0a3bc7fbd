/**
 * Config files are bytes, not UTF-8: a Latin-1 SSID must come back out of a
 * commit exactly as it went in. Strings in the UCI tree are the UTF-8
 * decoding of the file, except that every byte that is not part of a valid
 * UTF-8 sequence becomes the lone surrogate U+DC80 + byte (valid UTF-8 never
 * decodes to a lone surrogate), so that encodeUci(decodeUci(b)) is b for
 * every byte string and valid text stays ordinary text for consumers.
 */

const ESCAPE_BASE = 0xdc00;
/** A low surrogate U+DC80..U+DCFF that does not follow a high surrogate: one escaped byte. */
const LONE_ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
const LONE_ESCAPE_ALL = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Length of the valid UTF-8 sequence starting at i, or 0 when the byte there starts none. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) need = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c === 0xe0) lo = 0xa0; // overlong
    if (c === 0xed) hi = 0x9f; // UTF-16 surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c === 0xf0) lo = 0x90; // overlong
    if (c === 0xf4) hi = 0x8f; // above U+10FFFF
  } else return 0;
  const second = b[i + 1];
  if (second === undefined || second < lo || second > hi) return 0;
  for (let k = 2; k <= need; k++) {
    const next = b[i + k];
    if (next === undefined || next < 0x80 || next > 0xbf) return 0;
  }
  return need + 1;
}

/** Bytes to a string, losslessly (see the file comment). */
export function decodeUci(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // falls through to the byte-by-byte path
  }
  const parts: string[] = [];
  let runStart = 0;
  let i = 0;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (runStart < i) parts.push(buf.toString('utf8', runStart, i));
    parts.push(String.fromCharCode(ESCAPE_BASE + bytes[i]!));
    i++;
    runStart = i;
  }
  if (runStart < bytes.length) parts.push(buf.toString('utf8', runStart, bytes.length));
  return parts.join('');
}

/** A string back to the bytes it came from (valid text as UTF-8, escaped bytes as themselves). */
export function encodeUci(text: string): Buffer {
  if (!LONE_ESCAPE.test(text)) return Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(LONE_ESCAPE_ALL)) {
    if (m.index > last) chunks.push(Buffer.from(text.slice(last, m.index), 'utf8'));
    chunks.push(Buffer.of(m[0].charCodeAt(0) - ESCAPE_BASE));
    last = m.index + 1;
  }
  if (last < text.length) chunks.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(chunks);
}

/** The number of bytes encodeUci gives, without building them. */
export function uciByteLength(text: string): number {
  if (!LONE_ESCAPE.test(text)) return Buffer.byteLength(text, 'utf8');
  return encodeUci(text).length;
}
