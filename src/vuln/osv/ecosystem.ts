/**
 * OSV ecosystem strings: a base name, optionally followed by `:`-separated detail
 * (`Debian:12`, `Ubuntu:Pro:22.04:LTS`, `Alpine:v3.19`, `Red Hat:enterprise_linux:9::appstream`).
 * Package names are normalized per ecosystem so that a lookup finds what the
 * ecosystem's own registry would consider the same package.
 */

export interface Ecosystem {
  /** The string as written, with the base name in its canonical spelling. */
  readonly full: string;
  /** `Debian`, `Ubuntu`, `PyPI`, `Red Hat`, ... */
  readonly base: string;
  /** The release part (`12`, `22.04`, `v3.19`, `enterprise_linux:9::appstream`), when present. */
  readonly release?: string;
  /** Ubuntu's extra parts (`Pro`, `FIPS-updates`, `LTS`), in order. */
  readonly qualifiers: readonly string[];
}

/** Base names OSV publishes, in their canonical spelling. */
export const KNOWN_ECOSYSTEMS: readonly string[] = [
  'AlmaLinux',
  'Alpine',
  'Android',
  'Bioconductor',
  'Bitnami',
  'Chainguard',
  'ConanCenter',
  'CRAN',
  'crates.io',
  'Debian',
  'GHC',
  'GIT',
  'GitHub Actions',
  'Go',
  'Hackage',
  'Hex',
  'Linux',
  'Mageia',
  'Maven',
  'MinimOS',
  'npm',
  'NuGet',
  'openEuler',
  'openSUSE',
  'OSS-Fuzz',
  'Packagist',
  'Photon OS',
  'Pub',
  'PyPI',
  'Red Hat',
  'Rocky Linux',
  'RubyGems',
  'SUSE',
  'SwiftURL',
  'Ubuntu',
  'Wolfi',
];

/** The ecosystems `cerana db update` fetches when none are named: those Cerana's catalogers produce. */
export const DEFAULT_ECOSYSTEMS: readonly string[] = [
  'AlmaLinux',
  'Alpine',
  'crates.io',
  'Debian',
  'Go',
  'Maven',
  'npm',
  'NuGet',
  'Packagist',
  'PyPI',
  'Red Hat',
  'Rocky Linux',
  'RubyGems',
  'Ubuntu',
];

const CANONICAL = new Map(KNOWN_ECOSYSTEMS.map((name) => [name.toLowerCase(), name]));

/** `pypi` → `PyPI`; unknown names are returned unchanged (OSV adds ecosystems over time). */
export function canonicalBase(base: string): string {
  return CANONICAL.get(base.trim().toLowerCase()) ?? base.trim();
}

const UBUNTU_RELEASE = /^\d+\.\d+$/;

export function parseEcosystem(value: string): Ecosystem {
  const colon = value.indexOf(':');
  const base = canonicalBase(colon < 0 ? value : value.slice(0, colon));
  if (colon < 0) return { full: base, base, qualifiers: [] };
  const rest = value.slice(colon + 1);
  const full = `${base}:${rest}`;
  if (rest === '') return { full: base, base, qualifiers: [] };
  if (base === 'Ubuntu') {
    const parts = rest.split(':');
    const release = parts.find((part) => UBUNTU_RELEASE.test(part));
    const qualifiers = parts.filter((part) => part !== release);
    return release === undefined
      ? { full, base, release: rest, qualifiers: [] }
      : { full, base, release, qualifiers };
  }
  return { full, base, release: rest, qualifiers: [] };
}

/** The canonical spelling of an ecosystem string, as stored in and looked up from the database. */
export function canonicalEcosystem(value: string): string {
  return parseEcosystem(value).full;
}

/**
 * The key a package name is indexed under.
 * - PyPI: PEP 503 (lowercase, runs of `-_.` become `-`).
 * - npm: lowercase. New npm names must be lowercase, but legacy mixed-case packages exist and
 *   advisories sometimes misspell names (GHSA-8hc4-vh64-cxmj names `Axios`). Looking up by the
 *   lowercase key finds such advisories; the stored entry keeps the name as written, so a matcher
 *   can still tell an exact match from a case-folded one.
 * - crates.io: lowercase with `_` as `-` (crates.io treats them as the same name).
 * - NuGet, Packagist: lowercase (both registries are case-insensitive).
 * - Go (module paths), Maven (`group:artifact`), OS packages and the rest: as written, trimmed.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  const trimmed = name.trim();
  switch (parseEcosystem(ecosystem).base) {
    case 'PyPI':
      return trimmed.toLowerCase().replace(/[-_.]+/g, '-');
    case 'npm':
    case 'NuGet':
    case 'Packagist':
      return trimmed.toLowerCase();
    case 'crates.io':
      return trimmed.toLowerCase().replace(/_/g, '-');
    default:
      return trimmed;
  }
}
