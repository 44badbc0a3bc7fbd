import { encodeUci } from './bytes.js';

/**
 * Names libuci gives anonymous sections (list.c uci_fixup_section): "cfg",
 * the package's section counter as %02x, then the low 16 bits of a djb2
 * hash of the section type as %04x. The hash is taken when the section is
 * created, before it has options, so only the type counts.
 *
 * libuci's djbhash adds each byte as a C `char`, whose sign is the ABI's:
 * signed on x86 and MIPS (a byte >= 0x80 adds byte - 256), unsigned on ARM,
 * AArch64, PowerPC and RISC-V. ASCII types hash the same everywhere; a type
 * with other bytes (only `uci add` takes one) gets the name the router's
 * own libuci would give.
 */

const SIGNED_CHAR_ARCHS: ReadonlySet<string> = new Set(['x64', 'ia32', 'mips', 'mipsel', 'loong64']);

/** Whether `char` is signed on the machine we run on (what the local libuci would do). */
export const HOST_CHAR_SIGNED = SIGNED_CHAR_ARCHS.has(process.arch);

/** djb2 over bytes with libuci's 31-bit fold after every string. */
export function djbHash(hash: number, bytes: Uint8Array, charSigned = HOST_CHAR_SIGNED): number {
  let h = hash === 0xffffffff ? 5381 : hash;
  for (const b of bytes) {
    const c = charSigned && b >= 0x80 ? b - 256 : b;
    h = (Math.imul(h, 33) + c) >>> 0;
  }
  return (h & 0x7fffffff) >>> 0;
}

export function anonymousSectionName(counter: number, type: string, charSigned = HOST_CHAR_SIGNED): string {
  const hash = djbHash(0xffffffff, encodeUci(type), charSigned);
  return `cfg${counter.toString(16).padStart(2, '0')}${(hash % 0x10000).toString(16).padStart(4, '0')}`;
}
