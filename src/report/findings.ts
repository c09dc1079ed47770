import { alignColumns } from '../common/text-table.js';
import type { Finding } from '../policy/finding.js';
import { compareFindings } from '../policy/finding.js';

/** Terminal table of findings, sorted for stable output. */
export function renderFindingsTable(
  findings: readonly Finding[],
  errors: readonly { path: string; message: string }[] = [],
): string {
  const rows = [...findings].sort(compareFindings).map((f) => {
    const l = f.location;
    const at = `${l.path ?? l.image ?? ''}${l.line !== undefined ? `:${l.line}:${l.column ?? 1}` : ''}`;
    const title = `${f.title}${l.object ? ` [${l.object}]` : ''}${f.evidence ? ` — ${f.evidence}` : ''}${f.suppressed ? ` (suppressed: ${f.suppressed.reason})` : ''}`;
    return [f.severity, f.id, at, title];
  });
  const out =
    rows.length > 0 ? alignColumns([['SEVERITY', 'ID', 'LOCATION', 'TITLE'], ...rows]) : ['No findings.'];
  const open = findings.filter((f) => !f.suppressed);
  const counts = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'].map(
    (s) => `${s}: ${open.filter((f) => f.severity === s).length}`,
  );
  out.push(
    '',
    `Total: ${open.length} (${counts.join(', ')})${findings.length > open.length ? `, ${findings.length - open.length} suppressed` : ''}`,
  );
  for (const e of errors) out.push(`error: ${e.path}: ${e.message}`);
  return `${out.join('\n')}\n`;
}

/** Machine-readable findings: sorted, stable, with errors alongside. */
export function renderFindingsJson(
  findings: readonly Finding[],
  errors: readonly { path: string; message: string }[] = [],
): string {
  return `${JSON.stringify({ findings: [...findings].sort(compareFindings), errors }, null, 2)}\n`;
}
