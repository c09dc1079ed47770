import type { PackageLocation } from '../../inventory/package.js';
import type { Finding } from '../../policy/finding.js';
import type { SeverityScore } from '../severity/index.js';

/** One advisory that matched a package, and why. */
export interface MatchedAdvisory {
  id: string;
  /** Ecosystem and package name as the advisory writes them. */
  ecosystem: string;
  package: string;
  /** The range or explicit version that matched (`ECOSYSTEM range 0: introduced 0 <= 4.17.15 < fixed 4.17.19`). */
  reason: string;
  /** Ranges skipped (GIT) or versions the scheme rejects, as the evaluator noted them. */
  notes: string[];
  modified: string;
  published?: string;
}

/**
 * `fixed`: a fixed version exists (upgrading removes the finding); `unfixed`: the advisories
 * name no fix yet (open ranges, `last_affected`, explicit version lists).
 */
export type FixStatus = 'fixed' | 'unfixed';

export interface VulnerabilityDetails {
  status: FixStatus;
  installedVersion: string;
  /** Lowest first, in the ecosystem's version order. */
  fixedVersions: string[];
  /** The ecosystem the advisories were looked up in (`Debian:12`, `npm`). */
  ecosystem: string;
  /**
   * `distro`: the OS vendor's advisories; `upstream`: the language ecosystem's; `upstream-os-owned`:
   * upstream advisories for a package an OS package owns (only with `--include-os-owned-upstream`;
   * the distribution may have backported the fix).
   */
  origin: 'distro' | 'upstream' | 'upstream-os-owned';
  /** Every severity the advisories state, and which one the finding's severity was taken from. */
  severities: SeverityScore[];
  severitySource?: { advisory: string; field: string; value: string };
  advisories: MatchedAdvisory[];
  /** Every place the package was found (the finding's location is the first). */
  locations: PackageLocation[];
  published?: string;
}

export interface VulnerabilityFinding extends Finding {
  kind: 'vulnerability';
  vulnerability: VulnerabilityDetails;
}

/** For `--debug`: every advisory evaluated against every package, with the verdict and its reason. */
export interface MatchExplanation {
  /** `name@version` as installed, with its purl. */
  package: string;
  purl: string;
  ecosystem?: string;
  advisory?: string;
  verdict: 'affected' | 'not affected' | 'unknown' | 'skipped';
  reason: string;
}

export interface MatchStats {
  packages: number;
  /** Packages looked up in at least one ecosystem. */
  matched: number;
  skipped: number;
  /** Affected entries evaluated against an installed version. */
  evaluations: number;
  /** Evaluations the version scheme could not decide. */
  unknown: number;
  findings: number;
}

export interface MatchResult {
  findings: VulnerabilityFinding[];
  /** Reasons some packages or advisories could not be matched; never dropped silently. */
  warnings: string[];
  /** Only filled with `debug: true`. */
  explanations: MatchExplanation[];
  stats: MatchStats;
}
