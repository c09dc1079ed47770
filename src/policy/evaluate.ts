import type { FindingView, PackageView, PolicyInput } from './input.js';
import type { PolicyRule, PolicyStage, RuleAction } from './policy.js';

export type RuleResult = 'pass' | 'fail' | 'error';

export interface RuleVerdict {
  rule: string;
  description: string;
  action: RuleAction;
  result: RuleResult;
  /** What made the rule fire (finding ids with packages or paths), or why it could not be evaluated. */
  evidence: string[];
}

export interface StageVerdict {
  stage: string;
  /** `deny` when a deny rule fired, the score is below the stage's minimum, or a rule failed to evaluate. */
  outcome: 'allow' | 'warn' | 'deny';
  score: number;
  minScore: number;
  verdicts: RuleVerdict[];
}

/** How many evidence items a verdict lists before summarizing the rest. */
const MAX_EVIDENCE = 10;

function describe(item: FindingView | PackageView): string {
  if ('kind' in item) {
    const where = item.packageName ? `${item.packageName}@${item.installedVersion}` : item.path;
    return where ? `${item.id} (${where})` : item.id;
  }
  return `${item.name}@${item.version}`;
}

function evidenceOf(rule: PolicyRule, input: PolicyInput): string[] {
  if (!rule.evidence) return [];
  const items = rule.evidence(input) as (FindingView | PackageView)[];
  const shown = items.slice(0, MAX_EVIDENCE).map(describe);
  if (items.length > MAX_EVIDENCE) shown.push(`… ${items.length - MAX_EVIDENCE} more`);
  return shown;
}

export function evaluateRule(rule: PolicyRule, input: PolicyInput): RuleVerdict {
  const verdict: RuleVerdict = {
    rule: rule.id,
    description: rule.description,
    action: rule.action,
    result: 'pass',
    evidence: [],
  };
  try {
    if (rule.compiled(input) === true) {
      verdict.result = 'fail';
      verdict.evidence = evidenceOf(rule, input);
    }
  } catch (error) {
    // A rule that cannot be evaluated must not pass silently: it counts as failed.
    verdict.result = 'error';
    verdict.evidence = [(error as Error).message.split('\n')[0] ?? 'evaluation error'];
  }
  return verdict;
}

export function evaluateStage(stage: PolicyStage, input: PolicyInput): StageVerdict {
  const score = Number(input.score);
  const verdicts = stage.rules.map((rule) => evaluateRule(rule, input));
  if (stage.minScore > 0) {
    verdicts.push({
      rule: 'minScore',
      description: `risk score at least ${stage.minScore}`,
      action: 'deny',
      result: score >= stage.minScore ? 'pass' : 'fail',
      evidence: score >= stage.minScore ? [] : [`score ${score} < ${stage.minScore}`],
    });
  }
  const failed = (v: RuleVerdict) => v.result !== 'pass';
  const deny = verdicts.some((v) => failed(v) && (v.action === 'deny' || v.result === 'error'));
  const warn = verdicts.some((v) => failed(v) && v.action === 'warn');
  return {
    stage: stage.name,
    outcome: deny ? 'deny' : warn ? 'warn' : 'allow',
    score,
    minScore: stage.minScore,
    verdicts,
  };
}
