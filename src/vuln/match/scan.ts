import type { OsInfo } from '../../inventory/os/detect.js';
import type { Package } from '../../inventory/package.js';
import { openDatabase } from '../db/index.js';
import { filterVulnerabilities, type VulnerabilityFilter } from './filter.js';
import { coveredBases, matchPackages } from './matcher.js';
import type { MatchExplanation, MatchStats, VulnerabilityFinding } from './types.js';

export interface VulnerabilityScanOptions extends VulnerabilityFilter {
  dbPath: string;
  /** Refuse a database built longer ago than this (days); 0 or undefined: no limit. */
  maxAgeDays?: number;
  includeOsOwnedUpstream?: boolean;
  debug?: boolean;
  image?: string;
}

/** What a report shows about vulnerabilities: the findings after filters, and how they were found. */
export interface VulnerabilityReport {
  database: { path: string; builtAt: string; schemaVersion: number };
  findings: VulnerabilityFinding[];
  /** Findings the filters (`--severity`, `--ignore-unfixed`) removed. */
  filtered: number;
  warnings: string[];
  stats: MatchStats;
  /** Only with `debug`. */
  explanations?: MatchExplanation[];
}

const DAY_MS = 86_400_000;

/**
 * Opens the database (a missing, unreadable, outdated-schema or too old database is an error
 * telling the user to run `cerana db update`, never an empty report), matches, filters.
 */
export async function scanVulnerabilities(
  packages: readonly Package[],
  os: OsInfo | undefined,
  options: VulnerabilityScanOptions,
): Promise<VulnerabilityReport> {
  const db = await openDatabase(
    options.dbPath,
    options.maxAgeDays ? { maxAgeMs: options.maxAgeDays * DAY_MS } : {},
  );
  try {
    const covered = coveredBases(db.status().sources);
    const result = matchPackages(db, packages, {
      ...(os ? { os } : {}),
      ...(covered ? { coveredEcosystems: covered } : {}),
      ...(options.includeOsOwnedUpstream ? { includeOsOwnedUpstream: true } : {}),
      ...(options.debug ? { debug: true } : {}),
      ...(options.image ? { image: options.image } : {}),
    });
    const findings = filterVulnerabilities(result.findings, options);
    const report: VulnerabilityReport = {
      database: { path: db.path, builtAt: db.builtAt, schemaVersion: db.schemaVersion },
      findings,
      filtered: result.findings.length - findings.length,
      warnings: result.warnings,
      stats: result.stats,
    };
    if (options.debug) report.explanations = result.explanations;
    return report;
  } finally {
    db.close();
  }
}
