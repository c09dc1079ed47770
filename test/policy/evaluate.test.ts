import { describe, expect, it } from 'vitest';
import { evaluateStage } from '../../src/policy/evaluate.js';
import { buildPolicyInput } from '../../src/policy/input.js';
import { parsePolicy, policyStage } from '../../src/policy/policy.js';
import { scoreScan } from '../../src/policy/score.js';
import { STARTER_POLICY } from '../../src/policy/starter.js';
import { loadThreatIntel } from '../../src/policy/threat-intel.js';
import { scan, secret, vuln } from './scan-fixture.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const intel = loadThreatIntel({
  kev: new URL('kev.json', fixtures).pathname,
  epss: new URL('epss.csv', fixtures).pathname,
});
const policy = parsePolicy(STARTER_POLICY, 'starter.yaml');

function verdict(doc: ReturnType<typeof scan>, stage: string) {
  const score = scoreScan(doc, { intel });
  return evaluateStage(policyStage(policy, stage), buildPolicyInput(doc, { intel, score: score.score }));
}

const pinned = {
  'org.opencontainers.image.base.name': 'docker.io/library/debian:12',
  'org.opencontainers.image.base.digest': `sha256:${'b'.repeat(64)}`,
};

describe('stage evaluation', () => {
  it('allows a clean, pinned, non-root image at every stage', () => {
    for (const stage of ['ci', 'registry', 'production']) {
      const v = verdict(scan({ labels: pinned }), stage);
      expect(v.outcome).toBe('allow');
      expect(v.verdicts.every((r) => r.result === 'pass')).toBe(true);
    }
  });

  it('raises the bar per stage: warn in CI, deny in the registry', () => {
    const doc = scan({
      labels: pinned,
      vulns: [vuln('CVE-2024-0001', 'CRITICAL', 'openssl', '3.0.11-1', { fixed: '3.0.13-1' })],
    });
    const ci = verdict(doc, 'ci');
    expect(ci.outcome).toBe('warn');
    expect(ci.verdicts.find((r) => r.rule === 'no-critical-fixable')).toEqual({
      rule: 'no-critical-fixable',
      description: 'Critical vulnerabilities with a fix must be fixed',
      action: 'warn',
      result: 'fail',
      evidence: ['CVE-2024-0001 (openssl@3.0.11-1)'],
    });
    expect(verdict(doc, 'registry').outcome).toBe('deny');
  });

  it('denies on known-exploited vulns and secrets with evidence, and on a score below the minimum', () => {
    const doc = scan({
      user: 'root',
      vulns: [vuln('DSA-5678-1', 'HIGH', 'libc6', '2.36-9', { aliases: ['CVE-2023-4911'] })],
      findings: [secret('github-pat', '/root/.gitconfig')],
    });
    const ci = verdict(doc, 'ci');
    expect(ci.outcome).toBe('deny');
    const failed = Object.fromEntries(
      ci.verdicts.filter((r) => r.result === 'fail').map((r) => [r.rule, r.evidence]),
    );
    expect(failed).toEqual({
      'no-known-exploited': ['DSA-5678-1 (libc6@2.36-9)'],
      'no-secrets': ['github-pat (/root/.gitconfig)'],
      'non-root': [],
      'pinned-base': [],
    });
    const production = verdict(doc, 'production');
    expect(production.verdicts.find((r) => r.rule === 'minScore')?.result).toBe('fail');
    expect(production.score).toBeLessThan(80);
  });

  it('sees suppressed findings as suppressed', () => {
    const accepted = {
      ...secret('aws-key', '/app/.env'),
      suppressed: { by: 'exceptions.yaml', reason: 'test key' },
    };
    const v = verdict(scan({ labels: pinned, findings: [accepted] }), 'production');
    expect(v.verdicts.find((r) => r.rule === 'no-secrets')?.result).toBe('pass');
  });

  it('a rule that errors at evaluation counts as a deny', () => {
    const p = parsePolicy(
      'apiVersion: cerana.io/v1\nkind: Policy\nmetadata: {name: t}\nrules:\n  - id: label\n    expr: image.labels["team"] == "x"\n    action: info\nstages:\n  ci: {}\n',
      'p.yaml',
    );
    const v = evaluateStage(policyStage(p, 'ci'), buildPolicyInput(scan({}), { score: 100 }));
    expect(v.outcome).toBe('deny');
    expect(v.verdicts[0]?.result).toBe('error');
    expect(v.verdicts[0]?.evidence[0]).toMatch(/team/);
  });

  it('evaluates severityAtLeast, trust and package rules', () => {
    const p = parsePolicy(
      `apiVersion: cerana.io/v1
kind: Policy
metadata: {name: t}
rules:
  - id: high
    expr: findings.exists(f, severityAtLeast(f.severity, "HIGH"))
  - id: unsigned
    expr: trust.known && !trust.verified
  - id: openssl
    expr: packages.exists(p, p.name == "openssl" && p.version.startsWith("3.0."))
stages:
  ci: {}
`,
      'p.yaml',
    );
    const fired = (doc: ReturnType<typeof scan>) =>
      evaluateStage(policyStage(p, 'ci'), buildPolicyInput(doc, { score: 100 }))
        .verdicts.filter((v) => v.result === 'fail')
        .map((v) => [v.rule, v.evidence]);
    expect(fired(scan({ vulns: [vuln('CVE-1', 'MEDIUM', 'a', '1')] }))).toEqual([
      ['openssl', ['openssl@3.0.11-1']],
    ]);
    const doc = {
      ...scan({ vulns: [vuln('CVE-2', 'CRITICAL', 'b', '1')] }),
      trust: { signed: true, verified: false },
    };
    expect(fired(doc)).toEqual([
      ['high', ['CVE-2 (b@1)']],
      ['unsigned', []],
      ['openssl', ['openssl@3.0.11-1']],
    ]);
  });
});
