import { describe, expect, it } from 'vitest';
import { nuget } from './index.js';

describe('nuget versions', () => {
  it('orders release labels as NuGet documents (package versioning, pre-release versions)', () => {
    // The documented precedence, written here in ascending order.
    const ascending = [
      '1.0.1-aaa',
      '1.0.1-alpha10',
      '1.0.1-alpha2',
      '1.0.1-beta',
      '1.0.1-open',
      '1.0.1-rc.2',
      '1.0.1-rc.10',
      '1.0.1-zzz',
      '1.0.1',
    ];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        expect(nuget.compare(ascending[i] ?? '', ascending[j] ?? '')).toBe(Math.sign(i - j));
      }
    }
  });

  it.each([
    ['1.00', '1.0', 0],
    ['1.01.1', '1.1.1', 0],
    ['1.0.0.0', '1.0.0', 0],
    ['1', '1.0.0', 0],
    ['1.0.01.0', '1.0.1', 0],
    ['1.0.0.1', '1.0.0', 1],
    ['1.0.0.1', '1.0.1', -1],
    ['1.0.7+r3456', '1.0.7', 0],
    ['1.0.0-Beta', '1.0.0-beta', 0],
    ['1.0.0-BETA.2', '1.0.0-beta.10', -1],
    ['1.0.0-beta.1', '1.0.0-beta', 1],
    ['1.0.0-1', '1.0.0-a', -1],
    ['1.0.0-beta-9', '1.0.0-beta-10', 1],
    ['6.0.0-preview.7.21377.19', '6.0.0-rc.1.21451.13', -1],
    ['1.0.0-99999999999', '1.0.0-a', -1],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(nuget.compare(a, b)).toBe(expected);
    expect(nuget.compare(b, a)).toBe(-expected || 0);
  });

  it('describes the normalized version', () => {
    expect(nuget.describe(' 1.00.0.0-RC.1+sha.1 ')).toBe('normalized 1.0.0-RC.1, metadata sha.1 (ignored)');
    expect(nuget.describe('4.3.0.1')).toBe('normalized 4.3.0.1');
  });

  it.each([
    '',
    '1.0.0.0.0',
    '1.0.0-',
    '1.0.0-beta..1',
    '1.0.0-01',
    'v1.0',
    '1.0.0+',
    '2147483648.0',
    '1.0.0-b_1',
  ])('rejects %j', (v) => {
    expect(nuget.valid(v)).toBe(false);
  });
});
