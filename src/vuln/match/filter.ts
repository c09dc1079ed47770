import { CeranaError } from '../../common/errors.js';
import { isSeverity, SEVERITIES, type Severity } from '../../policy/finding.js';
import type { VulnerabilityFinding } from './types.js';

export interface VulnerabilityFilter {
  /** Keep only these severities (`--severity CRITICAL,HIGH`); undefined keeps all. */
  severities?: readonly Severity[];
  /** Drop findings that have no fixed version yet (`--ignore-unfixed`). */
  ignoreUnfixed?: boolean;
}

export function filterVulnerabilities(
  findings: readonly VulnerabilityFinding[],
  filter: VulnerabilityFilter,
): VulnerabilityFinding[] {
  return findings.filter(
    (finding) =>
      (filter.severities === undefined || filter.severities.includes(finding.severity)) &&
      !(filter.ignoreUnfixed && finding.vulnerability.status === 'unfixed'),
  );
}

/** `CRITICAL,high` → the severities, in report order; a word that is no severity is a usage error. */
export function parseSeverityList(text: string): Severity[] {
  const words = text
    .split(',')
    .map((word) => word.trim().toUpperCase())
    .filter((word) => word !== '');
  const wrong = words.filter((word) => !isSeverity(word));
  if (words.length === 0 || wrong.length > 0) {
    throw new CeranaError(
      'USAGE',
      `--severity: ${wrong.length > 0 ? `unknown severity ${wrong.join(', ')}` : 'empty list'}`,
      {
        hint: `use a comma-separated list of ${SEVERITIES.join(', ')}`,
      },
    );
  }
  return SEVERITIES.filter((severity) => words.includes(severity));
}
