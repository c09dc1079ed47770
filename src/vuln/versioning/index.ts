import { CeranaError } from '../../common/errors.js';
import { apk } from './apk/index.js';
import { cargo } from './cargo/index.js';
import { composer } from './composer/index.js';
import { dpkg } from './dpkg/index.js';
import { go } from './go/index.js';
import { maven } from './maven/index.js';
import { nuget } from './nuget/index.js';
import { pep440 } from './pep440/index.js';
import { rpm } from './rpm/index.js';
import { rubygems } from './rubygems/index.js';
import { semver } from './semver/index.js';
import type { Ordering, VersionScheme } from './types.js';

export type { Ordering, VersionScheme } from './types.js';

const SCHEMES: readonly VersionScheme[] = [
  apk,
  cargo,
  composer,
  dpkg,
  go,
  maven,
  nuget,
  pep440,
  rpm,
  rubygems,
  semver,
];

/** Every scheme name, sorted. */
export const schemeNames: readonly string[] = SCHEMES.map((scheme) => scheme.name);

// OSV ecosystem names (the part before any ":release" suffix) and the scheme their versions follow.
const ECOSYSTEM_SCHEMES: Readonly<Record<string, VersionScheme>> = {
  AlmaLinux: rpm,
  Alpine: apk,
  Chainguard: apk,
  'crates.io': cargo,
  Debian: dpkg,
  Go: go,
  Mageia: rpm,
  Maven: maven,
  npm: semver,
  NuGet: nuget,
  openEuler: rpm,
  openSUSE: rpm,
  Packagist: composer,
  'Photon OS': rpm,
  PyPI: pep440,
  'Red Hat': rpm,
  'Rocky Linux': rpm,
  RubyGems: rubygems,
  SUSE: rpm,
  Ubuntu: dpkg,
  Wolfi: apk,
};

/** The OSV ecosystems Cerana can order versions for, sorted. */
export const supportedEcosystems: readonly string[] = Object.keys(ECOSYSTEM_SCHEMES).sort();

/** The scheme for an OSV ecosystem such as "Debian:12" or "Alpine:v3.19"; undefined when unsupported. */
export function schemeForEcosystem(ecosystem: string): VersionScheme | undefined {
  const colon = ecosystem.indexOf(':');
  const base = colon >= 0 ? ecosystem.slice(0, colon) : ecosystem;
  return Object.hasOwn(ECOSYSTEM_SCHEMES, base) ? ECOSYSTEM_SCHEMES[base] : undefined;
}

/**
 * A scheme by its name ("dpkg", "pep440", …) or by an OSV ecosystem ("Debian:12", "PyPI"),
 * ignoring case, so users can ask in either vocabulary.
 */
export function getScheme(name: string): VersionScheme {
  const wanted = name.trim().toLowerCase();
  const byName = SCHEMES.find((scheme) => scheme.name === wanted);
  if (byName) return byName;
  const base = wanted.split(':')[0] ?? '';
  const byEcosystem = Object.entries(ECOSYSTEM_SCHEMES).find(
    ([ecosystem]) => ecosystem.toLowerCase() === base,
  );
  if (byEcosystem) return byEcosystem[1];
  throw new CeranaError('USAGE', `unknown version scheme "${name}"`, {
    hint: `use one of ${schemeNames.join(', ')} or an OSV ecosystem such as Debian, PyPI or npm`,
  });
}

export type ComparisonSymbol = '<' | '=' | '>';

/** The answer to "why does a compare like this": the order and how the scheme read each side. */
export interface ComparisonExplanation {
  scheme: string;
  result: Ordering;
  symbol: ComparisonSymbol;
  a: { version: string; reading: string };
  b: { version: string; reading: string };
}

const SYMBOLS: Record<Ordering, ComparisonSymbol> = { '-1': '<', 0: '=', 1: '>' };

/**
 * Compares two versions under a scheme (or ecosystem) name for `cerana version compare`.
 * Throws CeranaError USAGE for an unknown scheme and INPUT for a version the scheme rejects.
 */
export function explainCompare(schemeName: string, a: string, b: string): ComparisonExplanation {
  const scheme = getScheme(schemeName);
  const result = scheme.compare(a, b);
  return {
    scheme: scheme.name,
    result,
    symbol: SYMBOLS[result],
    a: { version: a, reading: scheme.describe(a) },
    b: { version: b, reading: scheme.describe(b) },
  };
}

/** The explanation as lines for a terminal: the verdict first, then how each side was read. */
export function formatExplanation(explanation: ComparisonExplanation): string[] {
  const { a, b, scheme, symbol } = explanation;
  return [
    `${a.version} ${symbol} ${b.version} (${scheme})`,
    `  ${a.version}: ${a.reading}`,
    `  ${b.version}: ${b.reading}`,
  ];
}
