/** A self-contained UCI library: parse, edit, print and store OpenWrt configuration files like libuci and `uci`. */
export type { UciOption, UciPackage, UciParseError, UciPosition, UciSection } from './types.js';
export { emptyPackage, formatParseError, uciParseMessage } from './types.js';
export type { ParseOptions, ParseResult } from './parser.js';
export { parseUci } from './parser.js';
export type { ExportOptions, ShowOptions } from './export.js';
export { exportUci, showOption, showSection, showUci, showValue, uciEscape, uciQuote } from './export.js';
export type { UciLookup, UciPtr, UciStatus } from './ptr.js';
export { UCI_ERROR_TEXT, lookupExtSection, lookupPtr, parsePtr } from './ptr.js';
export type { UciDelta, UciDeltaCmd } from './delta.js';
export { filterDeltaFile, formatChange, formatDelta, parseDeltaFile } from './delta.js';
export type { UciEditCmd } from './commands.js';
export { applyDelta, uciAddSection, uciEdit } from './commands.js';
export type { UciFs, UciLoadResult, UciStoreOptions } from './store.js';
export { DEFAULT_CONFDIR, DEFAULT_SAVEDIR, UciStore } from './store.js';
export { isConfigName, isValidName, isValidPackage, isValidText, isValidType } from './validate.js';
export { HOST_CHAR_SIGNED, anonymousSectionName } from './anon-name.js';
export { decodeUci, encodeUci, uciByteLength } from './bytes.js';
export { findOption, findSection, stripPositions } from './tree-ops.js';
