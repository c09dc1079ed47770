import { CeranaError } from '../../common/errors.js';
import type { Finding } from '../../policy/finding.js';
import { LineIndex } from '../position.js';
import { get, items, parseYaml, str } from '../yaml/tree.js';

/**
 * Two ways to accept a finding, both requiring a reason: an inline comment
 * `# cerana:ignore <rule-id>[,<rule-id>] <reason>` on the finding's line or the line above, and a
 * suppression file whose entries can expire.
 */
export interface SuppressionProblem {
  path: string;
  line: number;
  message: string;
}

const INLINE = /#\s*cerana:ignore(?:\s+([A-Za-z0-9*,_-]+))?(?:\s+(.*))?$/;

interface Inline {
  ids: string[];
  reason: string;
  line: number;
}

/** Finds inline suppressions in a file's text; malformed ones are returned as problems. */
export function inlineSuppressions(
  path: string,
  text: string,
): { entries: Inline[]; problems: SuppressionProblem[] } {
  const entries: Inline[] = [];
  const problems: SuppressionProblem[] = [];
  const lines = new LineIndex(text);
  for (let line = 1; line <= lines.lineCount; line++) {
    const m = INLINE.exec(lines.lineText(line));
    if (!m) continue;
    const ids = (m[1] ?? '').split(',').filter(Boolean);
    const reason = (m[2] ?? '').trim();
    if (ids.length === 0 || reason === '') {
      problems.push({
        path,
        line,
        message: 'cerana:ignore needs a rule id and a reason: `# cerana:ignore CER-DF-001 <reason>`',
      });
      continue;
    }
    entries.push({ ids, reason, line });
  }
  return { entries, problems };
}

/** Applies inline suppressions: same line, or the comment line directly above the finding. */
export function applyInline(findings: Finding[], path: string, text: string): SuppressionProblem[] {
  const { entries, problems } = inlineSuppressions(path, text);
  if (entries.length === 0) return problems;
  const lines = new LineIndex(text);
  for (const f of findings) {
    if (f.location.path !== path || f.location.line === undefined || f.suppressed) continue;
    const line = f.location.line;
    const match = entries.find((e) => {
      const applies = e.line === line || (e.line === line - 1 && /^\s*#/.test(lines.lineText(e.line)));
      return (
        applies && (e.ids.includes(f.id) || e.ids.includes('*') || f.aliases.some((a) => e.ids.includes(a)))
      );
    });
    if (match) f.suppressed = { by: 'inline', reason: match.reason };
  }
  return problems;
}

export interface SuppressionRule {
  id: string;
  reason: string;
  /** Glob over the finding's path (`*` within a segment, `**` across). */
  path?: string;
  object?: string;
  expires?: string;
}

export function parseSuppressionFile(path: string, text: string): SuppressionRule[] {
  const root = parseYaml(path, text)[0]?.root ?? undefined;
  const list = get(root, 'suppressions');
  if (!list || list.kind !== 'seq')
    throw new CeranaError('INPUT', `${path}: expected a top-level \`suppressions:\` list`);
  return items(list).map((node) => {
    const id = str(get(node, 'id'));
    const reason = str(get(node, 'reason'));
    if (!id || !reason)
      throw new CeranaError('INPUT', `${path}:${node.span.line}: each suppression needs an id and a reason`);
    const expires = str(get(node, 'expires'));
    if (expires !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(expires)) {
      throw new CeranaError('INPUT', `${path}:${node.span.line}: expires must be a date (YYYY-MM-DD)`);
    }
    const rule: SuppressionRule = { id, reason };
    const p = str(get(node, 'path'));
    const o = str(get(node, 'object'));
    if (p) rule.path = p;
    if (o) rule.object = o;
    if (expires) rule.expires = expires;
    return rule;
  });
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`(^|/)${re}$`);
}

/** Applies file suppressions; expired entries no longer apply and are reported. */
export function applySuppressionFile(
  findings: Finding[],
  rules: SuppressionRule[],
  source: string,
  today: string,
): SuppressionProblem[] {
  const problems: SuppressionProblem[] = [];
  const live = rules.filter((r) => {
    if (r.expires !== undefined && r.expires < today) {
      problems.push({ path: source, line: 0, message: `suppression of ${r.id} expired on ${r.expires}` });
      return false;
    }
    return true;
  });
  for (const f of findings) {
    if (f.suppressed) continue;
    const rule = live.find(
      (r) =>
        (r.id === f.id || f.aliases.includes(r.id)) &&
        (r.path === undefined || globToRegExp(r.path).test(f.location.path ?? '')) &&
        (r.object === undefined || r.object === f.location.object),
    );
    if (rule)
      f.suppressed = { by: source, reason: rule.reason, ...(rule.expires ? { expires: rule.expires } : {}) };
  }
  return problems;
}
