import { describe, expect, it } from 'vitest';
import { dpkg } from './index.js';

describe('dpkg versions', () => {
  it.each([
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~~a', -1],
    ['1.0~~a', '1.0~', -1],
    ['1.0~', '1.0', -1],
    ['1.0', '1.0a', -1],
    ['1.0a', '1.0+', -1],
    ['1.0+dfsg', '1.0.1', -1],
    ['1:0.1', '9.9', 1],
    ['0:1.2', '1.2', 0],
    ['1.2-0', '1.2', 0],
    ['1.002', '1.2', 0],
    ['2.30-21', '2.30-21+deb12u1', -1],
    ['1.2.3-1ubuntu0.1', '1.2.3-1', 1],
    ['10.0', '9.99999999999999999999', 1],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(dpkg.compare(a, b)).toBe(expected);
    expect(dpkg.compare(b, a)).toBe(-expected || 0);
  });

  it('keeps the revision after the last hyphen', () => {
    expect(dpkg.describe('2:1.0-beta-3')).toBe('epoch 2, upstream "1.0-beta", revision "3"');
  });

  it.each(['', ' ', '1.0 beta', ':1.0', 'a:1.0', '1:', '1.0-', '-1', '99999999999:1'])('rejects %j', (v) => {
    expect(dpkg.valid(v)).toBe(false);
    expect(() => dpkg.compare(v, '1')).toThrow(/not a valid dpkg version/);
  });

  it('accepts what dpkg only warns about', () => {
    expect(dpkg.valid('abc')).toBe(true);
    expect(dpkg.compare('abc', '1')).toBe(1);
  });
});
