import { describe, expect, it } from 'vitest';
import { parseExceptions, visibleFindings } from '../../src/policy/exceptions.js';
import { gateScan } from '../../src/policy/gate.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { STARTER_POLICY } from '../../src/policy/starter.js';
import { applySuppressions, describeExpired } from '../../src/policy/suppress.js';
import { generateOpenVex, parseOpenVex } from '../../src/policy/vex.js';
import { scan, secret, vuln } from './scan-fixture.js';

const EXCEPTIONS = `apiVersion: cerana.io/v1
kind: Exceptions
exceptions:
  - id: CVE-2024-0001
    scope: { image: registry.example/app/*, package: openssl }
    reason: TLS is terminated by the ingress; openssl is only used by curl in a debug script
    owner: platform@example.com
    expires: 2026-12-31
    vex: { status: not_affected, justification: vulnerable_code_not_in_execute_path }
  - id: test-aws-key
    scope: { path: /app/tests/* }
    reason: fixture key, revoked
    owner: app@example.com
    expires: 2026-06-30
  - id: CVE-2024-*
    scope: { image: registry.example/legacy/* }
    reason: legacy image being retired
    owner: legacy@example.com
    expires: 2027-01-31
`;

const doc = scan({
  vulns: [
    vuln('CVE-2024-0001', 'CRITICAL', 'openssl', '3.0.11-1', { fixed: '3.0.13-1' }),
    vuln('CVE-2024-0002', 'HIGH', 'libc6', '2.36-9', { fixed: '2.36-9+deb12u4' }),
  ],
  findings: [secret('test-aws-key', '/app/tests/fixtures.py')],
});

describe('exceptions', () => {
  const exceptions = parseExceptions(EXCEPTIONS, 'exceptions.yaml');

  it('require reason, owner and expiry, and name the line of a bad entry', () => {
    expect(exceptions.map((e) => [e.id, e.source])).toEqual([
      ['CVE-2024-0001', 'exceptions.yaml:4'],
      ['test-aws-key', 'exceptions.yaml:10'],
      ['CVE-2024-*', 'exceptions.yaml:15'],
    ]);
    expect(() => parseExceptions('- id: CVE-1\n  reason: r\n  expires: 2026-01-01\n', 'e.yaml')).toThrow(
      /^e\.yaml:1:3: exception needs "owner"/,
    );
    expect(() => parseExceptions('- {id: a, reason: r, owner: o, expires: soon}\n', 'e.yaml')).toThrow(
      /expires must be a date/,
    );
    expect(() =>
      parseExceptions('- {id: a, reason: r, owner: o, expires: 2026-01-01, scope: {repo: x}}\n', 'e.yaml'),
    ).toThrow(/unknown scope "repo"/);
  });

  it('apply within scope until the end of their expiry day (fake clock), then are reported', () => {
    const before = applySuppressions(doc, { exceptions, now: new Date('2026-06-30T23:59:59Z') });
    expect(before.findings.map((f) => [f.id, f.suppressed?.by])).toEqual([
      ['test-aws-key', 'exceptions.yaml:10'],
      ['CVE-2024-0001', 'exceptions.yaml:4'],
      ['CVE-2024-0002', undefined],
    ]);
    expect(before.expired).toEqual([]);

    const after = applySuppressions(doc, { exceptions, now: new Date('2026-07-01T00:00:00Z') });
    expect(after.findings.find((f) => f.id === 'test-aws-key')?.suppressed).toBeUndefined();
    expect(describeExpired(after.expired)).toEqual([
      'exception test-aws-key (exceptions.yaml:10, owner app@example.com) expired on 2026-06-30: no longer applied',
    ]);
  });

  it('are scoped by image repository', () => {
    const other = scan({
      ref: 'registry.example/legacy/cron:3',
      vulns: [vuln('CVE-2024-0002', 'HIGH', 'libc6', '2.36-9')],
    });
    const result = applySuppressions(other, { exceptions, now: new Date('2026-01-01T00:00:00Z') });
    expect(result.findings[0]?.suppressed?.by).toBe('exceptions.yaml:15');
    const elsewhere = scan({
      ref: 'docker.io/library/nginx:1',
      vulns: [vuln('CVE-2024-0001', 'CRITICAL', 'openssl', '3.0.11-1')],
    });
    expect(
      applySuppressions(elsewhere, { exceptions, now: new Date('2026-01-01T00:00:00Z') }).findings[0]
        ?.suppressed,
    ).toBeUndefined();
  });

  it('change the gate and the score, and stay visible with --show-suppressed', () => {
    const policy = parsePolicy(STARTER_POLICY, 'starter.yaml');
    const now = new Date('2026-03-01T00:00:00Z');
    const plain = gateScan(doc, { policy, stage: 'registry' });
    const { findings } = applySuppressions(doc, { exceptions, now });
    const excepted = gateScan(doc, { policy, stage: 'registry', findings });
    const failing = (g: typeof plain) =>
      g.verdict.verdicts.filter((v) => v.result === 'fail').map((v) => v.rule);
    expect(failing(plain)).toEqual(['no-critical-fixable', 'no-secrets', 'pinned-base']);
    expect(failing(excepted)).toEqual(['pinned-base']);
    expect(excepted.score.score).toBeGreaterThan(plain.score.score);
    expect(visibleFindings(findings, false).map((f) => f.id)).toEqual(['CVE-2024-0002']);
    expect(visibleFindings(findings, true)).toHaveLength(3);
  });
});

