/**
 * Vulnerability matching: packages → ecosystems → advisories → OSV range evaluation → findings
 * merged by alias, with severities, fix status and the reason each advisory matched.
 */
export { type MatchTarget, osEcosystems, type TargetResolution, targetsFor } from './ecosystem.js';
export { filterVulnerabilities, parseSeverityList, type VulnerabilityFilter } from './filter.js';
export {
  type AdvisoryLookup,
  compareVulnerabilities,
  coveredBases,
  type MatchOptions,
  matchPackages,
} from './matcher.js';
export { type AliasedAdvisory, compareIds, groupByAlias, identify } from './merge.js';
export { evaluateAffected, type RangeEvaluation, schemeForRange } from './ranges.js';
export type {
  FixStatus,
  MatchExplanation,
  MatchedAdvisory,
  MatchResult,
  MatchStats,
  VulnerabilityDetails,
  VulnerabilityFinding,
} from './types.js';
