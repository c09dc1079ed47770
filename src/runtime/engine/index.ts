/**
 * The Falco-compatible rule engine: load rules files, compile conditions to closures, and
 * evaluate runtime events into Falco-shaped alerts.
 */
export type { Expr, FilePosition, ItemKind, Loc, Operator, SourceText } from './ast.js';
export type { Filter } from './compile.js';
export { type Alert, alertToJson, Engine, type EngineOptions, type EngineStats } from './engine.js';
export { EventTypeSet, KNOWN_EVENT_TYPES } from './evttypes.js';
export type { FieldDef, Scalar, ValueType } from './fields/field.js';
export { ALL_FIELDS } from './fields/registry.js';
export { type CompileFilterOptions, compileFilter } from './filter.js';
export { describeLoc, FilterError, type FilterErrorCode } from './filter-error.js';
export type { LoadedRule } from './loader/build.js';
export {
  DEFAULT_APPEND_OUTPUT,
  type LoadOptions,
  type LoadResult,
  loadRules,
  type RuleFileInput,
  type RuleSet,
  type ValidationReport,
  validateRules,
} from './loader/load.js';
export { formatLoadMessage, type LoadMessage, type MessageItem } from './loader/messages.js';
export { ENGINE_VERSION_TEXT } from './loader/reader.js';
export { PRIORITIES, type Priority, parsePriority } from './priority.js';
