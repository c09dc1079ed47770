import { describe, expect, it } from 'vitest';
import { parsePolicy, policyStage } from './policy.js';
import { STARTER_POLICY } from './starter.js';

const rule = (expr: string, extra = '') => `apiVersion: cerana.io/v1
kind: Policy
metadata:
  name: t
rules:
  - id: r1
    expr: ${expr}${extra}
stages:
  ci:
    minScore: 10
`;

function errorOf(source: string): string {
  try {
    parsePolicy(source, 'p.yaml');
  } catch (error) {
    const e = error as Error & { hint?: string };
    return `${e.message} | ${e.hint ?? ''}`;
  }
  throw new Error('expected the policy to be rejected');
}

describe('policy loading', () => {
  it('loads the starter policy with its stages and per-stage actions', () => {
    const policy = parsePolicy(STARTER_POLICY, 'cerana-policy.yaml');
    expect([...policy.stages.keys()]).toEqual(['ci', 'registry', 'production']);
    const ci = policyStage(policy, 'ci');
    expect(ci.rules.find((r) => r.id === 'no-critical-fixable')?.action).toBe('warn');
    expect(policyStage(policy, 'production').rules.every((r) => r.action === 'deny')).toBe(true);
    expect(policyStage(policy, 'production').minScore).toBe(80);
    expect(() => policyStage(policy, 'dev')).toThrow(/no stage "dev"/);
  });

  it('a stage without a rules map applies every rule with its own action', () => {
    const stage = policyStage(parsePolicy(rule('image.runsAsRoot', '\n    action: warn'), 'p.yaml'), 'ci');
    expect(stage.rules.map((r) => [r.id, r.action])).toEqual([['r1', 'warn']]);
  });

  it('a typo in a field names file, line, column and the expected fields', () => {
    expect(errorOf(rule('findings.exists(f, f.sevrity == "HIGH")'))).toBe(
      'p.yaml:7:32: rule r1: type error: No such key: sevrity | Finding fields: kind, id, aliases, severity, title, path, packageName, packageType, installedVersion, fixedVersion, fixAvailable, kev, epss, cvss, suppressed',
    );
    expect(errorOf(rule('imag.runsAsRoot'))).toMatch(
      /^p\.yaml:7:11: rule r1: type error: Unknown variable: imag \| variables: image, os, packages, findings, score, trust/,
    );
  });

  it('positions errors inside quoted and block expressions', () => {
    expect(errorOf(rule('"score > 1 && image.rootUser"'))).toMatch(
      /^p\.yaml:7:31: .*No such key: rootUser \| Image fields/,
    );
    const block = rule('|\n      score > 50 &&\n        os.eoll');
    expect(errorOf(block)).toMatch(/^p\.yaml:9:12: .*No such key: eoll \| Os fields: family, version, eol/);
  });

  it('rejects non-boolean expressions and syntax errors', () => {
    expect(errorOf(rule('score + 1'))).toMatch(
      /^p\.yaml:7:11: rule r1: expr must be a boolean, but it is int/,
    );
    expect(errorOf(rule('findings.size() >'))).toMatch(/^p\.yaml:7:\d+: rule r1: syntax error: /);
    expect(errorOf(rule('score > "90"'))).toMatch(/type error/);
  });

  it('rejects unknown fields, actions and rule references with their line', () => {
    expect(errorOf(rule('os.eol', '\n    severity: high'))).toMatch(
      /^p\.yaml:8:5: unknown field "severity" in rule \| expected one of: id, description, expr, action/,
    );
    expect(errorOf(rule('os.eol', '\n    action: block'))).toMatch(
      /^p\.yaml:8:13: action must be one of deny, warn, info/,
    );
    expect(errorOf(`${rule('os.eol')}    rules:\n      r2: deny\n`)).toMatch(
      /^p\.yaml:12:7: stage ci: unknown rule "r2" \| rules: r1/,
    );
    expect(errorOf(rule('os.eol').replace('minScore: 10', 'minScore: 101'))).toMatch(
      /^p\.yaml:10:15: minScore must be/,
    );
    expect(errorOf(rule('os.eol').replace('kind: Policy', 'kind: Polcy'))).toMatch(
      /^p\.yaml:2:7: kind must be Policy/,
    );
    expect(errorOf('rules: [\n')).toMatch(/^p\.yaml:\d+:\d+: YAML: /);
  });

  it('bounds hostile expressions: nesting, size and comprehension depth', () => {
    expect(errorOf(rule(`"${'('.repeat(400)}true${')'.repeat(400)}"`))).toMatch(
      /^p\.yaml:7:\d+: rule r1: syntax error: .*(depth|deep|nest)/i,
    );
    const cubic = 'findings.exists(a, findings.exists(b, findings.exists(c, a.id == c.id)))';
    expect(errorOf(rule(cubic))).toMatch(
      /^p\.yaml:7:49: rule r1: comprehensions nested 3 deep \(at most 2\)/,
    );
    const pair =
      'findings.exists(f, packages.exists(p, p.name == f.packageName && f.severity == "CRITICAL"))';
    expect(() => parsePolicy(rule(pair), 'p.yaml')).not.toThrow();
  });
});
