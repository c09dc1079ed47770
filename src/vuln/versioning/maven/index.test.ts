import { describe, expect, it } from 'vitest';
import { maven } from './index.js';

describe('maven versions (ComparableVersion)', () => {
  it('orders known qualifiers, then unknown ones alphabetically', () => {
    const ascending = [
      '1.0-alpha',
      '1.0-beta',
      '1.0-milestone',
      '1.0-rc',
      '1.0-snapshot',
      '1.0',
      '1.0-sp',
      '1.0-abc',
      '1.0-xyz',
    ];
    for (let i = 0; i + 1 < ascending.length; i++) {
      expect(maven.compare(ascending[i] ?? '', ascending[i + 1] ?? ''), `${ascending[i]}`).toBe(-1);
    }
  });

  it.each([
    ['1', '1.1', -1],
    ['1-foo2', '1-foo10', -1],
    ['1.foo', '1-foo', 0],
    ['1-foo', '1-1', -1],
    ['1-1', '1.1', -1],
    ['1.ga', '1-0', 0],
    ['1-0', '1', 0],
    ['2.0.0.Final', '2.0.0', 0],
    ['1.0.RELEASE', '1.0', 0],
    ['1-a1', '1-alpha-1', 0],
    ['1.0-RC1', '1.0-cr1', 0],
    ['1-sp.1', '1-ga.1', 1],
    ['1-sp-1', '1-ga-1', -1],
    ['1-0.1', '1', 1],
    ['1.0.0-SNAPSHOT', '1.0.0-20240101.120000-1', -1],
    ['1.2.3', '1.2.0000000000000000000000003', 0],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(maven.compare(a, b)).toBe(expected);
    expect(maven.compare(b, a)).toBe(-expected || 0);
  });

  it('describes the canonical item tree', () => {
    expect(maven.describe('1.0-ALPHA1')).toBe('items 1-alpha-1');
    expect(maven.describe('2.0.0.Final')).toBe('items 2');
  });

  it.each(['', '1.0 beta', '1\t2'])('rejects %j', (v) => {
    expect(maven.valid(v)).toBe(false);
  });
});
