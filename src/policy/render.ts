import { alignColumns } from '../common/text-table.js';
import type { StageVerdict } from './evaluate.js';
import type { Finding } from './finding.js';

function resultLabel(result: string, action: string): string {
  if (result === 'pass') return 'PASS';
  if (result === 'error') return 'ERROR';
  return action === 'deny' ? 'DENY' : action === 'warn' ? 'WARN' : 'INFO';
}

/** The verdict table `policy test` and `image --policy` print: rule, result, evidence. */
export function renderVerdictTable(verdict: StageVerdict, ref: string): string {
  const rows = verdict.verdicts.map((v) => [
    v.rule,
    resultLabel(v.result, v.action),
    v.action,
    v.result === 'pass' ? '' : v.evidence.join(', ') || v.description,
  ]);
  const lines = [
    `${ref}: stage ${verdict.stage}: ${verdict.outcome.toUpperCase()} (score ${verdict.score.toFixed(2)}, minimum ${verdict.minScore})`,
    ...alignColumns([['RULE', 'RESULT', 'ACTION', 'EVIDENCE'], ...rows]),
  ];
  return `${lines.join('\n')}\n`;
}

/** Suppressed findings stay visible: a count, or with `--show-suppressed` each one and why. */
export function renderSuppressed(suppressed: Finding[], show: boolean): string {
  if (!show) return `${suppressed.length} suppressed findings (--show-suppressed lists them)\n`;
  const rows = suppressed.map((f) => [
    f.id,
    f.package ? `${f.package.name}@${f.package.version}` : (f.location.path ?? ''),
    f.suppressed?.by ?? '',
    f.suppressed?.reason ?? '',
  ]);
  return `${['SUPPRESSED', ...alignColumns([['FINDING', 'TARGET', 'BY', 'REASON'], ...rows])].join('\n')}\n`;
}
