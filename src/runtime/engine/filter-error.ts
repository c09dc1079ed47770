import type { Loc } from './ast.js';

export type FilterErrorCode =
  | 'condition-syntax'
  | 'unknown-field'
  | 'invalid-field-argument'
  | 'unknown-event-type'
  | 'undefined-macro'
  | 'undefined-list'
  | 'macro-cycle'
  | 'invalid-operator'
  | 'invalid-value'
  | 'invalid-output';

/** A problem in a filter condition, tied to the character where it was found. */
export class FilterError extends Error {
  readonly at: Loc;
  readonly code: FilterErrorCode;

  constructor(message: string, at: Loc, code: FilterErrorCode = 'invalid-value') {
    super(message);
    this.name = 'FilterError';
    this.at = at;
    this.code = code;
  }
}

/** `file:line:col` of a location, for messages. */
export function describeLoc(at: Loc): string {
  const pos = at.src.locate(at.offset);
  return `${pos.file}:${pos.line}:${pos.column}`;
}
