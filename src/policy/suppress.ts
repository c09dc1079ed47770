import { applyExceptions, type PolicyException } from './exceptions.js';
import type { Finding } from './finding.js';
import { repositoryOf } from './image-facts.js';
import type { ScanDocument } from './scan-document.js';
import { collectFindings } from './scan-document.js';
import { applyVex, type OpenVexDocument } from './vex.js';

export interface SuppressionOptions {
  exceptions?: PolicyException[];
  vex?: { doc: OpenVexDocument; origin: string }[];
  /** The clock exceptions expire by; tests pass a fixed one. */
  now: Date;
}

export interface SuppressionResult {
  /** Every finding of the scan; suppressed ones flagged with who suppressed them and why. */
  findings: Finding[];
  expired: PolicyException[];
  used: PolicyException[];
}

/** Exceptions first, then VEX: the findings a gate, a score and a report should see. */
export function applySuppressions(doc: ScanDocument, options: SuppressionOptions): SuppressionResult {
  const repository = repositoryOf(doc.artifact.ref);
  const excepted = applyExceptions(collectFindings(doc), options.exceptions ?? [], repository, options.now);
  const findings = applyVex(excepted.findings, options.vex ?? [], {
    ref: doc.artifact.ref,
    repository,
    digest: doc.artifact.digest ?? '',
  });
  return { findings, expired: excepted.expired, used: excepted.used };
}

/** One line per expired exception, for reports: they no longer apply. */
export function describeExpired(expired: PolicyException[]): string[] {
  return expired.map(
    (e) => `exception ${e.id} (${e.source}, owner ${e.owner}) expired on ${e.expires}: no longer applied`,
  );
}
