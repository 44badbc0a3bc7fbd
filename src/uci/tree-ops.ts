import type { UciOption, UciPackage, UciPosition, UciSection } from './types.js';
import { anonymousSectionName } from './anon-name.js';
import { uciByteLength } from './bytes.js';

/**
 * Tree edits with libuci's semantics (list.c). Kept apart from delta
 * recording so that the file parser, the delta replay and the CLI share them.
 */

export function findSection(pkg: UciPackage, name: string): UciSection | undefined {
  return pkg.sections.find((s) => s.name === name);
}

export function findOption(sec: UciSection, name: string): UciOption | undefined {
  return sec.options.find((o) => o.name === name);
}

/** uci_add_section: a new anonymous section at the end, named from the counter and type. */
export function addAnonymousSection(pkg: UciPackage, type: string, pos?: UciPosition): UciSection {
  pkg.sectionCounter++;
  const sec: UciSection = { name: anonymousSectionName(pkg.sectionCounter, type), type, anonymous: true, options: [] };
  if (pos) sec.pos = pos;
  pkg.sections.push(sec);
  return sec;
}

export function addNamedSection(pkg: UciPackage, name: string, type: string, pos?: UciPosition): UciSection {
  pkg.sectionCounter++;
  const sec: UciSection = { name, type, anonymous: false, options: [] };
  if (pos) sec.pos = pos;
  pkg.sections.push(sec);
  return sec;
}

/**
 * uci_set on an existing section: changes its type. libuci rewrites the type
 * in place when the length is unchanged and otherwise re-creates the section
 * under its current name, which drops the anonymous flag; we mirror that so
 * that output stays byte-identical.
 */
export function changeSectionType(sec: UciSection, type: string): void {
  if (sec.type === type) return;
  if (uciByteLength(sec.type) !== uciByteLength(type)) sec.anonymous = false;
  sec.type = type;
}

/**
 * Where option `name` stands in sec.options. The parser passes an index of
 * the section it fills (options are only appended or replaced in place
 * there), so a section of 100,000 options parses in linear time.
 */
export type OptionIndex = Map<string, number>;

function optionAt(sec: UciSection, name: string, index?: OptionIndex): number {
  if (index) return index.get(name) ?? -1;
  return sec.options.findIndex((o) => o.name === name);
}

function appendOption(sec: UciSection, opt: UciOption, index?: OptionIndex): void {
  index?.set(opt.name, sec.options.length);
  sec.options.push(opt);
}

/** uci_set on an option with a non-empty value: new options go last, replaced ones keep their place. */
export function setOptionValue(sec: UciSection, name: string, value: string, pos?: UciPosition, index?: OptionIndex): void {
  const idx = optionAt(sec, name, index);
  const opt: UciOption = { name, value };
  if (pos) opt.pos = pos;
  if (idx < 0) {
    appendOption(sec, opt, index);
    return;
  }
  const old = sec.options[idx]!;
  if (typeof old.value === 'string' && old.value === value) return;
  sec.options[idx] = opt;
}

/** uci_add_list: append to a list; a string option becomes a list of [old, new] in its place. */
export function addListValue(sec: UciSection, name: string, value: string, pos?: UciPosition, index?: OptionIndex): void {
  const idx = optionAt(sec, name, index);
  if (idx < 0) {
    const opt: UciOption = { name, value: [value] };
    if (pos) {
      opt.pos = pos;
      opt.itemPos = [pos];
    }
    appendOption(sec, opt, index);
    return;
  }
  const old = sec.options[idx]!;
  if (Array.isArray(old.value)) {
    old.value.push(value);
    if (old.itemPos && pos) old.itemPos.push(pos);
    else delete old.itemPos;
    return;
  }
  const opt: UciOption = { name, value: [old.value, value] };
  const first = old.pos ?? pos;
  if (first) opt.pos = first;
  if (old.pos && pos) opt.itemPos = [old.pos, pos];
  sec.options[idx] = opt;
}

/** uci_del_list: removes every item equal to value; returns whether the option is a list. */
export function delListValue(sec: UciSection, name: string, value: string): boolean {
  const opt = findOption(sec, name);
  if (!opt || !Array.isArray(opt.value)) return false;
  const keep: string[] = [];
  const keepPos: UciPosition[] = [];
  opt.value.forEach((v, i) => {
    if (v === value) return;
    keep.push(v);
    const p = opt.itemPos?.[i];
    if (p) keepPos.push(p);
  });
  opt.value = keep;
  if (opt.itemPos) opt.itemPos = keepPos;
  return true;
}

export function deleteOption(sec: UciSection, name: string): void {
  sec.options = sec.options.filter((o) => o.name !== name);
}

export function deleteSection(pkg: UciPackage, sec: UciSection): void {
  pkg.sections = pkg.sections.filter((s) => s !== sec);
}

/** Removes the index-th list item; returns whether something was removed. */
export function deleteListIndex(opt: UciOption, index: number): boolean {
  if (!Array.isArray(opt.value) || index < 0 || index >= opt.value.length) return false;
  opt.value.splice(index, 1);
  opt.itemPos?.splice(index, 1);
  return true;
}

/** uci_reorder_section: move to position pos (0 = first); past the end means last. */
export function reorderSection(pkg: UciPackage, sec: UciSection, pos: number): void {
  const rest = pkg.sections.filter((s) => s !== sec);
  const at = Math.max(0, Math.min(pos, rest.length));
  rest.splice(at, 0, sec);
  pkg.sections = rest;
}

/** A deep copy without positions: what two trees are compared on. */
export function stripPositions(pkg: UciPackage): UciPackage {
  return {
    name: pkg.name,
    sectionCounter: pkg.sectionCounter,
    sections: pkg.sections.map((s) => ({
      name: s.name,
      type: s.type,
      anonymous: s.anonymous,
      options: s.options.map((o) => ({ name: o.name, value: Array.isArray(o.value) ? [...o.value] : o.value })),
    })),
  };
}
