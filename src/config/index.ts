/** The modemflow configuration: schema, defaults, validation, diff and the last-good keeper. */
export type { ConfigProblem, ConfigResult } from './problems.js';
export { formatProblem } from './problems.js';
export type { OptionSchema, OptionType, SectionSchema } from './schema.js';
export { DEFAULT_RULE_PRIORITY_BASE, DEFAULT_TABLE_BASE, RULE_PRIORITY_SPAN, SCHEMA, sectionSchema } from './schema.js';
export { configFromUci } from './build-config.js';
export { CONFIG_PACKAGE, DEFAULT_CONFIG_DIR, loadConfig, parseConfig } from './load-config.js';
export type { ConfigDiff } from './diff.js';
export { diffConfig } from './diff.js';
export type { OfferOutcome } from './keeper.js';
export { ConfigKeeper } from './keeper.js';
export type { StringFormat } from './formats.js';
export { checkFormat, dscpValue, portRange } from './formats.js';
