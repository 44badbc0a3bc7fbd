/**
 * Name rules from libuci (util.c): section and option names are [A-Za-z0-9_];
 * package names in a `package` line also allow '-'; section types and
 * package names given on the command line allow any printable ASCII except
 * space; values may hold any character but control characters other than
 * tab, CR and LF.
 */

import { encodeUci } from './bytes.js';

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** libuci's uci_validate_str over bytes. */
export function validateBytes(bytes: Uint8Array, name: boolean, pkg: boolean): boolean {
  if (bytes.length === 0) return false;
  for (const c of bytes) {
    if (isAlnum(c) || c === 0x5f) continue;
    if (c === 0x2d && pkg) continue;
    if (name || c < 33 || c > 126) return false;
  }
  return true;
}

/** libuci's uci_validate_str over the bytes of `str` (see bytes.ts). */
export function validateStr(str: string, name: boolean, pkg: boolean): boolean {
  return validateBytes(encodeUci(str), name, pkg);
}

/** Section and option names. */
export function isValidName(str: string): boolean {
  return validateStr(str, true, false);
}

/** Section types. */
export function isValidType(str: string): boolean {
  return validateStr(str, false, false);
}

/**
 * Package names as libuci's uci_validate_package accepts them in a tuple
 * (any printable ASCII but space, so '/' and '.' pass). libuci then refuses
 * '../x' and reaches outside the config directory with './x' or '/x'; we
 * never do: see isConfigName.
 */
export function isValidPackage(str: string): boolean {
  return validateStr(str, false, true);
}

/**
 * A package name that names a file inside the config directory: what a
 * `package` line accepts (letters, digits, '_' and '-'). Every place that
 * turns a package name into a path checks this, so no name reaches outside.
 */
export function isConfigName(str: string): boolean {
  return validateStr(str, true, true);
}

/** Package names in a `package` line of a file (stricter: names plus '-'). */
export function isValidPackageLine(str: string): boolean {
  return validateStr(str, true, true);
}

/** Values set through the CLI or the API. */
export function isValidText(str: string): boolean {
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}
