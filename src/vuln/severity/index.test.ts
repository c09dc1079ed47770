import { describe, expect, it } from 'vitest';
import { chooseSeverity, severitiesOf, vendorRating } from './index.js';

describe('severitiesOf', () => {
  it('reads record and entry CVSS vectors and vendor labels, each with its source', () => {
    const scores = severitiesOf(
      {
        id: 'GHSA-xxxx',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        database_specific: { severity: 'MODERATE', cwe_ids: ['CWE-79'] },
      },
      {
        severity: [{ type: 'Ubuntu', score: 'negligible' }],
        ecosystem_specific: { urgency: 'unimportant' },
      },
    );
    expect(scores).toEqual([
      {
        advisory: 'GHSA-xxxx',
        field: 'severity',
        type: 'CVSS_V3',
        value: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        score: 9.8,
        cvssVersion: '3.1',
        rating: 'CRITICAL',
      },
      {
        advisory: 'GHSA-xxxx',
        field: 'affected.severity',
        type: 'vendor',
        value: 'negligible',
        rating: 'LOW',
      },
      {
        advisory: 'GHSA-xxxx',
        field: 'database_specific.severity',
        type: 'vendor',
        value: 'MODERATE',
        rating: 'MEDIUM',
      },
      {
        advisory: 'GHSA-xxxx',
        field: 'affected.ecosystem_specific.urgency',
        type: 'vendor',
        value: 'unimportant',
        rating: 'LOW',
      },
    ]);
  });

  it('keeps an unreadable vector with its error instead of guessing (GHSA-cqmj-92xf-r6r9 has an empty score)', () => {
    const [score] = severitiesOf({ id: 'X', severity: [{ type: 'CVSS_V3', score: '' }] });
    expect(score).toMatchObject({ rating: 'UNKNOWN', error: 'empty CVSS vector' });
  });

  it('maps vendor words, unknown words to UNKNOWN', () => {
    expect(
      ['CRITICAL', 'Important', 'moderate', 'negligible', 'not yet assigned', 'spicy'].map(vendorRating),
    ).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN', 'UNKNOWN']);
  });
});

describe('chooseSeverity', () => {
  const scores = severitiesOf({
    id: 'A',
    severity: [
      { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' },
    ],
    database_specific: { severity: 'HIGH' },
  });

  it('prefers CVSS v3 for language packages', () => {
    expect(chooseSeverity(scores, false)).toMatchObject({
      severity: 'LOW',
      from: { type: 'CVSS_V3', score: 3.1 },
    });
  });

  it("prefers the distribution's own rating for OS packages", () => {
    expect(chooseSeverity(scores, true)).toMatchObject({ severity: 'HIGH', from: { type: 'vendor' } });
  });

  it('takes the highest of the same kind, never lowers by merging', () => {
    const merged = [
      ...scores,
      ...severitiesOf({
        id: 'B',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
      }),
    ];
    expect(chooseSeverity(merged, false)).toMatchObject({
      severity: 'HIGH',
      from: { advisory: 'B', score: 7.5 },
    });
  });

  it('falls back to UNKNOWN when nothing can be read, and counts 0.0 as LOW', () => {
    expect(chooseSeverity([], false)).toEqual({ severity: 'UNKNOWN' });
    const none = severitiesOf({
      id: 'N',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N' }],
    });
    expect(chooseSeverity(none, false).severity).toBe('LOW');
  });
});