describe('OpenVEX', () => {
  const exceptions = parseExceptions(EXCEPTIONS, 'exceptions.yaml');
  const now = new Date('2026-03-01T00:00:00Z');

  it('generates OpenVEX from accepted exceptions and round-trips through --vex', () => {
    const vex = generateOpenVex(exceptions, { author: 'platform@example.com', now });
    expect(vex['@context']).toBe('https://openvex.dev/ns/v0.2.0');
    expect(vex.statements).toEqual([
      {
        vulnerability: { name: 'CVE-2024-0001' },
        products: [{ '@id': 'registry.example/app/*', subcomponents: [{ '@id': 'openssl' }] }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impact_statement:
          'TLS is terminated by the ingress; openssl is only used by curl in a debug script (owner platform@example.com, until 2026-12-31)',
      },
    ]);
    const parsed = parseOpenVex(JSON.stringify(vex), 'generated.vex.json');
    const { findings } = applySuppressions(doc, {
      vex: [{ doc: parsed, origin: 'generated.vex.json' }],
      now,
    });
    expect(findings.map((f) => [f.id, f.suppressed?.reason])).toEqual([
      ['test-aws-key', undefined],
      ['CVE-2024-0001', 'not_affected: vulnerable_code_not_in_execute_path'],
      ['CVE-2024-0002', undefined],
    ]);
  });

  it('honors product purls, fixed statements and the latest statement', () => {
    const text = JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/1',
      author: 'sec@example.com',
      timestamp: '2026-02-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2024-0002' },
          products: [{ '@id': 'pkg:oci/web?repository_url=registry.example/app/web' }],
          status: 'fixed',
        },
        {
          vulnerability: { name: 'CVE-2024-0001' },
          status: 'not_affected',
          justification: 'component_not_present',
        },
        { vulnerability: { name: 'CVE-2024-0001' }, status: 'affected' },
      ],
    });
    const { findings } = applySuppressions(doc, {
      vex: [{ doc: parseOpenVex(text, 'v.json'), origin: 'v.json' }],
      now,
    });
    expect(findings.map((f) => [f.id, f.suppressed?.reason])).toEqual([
      ['test-aws-key', undefined],
      ['CVE-2024-0001', undefined],
      ['CVE-2024-0002', 'fixed: fixed'],
    ]);
    expect(() => parseOpenVex('{"@context":"x"}', 'bad.json')).toThrow(/not an OpenVEX document/);
  });
});
