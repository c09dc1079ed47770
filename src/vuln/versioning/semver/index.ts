import { compareDigits } from '../compare-parts.js';
import { defineScheme } from '../scheme.js';
import { compareSemver, describeSemver, parseSemverCore, type SemverVersion } from './core.js';

const MAX_LENGTH = 256;
const MAX_SAFE_INTEGER = String(Number.MAX_SAFE_INTEGER);

/**
 * npm's reading of a version (the `semver` package, not loose): surrounding whitespace and one
 * leading `v` are accepted, the whole input is at most 256 characters, and major, minor and patch
 * must be safe JavaScript integers.
 */
export function parseNpmVersion(input: string): SemverVersion | undefined {
  if (input.length > MAX_LENGTH) return undefined;
  const trimmed = input.trim();
  const parsed = parseSemverCore(trimmed.startsWith('v') ? trimmed.slice(1) : trimmed);
  if (!parsed) return undefined;
  for (const n of [parsed.major, parsed.minor, parsed.patch]) {
    if (compareDigits(n, MAX_SAFE_INTEGER) > 0) return undefined;
  }
  return parsed;
}

export const semver = defineScheme<SemverVersion>({
  name: 'semver',
  parse: parseNpmVersion,
  compareParsed: compareSemver,
  describeParsed: describeSemver,
});
