import { describe, expect, it } from 'vitest';
import type { ScanDocument } from '../../src/policy/scan-document.js';
import {
  renderScoreExplanation,
  SCORE_VERSION,
  type ScoreResult,
  scoreScan,
} from '../../src/policy/score.js';
import { loadThreatIntel } from '../../src/policy/threat-intel.js';
import { malware, scan, secret, vuln } from './scan-fixture.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const intel = loadThreatIntel({
  kev: new URL('kev.json', fixtures).pathname,
  epss: new URL('epss.csv', fixtures).pathname,
});

function lost(result: ScoreResult): number {
  return result.breakdown.reduce((sum, e) => sum + e.points, 0);
}

function expectExactSum(result: ScoreResult): void {
  for (const entry of result.breakdown) expect(Number.isInteger(entry.points) && entry.points > 0).toBe(true);
  expect(Math.round(result.score * 100) + lost(result)).toBe(10_000);
}

describe('risk score', () => {
  it('is 100 for a clean non-root image', () => {
    const result = scoreScan(scan({}));
    expect(result).toEqual({ score: 100, version: SCORE_VERSION, breakdown: [], uncounted: 0 });
  });

  it('traces every lost point to a finding and a factor', () => {
    const doc = scan({
      vulns: [vuln('CVE-2023-4911', 'HIGH', 'libc6', '2.36-9', { fixed: '2.36-9+deb12u3', cvss: 7.8 })],
    });
    const result = scoreScan(doc, { intel });
    // base 7.8³ = 474.552 → 475; KEV +200% = 950; EPSS 0.5 × 200% = 475; fix +25% = 119.
    expect(result.breakdown.map((e) => [e.finding, e.factor, e.points])).toEqual([
      ['CVE-2023-4911', 'severity', 475],
      ['CVE-2023-4911', 'kev', 950],
      ['CVE-2023-4911', 'epss', 475],
      ['CVE-2023-4911', 'fix-available', 119],
    ]);
    expect(result.score).toBe(79.81);
    expectExactSum(result);
  });

  it('weights exposure and criticality labels, workload labels override the image', () => {
    const vulns = [vuln('CVE-2024-0001', 'CRITICAL', 'openssl', '3.0.11-1')];
    const plain = scoreScan(scan({ vulns }), { intel });
    const exposed = scoreScan(
      scan({ vulns, labels: { 'cerana.io/exposure': 'internet', 'cerana.io/criticality': 'high' } }),
      { intel },
    );
    expect(lost(exposed)).toBe(lost(plain) * 2);
    expect(exposed.breakdown.map((e) => e.factor)).toEqual(['severity', 'epss', 'exposure', 'criticality']);
    const override = scoreScan(scan({ vulns }), { intel, labels: { 'cerana.io/exposure': 'internet' } });
    expect(override.breakdown.some((e) => e.factor === 'exposure')).toBe(true);
    expectExactSum(exposed);
  });

  it('gives secrets, malware and root heavy penalties and ignores suppressed findings', () => {
    const accepted = {
      ...vuln('CVE-2024-3094', 'CRITICAL', 'xz-utils', '5.6.0'),
      suppressed: { by: 'x', reason: 'y' },
    };
    const result = scoreScan(
      scan({
        user: '',
        vulns: [accepted],
        findings: [secret('aws-key', '/app/.env'), malware('eicar', '/tmp/x')],
      }),
      { intel },
    );
    expect(result.breakdown.map((e) => [e.finding, e.factor, e.points])).toEqual([
      ['image.user', 'root', 1500],
      ['eicar', 'malware', 5000],
      ['aws-key', 'secret', 2500],
    ]);
    expect(result.score).toBe(10);
  });

  it('charges root once, though the hygiene check reports it as a finding too', () => {
    const finding = (object: string) => ({
      kind: 'misconfiguration' as const,
      id: 'CER-IMG-001',
      aliases: [],
      severity: 'MEDIUM' as const,
      title: 'Image runs as root',
      location: { object },
      controls: [],
      references: [],
    });
    const root = scoreScan(scan({ user: '', findings: [finding('config:User')] }));
    expect(root.breakdown.map((e) => [e.finding, e.factor, e.points])).toEqual([
      ['image.user', 'root', 1500],
    ]);
    // Not a restatement where the image is not root (a finding from elsewhere still counts).
    const other = scoreScan(scan({ user: 'app', findings: [finding('config:User')] }));
    expect(other.breakdown.map((e) => [e.finding, e.factor])).toEqual([['CER-IMG-001', 'severity']]);
  });

  it('dampens long tails by rank and floors at 0 with the sum still exact', () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      vuln(`CVE-2024-${1000 + i}`, i % 3 === 0 ? 'HIGH' : 'MEDIUM', `p${i}`, '1', { fixed: '2' }),
    );
    const result = scoreScan(scan({ vulns: many }), { intel });
    expect(result.score).toBe(0);
    expect(result.uncounted).toBeGreaterThan(0);
    expectExactSum(result);
    expect(result.breakdown.some((e) => e.detail.includes('×50% (rank 11)'))).toBe(true);

    const few = scoreScan(scan({ vulns: many.slice(0, 40) }), { intel });
    expect(few.score).toBeGreaterThan(0);
    expectExactSum(few);
  });

  it('is deterministic whatever the input order', () => {
    const vulns = [
      vuln('CVE-2024-1', 'LOW', 'a', '1'),
      vuln('CVE-2024-2', 'HIGH', 'b', '1'),
      vuln('CVE-2024-3', 'HIGH', 'c', '1'),
    ];
    const a = scoreScan(scan({ vulns }), { intel });
    const b = scoreScan(scan({ vulns: [...vulns].reverse() }), { intel });
    expect(b).toEqual(a);
  });

  it('renders the explanation with the score and each entry', () => {
    const doc: ScanDocument = scan({
      user: 'root',
      vulns: [vuln('CVE-2024-3094', 'CRITICAL', 'xz-utils', '5.6.0', { cvss: 10 })],
    });
    const text = renderScoreExplanation(scoreScan(doc, { intel }));
    expect(text.split('\n').slice(0, 4)).toEqual([
      'Risk score 38.20/100 (cerana-risk/2): 61.80 points lost',
      'LOST    FINDING        TARGET          FACTOR    DETAIL',
      '-15.00  image.user     root            root      runs as root',
      '-10.00  CVE-2024-3094  xz-utils@5.6.0  severity  CVSS 10',
    ]);
    // 10 + 20 (KEV) + 16.80 (EPSS 0.84) + 15 (root) = 61.80
    expect(text).toContain('-16.80  CVE-2024-3094  xz-utils@5.6.0  epss      EPSS 0.84');
  });
});
