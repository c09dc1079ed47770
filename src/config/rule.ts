import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CeranaError } from '../common/errors.js';
import type { Finding, Severity } from '../policy/finding.js';
import { isSeverity } from '../policy/finding.js';
import type { Span } from './position.js';

/** What a rule family reads: the input kinds `cerana config` understands. */
export type ConfigTarget = 'dockerfile' | 'kubernetes' | 'compose' | 'docker-daemon' | 'workload';

/** A rule's metadata, kept as data in the family's `rules.yaml`; docs and crosswalks come from it. */
export interface RuleMeta {
  id: string;
  family: string;
  target: ConfigTarget;
  title: string;
  severity: Severity;
  rationale: string;
  remediation: string;
  /** The same check in other tools: hadolint `DL3008`, Trivy `AVD-DS-0002`/`AVD-KSV-0017`, Checkov `CKV_K8S_16`... */
  aliases: string[];
  /** Standards controls: `CIS Docker 1.6 4.1`, `PSS baseline@v1.0 privileged`, `NIST SP 800-190 4.4.3`... */
  controls: string[];
  references: string[];
  /** Inputs the rule must flag (`fail`) and must not flag (`pass`); the tests run every one of them. */
  examples: { fail: string[]; pass: string[] };
}

/** A finding-to-be, reported by an evaluator. */
export interface Hit {
  span: Span;
  /** File the span belongs to when it is not the scanned file (Compose merges several). */
  file?: string;
  object?: string;
  evidence?: string;
  /** Controls that depend on the evaluation (a versioned PSS control), added to the rule's own. */
  controls?: string[];
}

export type Report = (hit: Hit) => void;

export interface Rule<C> {
  meta: RuleMeta;
  check(context: C, report: Report): void;
}

const RULE_ID = /^CER-[A-Z0-9]+-[0-9]{3}$/;

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new CeranaError('INTERNAL', `rule metadata ${where} must be a non-empty string`);
  }
  return value.trim();
}

function strings(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new CeranaError('INTERNAL', `rule metadata ${where} must be a list of strings`);
  }
  return value as string[];
}

/** Reads and validates a family's `rules.yaml`. Metadata ships with the code, so a bad file is an internal error. */
export function loadRuleMeta(url: URL): RuleMeta[] {
  const doc: unknown = parse(readFileSync(fileURLToPath(url), 'utf8'));
  if (typeof doc !== 'object' || doc === null)
    throw new CeranaError('INTERNAL', `${url.pathname}: not a rule file`);
  const file = doc as Record<string, unknown>;
  const family = text(file.family, `${url.pathname} family`);
  const target = text(file.target, `${family} target`) as ConfigTarget;
  if (!Array.isArray(file.rules)) throw new CeranaError('INTERNAL', `${family}: rules must be a list`);
  return file.rules.map((raw: unknown, index) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const id = text(r.id, `${family}[${index}].id`);
    if (!RULE_ID.test(id)) throw new CeranaError('INTERNAL', `${family}: bad rule id ${id}`);
    if (!isSeverity(r.severity))
      throw new CeranaError('INTERNAL', `${id}: bad severity ${String(r.severity)}`);
    const examples = (r.examples ?? {}) as Record<string, unknown>;
    return {
      id,
      family,
      target,
      title: text(r.title, `${id}.title`),
      severity: r.severity,
      rationale: text(r.rationale, `${id}.rationale`),
      remediation: text(r.remediation, `${id}.remediation`),
      aliases: strings(r.aliases, `${id}.aliases`),
      controls: strings(r.controls, `${id}.controls`),
      references: strings(r.references, `${id}.references`),
      examples: {
        fail: strings(examples.fail, `${id}.examples.fail`),
        pass: strings(examples.pass, `${id}.examples.pass`),
      },
    };
  });
}

/** Pairs metadata with evaluators; a rule without one or the other is a programming error caught at load. */
export function bindRules<C>(
  metas: RuleMeta[],
  evaluators: Record<string, (context: C, report: Report) => void>,
): Rule<C>[] {
  const ids = new Set(metas.map((m) => m.id));
  for (const id of Object.keys(evaluators)) {
    if (!ids.has(id)) throw new CeranaError('INTERNAL', `evaluator ${id} has no metadata`);
  }
  return metas.map((meta) => {
    const check = evaluators[meta.id];
    if (!check) throw new CeranaError('INTERNAL', `rule ${meta.id} has no evaluator`);
    return { meta, check };
  });
}

/** Runs rules over one context and turns hits into findings located in `path`. */
export function runRules<C>(rules: readonly Rule<C>[], context: C, path: string, object?: string): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    rule.check(context, (hit) => findings.push(toFinding(rule.meta, hit, path, object)));
  }
  return findings;
}

export function toFinding(meta: RuleMeta, hit: Hit, path: string, object?: string): Finding {
  const finding: Finding = {
    kind: 'misconfiguration',
    id: meta.id,
    aliases: [...meta.aliases],
    severity: meta.severity,
    title: meta.title,
    location: {
      path: hit.file ?? path,
      line: hit.span.line,
      column: hit.span.column,
      endLine: hit.span.endLine,
      endColumn: hit.span.endColumn,
    },
    remediation: meta.remediation,
    controls: [...meta.controls, ...(hit.controls ?? [])],
    references: [...meta.references],
  };
  const obj = hit.object ?? object;
  if (obj !== undefined) finding.location.object = obj;
  if (hit.evidence !== undefined) finding.evidence = hit.evidence;
  return finding;
}
