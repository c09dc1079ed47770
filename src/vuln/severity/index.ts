import type { Severity } from '../../policy/finding.js';
import type { JsonObject, OsvAffected, OsvRecord, OsvSeverity } from '../osv/types.js';
import { type CvssRating, type CvssVersion, parseCvss } from './cvss.js';

export {
  type CvssParse,
  type CvssRating,
  type CvssScore,
  type CvssVersion,
  parseCvss,
  ratingOf,
} from './cvss.js';

/**
 * Every severity an advisory states, each with where it came from: CVSS vectors (record-level
 * `severity`, or per package in `affected[].severity`) scored here, and the vendor's own rating
 * (GitHub's `database_specific.severity`, Ubuntu's priority, Debian's urgency) kept as written.
 */
export interface SeverityScore {
  /** The advisory that states it. */
  advisory: string;
  /** Where in the record: `severity`, `affected.severity`, `database_specific.severity`, ... */
  field: string;
  type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'vendor';
  /** The CVSS vector, or the vendor's label as written (`MODERATE`, `negligible`). */
  value: string;
  /** CVSS base score. */
  score?: number;
  cvssVersion?: CvssVersion;
  rating: CvssRating | 'UNKNOWN';
  /** Why a stated severity could not be read (an invalid vector). */
  error?: string;
}

/** Vendor labels seen in OSV data, lowercased, and the rating they mean. */
const VENDOR_LABELS: Readonly<Record<string, CvssRating | 'UNKNOWN'>> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  important: 'HIGH',
  moderate: 'MEDIUM',
  medium: 'MEDIUM',
  low: 'LOW',
  negligible: 'LOW',
  unimportant: 'LOW',
  none: 'NONE',
  untriaged: 'UNKNOWN',
  unknown: 'UNKNOWN',
  'not yet assigned': 'UNKNOWN',
};

/** Keys of `database_specific` / `ecosystem_specific` that hold a vendor rating. */
const VENDOR_KEYS = ['severity', 'urgency', 'priority'] as const;

export function vendorRating(label: string): CvssRating | 'UNKNOWN' {
  return VENDOR_LABELS[label.trim().toLowerCase()] ?? 'UNKNOWN';
}

/** Severities of one advisory for one affected entry (the entry's own come after the record's). */
export function severitiesOf(
  record: Pick<OsvRecord, 'id' | 'severity' | 'database_specific'>,
  affected?: OsvAffected,
): SeverityScore[] {
  const found: SeverityScore[] = [];
  for (const entry of record.severity ?? []) found.push(stated(record.id, 'severity', entry));
  for (const entry of affected?.severity ?? []) found.push(stated(record.id, 'affected.severity', entry));
  found.push(...vendorOf(record.id, 'database_specific', record.database_specific));
  found.push(...vendorOf(record.id, 'affected.database_specific', affected?.database_specific));
  found.push(...vendorOf(record.id, 'affected.ecosystem_specific', affected?.ecosystem_specific));
  return found;
}

function stated(advisory: string, field: string, entry: OsvSeverity): SeverityScore {
  if (entry.type === 'Ubuntu') {
    return { advisory, field, type: 'vendor', value: entry.score, rating: vendorRating(entry.score) };
  }
  const parsed = parseCvss(entry.score);
  if (!parsed.ok) {
    return { advisory, field, type: entry.type, value: entry.score, rating: 'UNKNOWN', error: parsed.error };
  }
  return {
    advisory,
    field,
    type: entry.type,
    value: entry.score,
    score: parsed.score.base,
    cvssVersion: parsed.score.version,
    rating: parsed.score.rating,
  };
}

function vendorOf(advisory: string, where: string, object: JsonObject | undefined): SeverityScore[] {
  if (object === undefined) return [];
  return VENDOR_KEYS.flatMap((key) => {
    const value = object[key];
    if (typeof value !== 'string' || value.trim() === '') return [];
    return [
      { advisory, field: `${where}.${key}`, type: 'vendor' as const, value, rating: vendorRating(value) },
    ];
  });
}

export interface ChosenSeverity {
  severity: Severity;
  /** The score the severity was taken from; undefined when none could be read. */
  from?: SeverityScore;
}

/**
 * One severity for a finding from everything its advisories state. For OS packages the
 * distribution's own rating comes first (it rates the flaw as its build ships it); otherwise
 * CVSS v3.x (the version most ratings and thresholds are set in), then v4, then v2, then the
 * vendor's label. Among scores of the same kind the highest wins, so merging advisories never
 * lowers a severity.
 */
export function chooseSeverity(scores: readonly SeverityScore[], preferVendor: boolean): ChosenSeverity {
  const order: SeverityScore['type'][] = preferVendor
    ? ['vendor', 'CVSS_V3', 'CVSS_V4', 'CVSS_V2']
    : ['CVSS_V3', 'CVSS_V4', 'CVSS_V2', 'vendor'];
  for (const type of order) {
    const usable = scores.filter((s) => s.type === type && s.rating !== 'UNKNOWN');
    if (usable.length === 0) continue;
    const best = usable.reduce((a, b) => (rank(b) > rank(a) ? b : a));
    return { severity: toSeverity(best.rating), from: best };
  }
  return { severity: 'UNKNOWN' };
}

const RANKS: Record<SeverityScore['rating'], number> = {
  UNKNOWN: -1,
  NONE: 0,
  LOW: 1,
  MEDIUM: 2,
  HIGH: 3,
  CRITICAL: 4,
};

function rank(score: SeverityScore): number {
  return (score.score ?? 0) / 100 + RANKS[score.rating];
}

/** A rating as a finding severity: a CVSS score of 0.0 (NONE) still counts as LOW, never as unknown. */
export function toSeverity(rating: SeverityScore['rating']): Severity {
  return rating === 'NONE' ? 'LOW' : rating;
}
