import type { UciPackage, UciSection } from './types.js';
import type { UciDelta } from './delta.js';
import type { UciPtr, UciStatus } from './ptr.js';
import { cScanInt, cStrtol, lookupPtr, parsePtr } from './ptr.js';
import { isValidType } from './validate.js';
import {
  addAnonymousSection,
  addListValue,
  addNamedSection,
  changeSectionType,
  delListValue,
  deleteListIndex,
  deleteOption,
  deleteSection,
  reorderSection,
  setOptionValue,
} from './tree-ops.js';

/**
 * The editing calls of libuci (list.c uci_set, uci_add_list, uci_del_list,
 * uci_delete, uci_rename, uci_add_section, uci_reorder_section) on a loaded
 * package. Each appends the change to `record` when one is given, the way
 * libuci fills p->delta; replaying saved deltas passes none.
 */
export type UciEditCmd = 'set' | 'add_list' | 'del_list' | 'delete' | 'rename' | 'reorder';

function note(record: UciDelta[] | undefined, d: UciDelta): void {
  record?.push(d);
}

export function uciEdit(pkg: UciPackage, cmd: UciEditCmd, ptr: UciPtr, record?: UciDelta[]): UciStatus {
  const look = lookupPtr(pkg, ptr);
  if (look.status !== 'ok') return look.status;
  const sectionName = look.sectionName;
  const sec = look.section;
  switch (cmd) {
    case 'set': {
      const value = ptr.value;
      if (value === null) return 'inval';
      if (!sec && (ptr.option !== null || ptr.section === null)) return 'inval';
      if (ptr.option === null && value !== '' && !isValidType(value)) return 'inval';
      if (value === '') {
        if (!look.complete) return 'ok';
        return uciEdit(pkg, 'delete', { ...ptr, value: null }, record);
      }
      if (ptr.option !== null && sec) {
        const before = look.option;
        if (before && typeof before.value === 'string' && before.value === value) return 'ok';
        setOptionValue(sec, ptr.option, value);
      } else if (!sec) {
        addNamedSection(pkg, sectionName!, value);
      } else {
        if (sec.type === value) return 'ok';
        changeSectionType(sec, value);
      }
      note(record, { cmd: 'change', section: sectionName!, option: ptr.option, value });
      return 'ok';
    }
    case 'add_list': {
      if (!sec || ptr.value === null || ptr.option === null) return 'inval';
      addListValue(sec, ptr.option, ptr.value);
      note(record, { cmd: 'list-add', section: sec.name, option: ptr.option, value: ptr.value });
      return 'ok';
    }
    case 'del_list': {
      if (!sec || ptr.value === null) return 'inval';
      if (ptr.option === null || !look.option || !Array.isArray(look.option.value)) return 'ok';
      note(record, { cmd: 'list-del', section: sec.name, option: ptr.option, value: ptr.value });
      delListValue(sec, ptr.option, ptr.value);
      return 'ok';
    }
    case 'delete': {
      if (!look.complete) return 'notfound';
      if (!sec) return 'inval';
      const opt = look.option;
      if (opt && Array.isArray(opt.value) && ptr.value !== null && ptr.value !== '') {
        const scanned = cScanInt(ptr.value);
        if (scanned === 'none') return 'inval';
        // sscanf returning EOF leaves libuci's index unset; 0 is what it reads in practice.
        const index = scanned === 'eof' ? 0 : scanned;
        if (deleteListIndex(opt, index)) {
          note(record, { cmd: 'remove', section: sec.name, option: ptr.option, value: ptr.value });
        }
        return 'ok';
      }
      note(record, { cmd: 'remove', section: sec.name, option: ptr.option, value: null });
      if (ptr.option !== null) deleteOption(sec, ptr.option);
      else deleteSection(pkg, sec);
      return 'ok';
    }
    case 'rename': {
      if (!look.complete) return 'notfound';
      if (!sec || ptr.value === null) return 'inval';
      note(record, { cmd: 'rename', section: sec.name, option: ptr.option, value: ptr.value });
      if (look.option) look.option.name = ptr.value;
      else {
        sec.name = ptr.value;
        sec.anonymous = false;
      }
      return 'ok';
    }
    case 'reorder': {
      if (!sec || ptr.value === null) return 'notfound';
      const { value: posValue } = cStrtol(ptr.value);
      reorderSection(pkg, sec, posValue < 0 ? Number.MAX_SAFE_INTEGER : posValue);
      note(record, { cmd: 'reorder', section: sec.name, option: null, value: String(posValue) });
      return 'ok';
    }
  }
}

/** uci_add_section: a new anonymous section; returns it (its name is what `uci add` prints). */
export function uciAddSection(pkg: UciPackage, type: string, record?: UciDelta[]): UciSection {
  const sec = addAnonymousSection(pkg, type);
  note(record, { cmd: 'add', section: sec.name, option: null, value: type });
  return sec;
}

/** Applies one saved delta (uci_parse_delta_line); false when libuci would reject it. */
export function applyDelta(pkg: UciPackage, d: UciDelta): boolean {
  const ptr = parsePtr(`${pkg.name}.${d.section}${d.option !== null ? `.${d.option}` : ''}`);
  if (!ptr) return false;
  ptr.value = d.value;
  switch (d.cmd) {
    case 'reorder':
      return uciEdit(pkg, 'reorder', ptr) === 'ok';
    case 'rename':
      return uciEdit(pkg, 'rename', ptr) === 'ok';
    case 'remove':
      return uciEdit(pkg, 'delete', ptr) === 'ok';
    case 'list-add':
      return uciEdit(pkg, 'add_list', ptr) === 'ok';
    case 'list-del':
      return uciEdit(pkg, 'del_list', ptr) === 'ok';
    case 'add':
    case 'change': {
      const status = uciEdit(pkg, 'set', ptr);
      if (status !== 'ok') return false;
      if (d.cmd === 'add' && d.option === null) {
        const sec = pkg.sections.find((s) => s.name === d.section);
        if (sec) sec.anonymous = true;
      }
      return true;
    }
  }
}
