// What the rest of modemflow uses from src/flows.
export { FlowTracker } from './flow-tracker.js';
export type { FlowTrackerDeps, FlowTrackerStatus } from './flow-tracker.js';
export type { FlowTrackerOptions } from './tracker-options.js';
export { resolveTrackerOptions } from './tracker-options.js';
export { toSolverFlows } from './solver-flows.js';
export { classList, classify, compileClasses } from './classifier.js';
export type { Classification, ClassifyContext, CompiledClasses, ConnectionFacts } from './classifier.js';
export { DEFAULT_MEASURE_MIN_AGE_S, DEFAULT_OWN_GROUP_THRESHOLDS, groupId } from './grouping.js';
export type { ExclusionReason, GroupingOptions, OwnGroupThresholds } from './grouping.js';
export type { ConnectionView } from './connection-table.js';
export type { ConntrackEntry, ConntrackEvent } from './conntrack-entry.js';
export { parseConntrackEntry, parseConntrackEvent, parseConntrackListing } from './conntrack-parser.js';
export type { AccountingState } from './conntrack-source.js';
