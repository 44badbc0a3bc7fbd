import type { ClassRule, ModemConfig, ModemflowConfig } from '../model/config.js';

/**
 * What changed between two configurations, so the daemon reloads as a diff
 * (like netifd): modems and classes by name, the single sections as a whole.
 */
export interface ConfigDiff {
  modems: { added: string[]; removed: string[]; changed: string[] };
  classes: {
    added: string[];
    removed: string[];
    changed: string[];
    /** The order changed (first match wins, so this alone changes classification). */
    reordered: boolean;
  };
  globals: boolean;
  power: boolean;
  telemetry: boolean;
  /** Nothing at all changed. */
  empty: boolean;
}

/** Deep equality for the plain JSON-like config objects. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function byName<T extends { name: string }>(
  before: readonly T[],
  after: readonly T[],
): { added: string[]; removed: string[]; changed: string[] } {
  const old = new Map(before.map((x) => [x.name, x]));
  const now = new Map(after.map((x) => [x.name, x]));
  return {
    added: after.filter((x) => !old.has(x.name)).map((x) => x.name),
    removed: before.filter((x) => !now.has(x.name)).map((x) => x.name),
    changed: after.filter((x) => old.has(x.name) && !same(old.get(x.name), x)).map((x) => x.name),
  };
}

export function diffConfig(before: ModemflowConfig, after: ModemflowConfig): ConfigDiff {
  const modems = byName<ModemConfig>(before.modems, after.modems);
  const classSets = byName<ClassRule>(before.classes, after.classes);
  const kept = (list: readonly ClassRule[], other: readonly ClassRule[]): string[] =>
    list.filter((c) => other.some((o) => o.name === c.name)).map((c) => c.name);
  const reordered = !same(kept(before.classes, after.classes), kept(after.classes, before.classes));
  const d: ConfigDiff = {
    modems,
    classes: { ...classSets, reordered },
    globals: !same(before.globals, after.globals),
    power: !same(before.power, after.power),
    telemetry: !same(before.telemetry, after.telemetry),
    empty: false,
  };
  d.empty =
    !d.globals && !d.power && !d.telemetry && !reordered &&
    [modems, classSets].every((x) => x.added.length + x.removed.length + x.changed.length === 0);
  return d;
}
