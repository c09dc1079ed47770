import { describe, expect, it } from 'vitest';
import { rpm, rpmvercmp } from './index.js';

describe('rpm versions', () => {
  it.each([
    ['1.0', '1.0', 0],
    ['1.0', '2.0', -1],
    ['2.0.1', '2.0.1a', -1],
    ['5.5p1', '5.5p10', -1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1],
    ['1.0', '1.0~rc1', 1],
    ['1.0~rc1', '1.0~rc1~git1', 1],
    ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0.1', -1],
    ['1.0^git1', '1.0~rc1', 1],
    ['1.0', '1.0.', 0],
    ['1.a', '1a', 0],
    ['1.010', '1.10', 0],
    ['a', '1', -1],
    ['2.0', '2_0', 0],
  ] as const)('rpmvercmp(%s, %s) = %d', (a, b, expected) => {
    expect(rpmvercmp(a, b)).toBe(expected);
    expect(rpmvercmp(b, a)).toBe(-expected || 0);
  });

  it.each([
    ['1:1.0-1', '2.0-1', 1],
    ['0:2.0-1', '2.0-1', 0],
    [':2.0', '2.0', 0],
    ['2.0-1.el9', '2.0-1.el9_2.1', -1],
    ['2.0', '2.0-1', -1],
    ['3.2-1.el8', '3.10-1.el8', -1],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(rpm.compare(a, b)).toBe(expected);
  });

  it('splits epoch, version and the release after the last hyphen', () => {
    expect(rpm.describe('2:1.0-rc1-3.el9')).toBe('epoch 2, version "1.0-rc1", release "3.el9"');
    expect(rpm.describe('a:1')).toBe('epoch 0, version "a:1", release (none)');
  });

  it.each(['', '1.0 1', '-1', '1.0-', '3:'])('rejects %j', (v) => {
    expect(rpm.valid(v)).toBe(false);
  });
});
