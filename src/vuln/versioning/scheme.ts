import { CeranaError } from '../../common/errors.js';
import type { Ordering, VersionScheme } from './types.js';

/** What a scheme module provides: a parser (undefined = invalid) and an order on parsed versions. */
export interface SchemeDefinition<T> {
  readonly name: string;
  parse(v: string): T | undefined;
  compareParsed(a: T, b: T): Ordering;
  describeParsed(parsed: T): string;
}

/** Builds a VersionScheme from a parser and an order, with one error message for invalid input. */
export function defineScheme<T>(definition: SchemeDefinition<T>): VersionScheme {
  const parseOrThrow = (v: string): T => {
    const parsed = definition.parse(v);
    if (parsed === undefined) {
      throw new CeranaError('INPUT', `"${v}" is not a valid ${definition.name} version`, {
        hint: `check the version against the ${definition.name} rules`,
      });
    }
    return parsed;
  };
  return {
    name: definition.name,
    compare: (a, b) => definition.compareParsed(parseOrThrow(a), parseOrThrow(b)),
    valid: (v) => definition.parse(v) !== undefined,
    describe: (v) => definition.describeParsed(parseOrThrow(v)),
  };
}
