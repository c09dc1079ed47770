/**
 * One shape for every result Cerana reports, whatever produced it: a vulnerability match,
 * a secret, malware, a misconfiguration, a compliance check or a runtime alert. Reports,
 * policy gates and the store only ever see this shape.
 */
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

/** Most severe first; the order reports sort by and `--severity` thresholds compare with. */
export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

export type FindingKind =
  | 'vulnerability'
  | 'secret'
  | 'malware'
  | 'misconfiguration'
  | 'compliance'
  | 'runtime';

export interface FindingLocation {
  image?: string;
  layer?: string;
  path?: string;
  /** 1-based. */
  line?: number;
  /** 1-based, in UTF-16 code units like editors and SARIF count them. */
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** The object inside the file: `Deployment/prod/web`, `service web`, `stage build`. */
  object?: string;
}

export interface PackageRef {
  type: string;
  name: string;
  version: string;
  purl?: string;
}

export interface Suppression {
  /** What suppressed it: `inline`, a suppression file path, a VEX document. */
  by: string;
  reason: string;
  /** ISO date (YYYY-MM-DD) after which the suppression no longer applies. */
  expires?: string;
}

export interface Finding {
  kind: FindingKind;
  /** Stable rule or advisory id (`CER-DF-001`, `CVE-2024-1234`). */
  id: string;
  /** The same problem under other names (hadolint DL, Trivy AVD, Checkov CKV, GHSA...). */
  aliases: string[];
  severity: Severity;
  title: string;
  location: FindingLocation;
  package?: PackageRef;
  fixedIn?: string[];
  evidence?: string;
  remediation?: string;
  /** Compliance controls this maps to (`CIS Docker 1.6 4.1`, `PSS baseline@v1.34 privileged`). */
  controls: string[];
  references: string[];
  suppressed?: Suppression;
}

/** 0 for CRITICAL up to 4 for UNKNOWN. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** True when `severity` is at least as severe as `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Deterministic report order: path, line, column, then id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.location.path ?? '').localeCompare(b.location.path ?? '') ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.column ?? 0) - (b.location.column ?? 0) ||
    a.id.localeCompare(b.id) ||
    (a.location.object ?? '').localeCompare(b.location.object ?? '')
  );
}
