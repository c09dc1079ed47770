import { compareDigits } from '../compare-parts.js';
import { defineScheme } from '../scheme.js';
import { compareSemver, describeSemver, parseSemverCore, type SemverVersion } from '../semver/core.js';

const MAX_U64 = '18446744073709551615';

/**
 * Cargo's versions: semver.org's grammar exactly (no `v`, no whitespace), numbers within u64.
 * Ordering is semver precedence, build metadata ignored, which is how advisories' ranges
 * (OSV's SEMVER type) read them.
 */
export function parseCargoVersion(v: string): SemverVersion | undefined {
  const parsed = parseSemverCore(v);
  if (!parsed) return undefined;
  const numbers = [
    parsed.major,
    parsed.minor,
    parsed.patch,
    ...parsed.prerelease.filter((id) => /^[0-9]+$/.test(id)),
  ];
  return numbers.every((n) => compareDigits(n, MAX_U64) <= 0) ? parsed : undefined;
}

export const cargo = defineScheme<SemverVersion>({
  name: 'cargo',
  parse: parseCargoVersion,
  compareParsed: compareSemver,
  describeParsed: describeSemver,
});
