/** The result of comparing two versions: -1 when a < b, 0 when equal, 1 when a > b. */
export type Ordering = -1 | 0 | 1;

/**
 * One ecosystem's version rules. `compare` is a total order over the versions `valid` accepts;
 * it throws a CeranaError (code INPUT) for anything else, so a matcher never silently orders
 * a version the ecosystem itself would reject.
 */
export interface VersionScheme {
  readonly name: string;
  compare(a: string, b: string): Ordering;
  valid(v: string): boolean;
  /** How the scheme reads `v` (its parts, as compared), to answer "why did this match?". */
  describe(v: string): string;
}
