import type { Finding } from '../policy/finding.js';

/**
 * JUnit XML for CI systems that show test results: one test case per finding (failed, or
 * skipped when suppressed), plus one passing case per checked target without findings.
 */
export interface JUnitOptions {
  suiteName?: string;
  /** Targets that were checked (files, images); those without findings become passing cases. */
  checked?: string[];
}

function xml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
  );
}

function where(f: Finding): string {
  const l = f.location;
  const target = l.path ?? l.image ?? 'unknown';
  return l.line !== undefined ? `${target}:${l.line}${l.column !== undefined ? `:${l.column}` : ''}` : target;
}

export function toJUnit(findings: readonly Finding[], options: JUnitOptions = {}): string {
  const name = options.suiteName ?? 'cerana';
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const f of findings) {
    const classname = xml(f.location.path ?? f.location.image ?? 'unknown');
    const title = xml(
      `[${f.severity}] ${f.id} ${f.title}${f.location.object ? ` (${f.location.object})` : ''}`,
    );
    const body = [
      where(f),
      f.evidence ? `evidence: ${f.evidence}` : '',
      f.remediation ? `remediation: ${f.remediation}` : '',
      ...f.references,
    ]
      .filter(Boolean)
      .join('\n');
    if (f.suppressed) {
      skipped++;
      cases.push(
        `    <testcase classname="${classname}" name="${title}">\n      <skipped message="${xml(`suppressed: ${f.suppressed.reason}`)}"/>\n    </testcase>`,
      );
    } else {
      failures++;
      cases.push(
        `    <testcase classname="${classname}" name="${title}">\n      <failure message="${xml(`${f.id}: ${f.title}`)}" type="${f.severity}">${xml(body)}</failure>\n    </testcase>`,
      );
    }
  }
  const withFindings = new Set(findings.map((f) => f.location.path ?? f.location.image));
  for (const target of options.checked ?? []) {
    if (!withFindings.has(target))
      cases.push(`    <testcase classname="${xml(target)}" name="no findings"/>`);
  }
  const tests = cases.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" tests="${tests}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xml(name)}" tests="${tests}" failures="${failures}" skipped="${skipped}" errors="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
