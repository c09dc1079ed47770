import { alignColumns, oneLine } from '../common/text-table.js';
import type { SEVERITIES } from '../policy/finding.js';
import type { MatchExplanation, VulnerabilityFinding } from '../vuln/match/index.js';
import type { VulnerabilityReport } from '../vuln/match/scan.js';

const ORDER: typeof SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const OS_TYPES = new Set(['deb', 'apk', 'rpm']);

/** `2 CRITICAL, 1 HIGH` style counts, most severe first. */
export function severityCounts(findings: readonly VulnerabilityFinding[]): string {
  return ORDER.map(
    (severity) => `${findings.filter((f) => f.severity === severity).length} ${severity}`,
  ).join(', ');
}

/**
 * The vulnerabilities section of a terminal report: one row per vulnerability per package, most
 * severe first (the order the matcher returns), then what could not be matched.
 */
export function renderVulnerabilityTable(report: VulnerabilityReport): string[] {
  const { findings } = report;
  const out: string[] = [];
  const filtered = report.filtered > 0 ? `; ${report.filtered} more hidden by filters` : '';
  out.push(`Vulnerabilities (${findings.length}: ${severityCounts(findings)}${filtered})`);
  if (findings.length === 0) out.push('  none found');
  else {
    const rows = [['SEVERITY', 'ID', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'PATH', 'TITLE']];
    for (const finding of findings) {
      const details = finding.vulnerability;
      const pkg = finding.package;
      const marker = details.origin === 'upstream-os-owned' ? ' (upstream, OS-owned)' : '';
      rows.push([
        finding.severity,
        finding.id,
        `${pkg?.name ?? '?'}${marker}`,
        details.installedVersion,
        details.status === 'fixed' ? details.fixedVersions.join(', ') : 'no fix yet',
        pkg && OS_TYPES.has(pkg.type) ? '-' : (finding.location.path ?? '-'),
        oneLine(finding.title, 60),
      ]);
    }
    out.push(...alignColumns(rows));
  }
  out.push(`Database: ${report.database.path} (built ${report.database.builtAt})`);
  if (report.warnings.length > 0) {
    out.push('', `Not matched (${report.warnings.length})`, ...report.warnings.map((w) => `  ${w}`));
  }
  return out;
}

/** `--debug` lines: every advisory evaluated against every package, and the verdict's reason. */
export function renderExplanations(explanations: readonly MatchExplanation[]): string {
  return explanations
    .map((e) => {
      const where = [e.ecosystem, e.advisory].filter(Boolean).join(' ');
      return `debug: match ${e.package}${where ? ` [${where}]` : ''}: ${e.verdict}: ${e.reason}\n`;
    })
    .join('');
}
