/**
 * Names libuci gives anonymous sections (list.c uci_fixup_section): "cfg",
 * the package's section counter as %02x, then the low 16 bits of a djb2
 * hash of the section type as %04x. The hash is taken when the section is
 * created, before it has options, so only the type counts.
 */

/** djb2 over bytes with libuci's 31-bit fold after every string. */
export function djbHash(hash: number, bytes: Uint8Array): number {
  let h = hash === 0xffffffff ? 5381 : hash;
  for (const b of bytes) h = (Math.imul(h, 33) + b) >>> 0;
  return (h & 0x7fffffff) >>> 0;
}

export function anonymousSectionName(counter: number, type: string): string {
  const hash = djbHash(0xffffffff, Buffer.from(type, 'utf8'));
  return `cfg${counter.toString(16).padStart(2, '0')}${(hash % 0x10000).toString(16).padStart(4, '0')}`;
}
