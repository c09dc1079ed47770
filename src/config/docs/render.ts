import type { RuleMeta } from '../rule.js';

/**
 * Markdown rule reference generated from rule metadata: an index and one page per family.
 * Never edit docs/rules by hand; regenerate them.
 */
const HEADER = '<!-- Generated from rule metadata by src/config/docs/write.ts. Do not edit. -->\n\n';

function slug(family: string): string {
  return family.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function fence(text: string, family: string): string {
  const lang = family.startsWith('dockerfile')
    ? 'dockerfile'
    : family.startsWith('docker-daemon')
      ? 'json'
      : 'yaml';
  const ticks = text.includes('```') ? '````' : '```';
  return `${ticks}${lang}\n${text.replace(/\n$/, '')}\n${ticks}`;
}

function rulePage(family: string, rules: RuleMeta[]): string {
  const out = [`${HEADER}# ${family}\n`, `${rules.length} rules.\n`];
  for (const r of rules) {
    out.push(`## ${r.id}: ${r.title}\n`);
    out.push(`**Severity:** ${r.severity}\n`);
    out.push(`${r.rationale}\n`);
    out.push(`**Remediation:** ${r.remediation}\n`);
    if (r.aliases.length) out.push(`**Also known as:** ${r.aliases.map((a) => `\`${a}\``).join(', ')}\n`);
    if (r.controls.length) out.push(`**Controls:** ${r.controls.join('; ')}\n`);
    if (r.references.length) out.push(`**References:** ${r.references.map((u) => `<${u}>`).join(', ')}\n`);
    out.push(`Flagged:\n\n${fence(r.examples.fail[0] ?? '', family)}\n`);
    out.push(`Accepted:\n\n${fence(r.examples.pass[0] ?? '', family)}\n`);
  }
  return out.join('\n');
}

/** File name → content, for every page of the rule reference. */
export function renderRuleDocs(rules: RuleMeta[]): Map<string, string> {
  const families = new Map<string, RuleMeta[]>();
  for (const r of rules) families.set(r.family, [...(families.get(r.family) ?? []), r]);
  const files = new Map<string, string>();
  const index = [
    `${HEADER}# Configuration rules\n`,
    `${rules.length} rules in ${families.size} families. Each rule lists its crosswalk to other tools (hadolint, Trivy, Checkov, kube-linter, Polaris, kubesec, BuildKit checks) and the standards controls it maps to.\n`,
    '| Family | Rules |',
    '|---|---|',
    ...[...families].map(([f, list]) => `| [${f}](${slug(f)}.md) | ${list.length} |`),
    '',
    '| ID | Severity | Title | Also known as |',
    '|---|---|---|---|',
    ...rules.map(
      (r) =>
        `| [${r.id}](${slug(r.family)}.md#${r.id.toLowerCase()}-${slug(r.title).replace(/^-|-$/g, '')}) | ${r.severity} | ${cell(r.title)} | ${cell(r.aliases.join(', '))} |`,
    ),
    '',
  ];
  files.set('README.md', index.join('\n'));
  for (const [family, list] of families) files.set(`${slug(family)}.md`, rulePage(family, list));
  return files;
}
