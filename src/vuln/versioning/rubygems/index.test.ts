import { describe, expect, it } from 'vitest';
import { rubygems } from './index.js';

describe('rubygems versions', () => {
  it.each([
    ['1.0', '1', 0],
    ['1.0.0.0', '1', 0],
    ['', '0', 0],
    ['  1.2  ', '1.2', 0],
    ['1.0.a', '1.0', -1],
    ['1.0.a', '0.9', 1],
    ['1.0.a.0', '1.a', 0],
    ['1.0.0-rc1', '1.0.0.pre.rc1', 0],
    ['1.0.0-rc1', '1.0.0', -1],
    ['1.0.b1', '1.0.a2', 1],
    ['1.0.rc1', '1.0.rc10', -1],
    ['1.0.B', '1.0.a', -1],
    ['1.0.a1', '1.0.a.1', 0],
    ['2.7.0.beta', '2.7.0.alpha.1', 1],
    ['3.2.0.1', '3.2.0', 1],
    ['1.10', '1.9', 1],
    ['99999999999999999999.1', '99999999999999999999', 1],
  ] as const)('%j vs %j', (a, b, expected) => {
    expect(rubygems.compare(a, b)).toBe(expected);
    expect(rubygems.compare(b, a)).toBe(-expected || 0);
  });

  it('describes the canonical segments', () => {
    expect(rubygems.describe('1.0.0-rc1')).toBe('pre-release 1.pre.rc.1');
    expect(rubygems.describe('2.0.0')).toBe('release 2');
  });

  it.each(['a', '1a', '1..0', '1.0-', '-1', '1.0 1', '1.0_1', 'v1.0'])('rejects %j', (v) => {
    expect(rubygems.valid(v)).toBe(false);
  });
});
