import { describe, expect, it } from 'vitest';
import { apk } from './index.js';

// Cases written from the apk version specification (apk-package(5)): suffix order
// alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p, an optional letter after the
// numbers, a -r build number last, and dotted components with leading zeros read as fractions.
describe('apk versions', () => {
  it('orders suffixes around the release', () => {
    const ascending = [
      '2.4_alpha',
      '2.4_alpha3',
      '2.4_beta',
      '2.4_pre1',
      '2.4_rc1',
      '2.4_rc2',
      '2.4',
      '2.4-r1',
      '2.4_cvs',
      '2.4_svn',
      '2.4_git20240101',
      '2.4_hg',
      '2.4_p1',
      '2.4_p2-r0',
      '2.4_p10',
      '2.4a',
      '2.4b',
      '2.4.0',
      '2.4.1_rc1',
      '2.4.1',
    ];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        expect(apk.compare(ascending[i] ?? '', ascending[j] ?? ''), `${ascending[i]} ${ascending[j]}`).toBe(
          Math.sign(i - j),
        );
      }
    }
  });

  it.each([
    ['3.1.4-r0', '3.1.4', 1],
    ['3.1.4-r10', '3.1.4-r9', 1],
    ['1.10', '1.9', 1],
    ['1.05', '1.5', -1],
    ['1.05', '1.005', 1],
    ['1.05', '1.04', 1],
    ['07.1', '7.1', 0],
    ['1.2_rc1_p3', '1.2_rc1', 1],
    ['1.2_rc1_beta', '1.2_rc1', -1],
    ['6.5_p20250503-r0', '6.5_p20240101-r3', 1],
    ['1.1.1w-r1', '1.1.1v-r5', 1],
    ['99999999999999999999', '99999999999999999998', 1],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(apk.compare(a, b)).toBe(expected);
    expect(apk.compare(b, a)).toBe(-expected || 0);
  });

  it('describes the tokens it compares', () => {
    expect(apk.describe('1.05a_rc2-r1')).toBe(
      'tokens: number 1, dotted -1, number 5, letter 97, suffix -1, suffixNumber 2, revision 1',
    );
  });

  it.each(['', '1.0_foo', '1.0-1', '1.0A', '1.0-rc', '1.0 1', '1.0bc', '1.0~abc'])('rejects %j', (v) => {
    expect(apk.valid(v)).toBe(false);
  });
});
