import { compareDigits, compareText } from '../compare-parts.js';
import type { Ordering } from '../types.js';

/** A Semantic Versioning 2.0.0 version; numbers stay text so no size limit is imposed here. */
export interface SemverVersion {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string[];
}

const NUMBER = '0|[1-9][0-9]*';
const PRERELEASE_ID = '0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*';
const BUILD_ID = '[0-9A-Za-z-]+';
const CORE = `(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-((?:${PRERELEASE_ID})(?:\\.(?:${PRERELEASE_ID}))*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?`;
const STRICT = new RegExp(`^${CORE}$`);
const NUMERIC_ID = /^[0-9]+$/;

/** Parses the exact grammar of semver.org (no prefix, no whitespace, no leading zeros). */
export function parseSemverCore(v: string): SemverVersion | undefined {
  const m = STRICT.exec(v);
  if (!m) return undefined;
  const [, major = '', minor = '', patch = '', prerelease, build] = m;
  return {
    major,
    minor,
    patch,
    prerelease: prerelease === undefined ? [] : prerelease.split('.'),
    build: build === undefined ? [] : build.split('.'),
  };
}

/** Numeric identifiers sort below alphanumeric ones; numbers by value, the rest in ASCII order. */
function compareIdentifier(a: string, b: string): Ordering {
  const aNumeric = NUMERIC_ID.test(a);
  const bNumeric = NUMERIC_ID.test(b);
  if (aNumeric && bNumeric) return compareDigits(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return compareText(a, b);
}

/** Precedence per semver.org §11: build metadata plays no part. */
export function compareSemver(a: SemverVersion, b: SemverVersion): Ordering {
  const main =
    compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (main !== 0) return main;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    // A release is newer than any of its pre-releases.
    return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length === 0 ? 1 : -1;
  }
  const shared = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < shared; i++) {
    const order = compareIdentifier(a.prerelease[i] ?? '', b.prerelease[i] ?? '');
    if (order !== 0) return order;
  }
  return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length < b.prerelease.length ? -1 : 1;
}

export function describeSemver(v: SemverVersion): string {
  const pre = v.prerelease.length > 0 ? `, pre-release [${v.prerelease.join(', ')}]` : ', release';
  const build = v.build.length > 0 ? `, build ${v.build.join('.')} (ignored)` : '';
  return `${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}
