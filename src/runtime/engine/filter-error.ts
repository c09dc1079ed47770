import type { Loc } from './ast.js';

/** A problem in a filter condition, tied to the character where it was found. */
export class FilterError extends Error {
  readonly at: Loc;

  constructor(message: string, at: Loc) {
    super(message);
    this.name = 'FilterError';
    this.at = at;
  }
}

/** `file:line:col` of a location, for messages. */
export function describeLoc(at: Loc): string {
  const pos = at.src.locate(at.offset);
  return `${at.src.file}:${pos.line}:${pos.column}`;
}
