/** Golden vectors are written as annotated lines: "00 01 02   # what these bytes are". */
export function bytes(...lines: string[]): Buffer {
  const hex = lines.map((l) => l.split('#')[0]!.replace(/\s+/g, '')).join('');
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error(`bad hex in vector: ${hex}`);
  return Buffer.from(hex, 'hex');
}

/** Deterministic PRNG (mulberry32) for fuzzing: the seed is printed with failures. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
