import { CeranaError } from '../../common/errors.js';
import type { Ordering, VersionScheme } from './types.js';

/** What a scheme module provides: a parser (undefined = invalid) and an order on parsed versions. */
export interface SchemeDefinition<T> {
  readonly name: string;
  parse(v: string): T | undefined;
  compareParsed(a: T, b: T): Ordering;
  describeParsed(parsed: T): string;
}

/**
 * The longest version any scheme accepts. Real versions stay far below it (npm caps them at 256);
 * the cap keeps parsing of hostile input bounded.
 */
export const MAX_VERSION_LENGTH = 512;

/** Builds a VersionScheme from a parser and an order, with one error message for invalid input. */
export function defineScheme<T>(definition: SchemeDefinition<T>): VersionScheme {
  const parse = (v: string): T | undefined =>
    v.length > MAX_VERSION_LENGTH ? undefined : definition.parse(v);
  const parseOrThrow = (v: string): T => {
    const parsed = parse(v);
    if (parsed === undefined) {
      const shown = v.length > 80 ? `${v.slice(0, 80)}…` : v;
      throw new CeranaError('INPUT', `"${shown}" is not a valid ${definition.name} version`, {
        hint: `check the version against the ${definition.name} rules`,
      });
    }
    return parsed;
  };
  return {
    name: definition.name,
    compare: (a, b) => definition.compareParsed(parseOrThrow(a), parseOrThrow(b)),
    valid: (v) => parse(v) !== undefined,
    describe: (v) => definition.describeParsed(parseOrThrow(v)),
  };
}
