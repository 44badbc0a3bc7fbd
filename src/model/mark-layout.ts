/**
 * How modemflow uses the bits of the packet/conntrack mark it owns
 * (globals.markMask, default 0x0fff0000). Within the mask, counting from its
 * lowest set bit:
 *   bits 0-3   modem slot: 1..15 = the modem with that slot, 0 = not placed;
 *   bits 4-11  class index: 1..255 = position in the class list + 1, 0 = not classified.
 * The kernel ruleset (src/routing) writes these; src/flows reads them back from
 * conntrack, so kernel and userspace agree on class and modem of a connection.
 */
export const DEFAULT_MARK_MASK = 0x0fff0000;
export const SLOT_BITS = 4;
export const CLASS_BITS = 8;
export const MAX_MODEM_SLOTS = (1 << SLOT_BITS) - 1;
export const MAX_CLASSES = (1 << CLASS_BITS) - 1;

export interface MarkLayout {
  mask: number;
  shift: number;
  /** Bits holding the modem slot (already shifted into place). */
  slotMask: number;
  /** Bits holding the class index (already shifted into place). */
  classMask: number;
}

/** Null when the mask does not hold 12 contiguous bits starting at its lowest set bit. */
export function markLayout(mask: number): MarkLayout | null {
  if (!Number.isInteger(mask) || mask <= 0 || mask > 0xffffffff) return null;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const need = SLOT_BITS + CLASS_BITS;
  if (shift + need > 32) return null;
  const field = (((1 << need) - 1) << shift) >>> 0;
  if (((mask & field) >>> 0) !== field) return null;
  return {
    mask: field,
    shift,
    slotMask: ((MAX_MODEM_SLOTS << shift) >>> 0),
    classMask: ((MAX_CLASSES << (shift + SLOT_BITS)) >>> 0),
  };
}

export function encodeMark(layout: MarkLayout, slot: number, classIndex: number): number {
  if (slot < 0 || slot > MAX_MODEM_SLOTS || classIndex < 0 || classIndex > MAX_CLASSES) {
    throw new RangeError(`mark fields out of range: slot ${slot}, class ${classIndex}`);
  }
  return (((slot << layout.shift) | (classIndex << (layout.shift + SLOT_BITS))) >>> 0);
}

export function decodeMark(layout: MarkLayout, mark: number): { slot: number; classIndex: number } {
  return {
    slot: ((mark & layout.slotMask) >>> layout.shift),
    classIndex: ((mark & layout.classMask) >>> (layout.shift + SLOT_BITS)),
  };
}
