import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CeranaError } from '../../common/errors.js';
import { isSeverity, type Severity } from '../../policy/finding.js';

/** The evaluators rules.yaml can name; see checks.ts. */
export const CHECKS = [
  'runs-as-root',
  'no-healthcheck',
  'setuid-files',
  'world-writable-dirs',
  'installed-software',
  'package-cache',
  'secret-env-names',
  'secret-build-args',
  'add-remote',
  'add-local',
  'pipe-to-shell',
  'exposes-port',
  'eol-os',
] as const;
export type CheckName = (typeof CHECKS)[number];

export interface HygieneRule {
  id: string;
  check: CheckName;
  title: string;
  severity: Severity;
  rationale: string;
  remediation: string;
  controls: string[];
  references: string[];
  /** Check-specific parameters, validated by the check when the rule set is built. */
  params: Record<string, unknown>;
}

export const BUILTIN_HYGIENE_RULES_URL = new URL('./rules.yaml', import.meta.url);
const RULE_ID = /^CER-IMG-[0-9]{3}$/;

/** Reads rules.yaml. It ships with the code, so anything wrong in it is an internal error. */
export function loadHygieneRules(url: URL = BUILTIN_HYGIENE_RULES_URL): HygieneRule[] {
  const doc: unknown = parse(readFileSync(fileURLToPath(url), 'utf8'));
  const rules = (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) throw new CeranaError('INTERNAL', `${url.pathname}: rules must be a list`);
  const ids = new Set<string>();
  return rules.map((raw: unknown, index): HygieneRule => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const where = `hygiene rule ${typeof r.id === 'string' ? r.id : `#${index}`}`;
    const text = (key: string): string => {
      const value = r[key];
      if (typeof value !== 'string' || value.trim() === '')
        throw new CeranaError('INTERNAL', `${where}: ${key} must be a non-empty string`);
      return value.trim();
    };
    const list = (key: string): string[] => {
      const value = r[key] ?? [];
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        throw new CeranaError('INTERNAL', `${where}: ${key} must be a list of strings`);
      return value as string[];
    };
    const id = text('id');
    if (!RULE_ID.test(id) || ids.has(id)) throw new CeranaError('INTERNAL', `${where}: bad or duplicate id`);
    ids.add(id);
    const check = text('check') as CheckName;
    if (!CHECKS.includes(check)) throw new CeranaError('INTERNAL', `${where}: unknown check ${check}`);
    if (!isSeverity(r.severity)) throw new CeranaError('INTERNAL', `${where}: bad severity`);
    const params = r.params ?? {};
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      throw new CeranaError('INTERNAL', `${where}: params must be a mapping`);
    return {
      id,
      check,
      title: text('title'),
      severity: r.severity,
      rationale: text('rationale'),
      remediation: text('remediation'),
      controls: list('controls'),
      references: list('references'),
      params: params as Record<string, unknown>,
    };
  });
}
