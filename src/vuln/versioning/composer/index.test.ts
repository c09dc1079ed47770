import { describe, expect, it } from 'vitest';
import { composer, normalizeComposerVersion } from './index.js';
import { canonicalizePhpVersion, phpVersionCompare } from './php-version-compare.js';

describe('PHP version_compare', () => {
  it.each([
    ['1.0-beta2', '1.0.beta.2'],
    ['1.0rc1', '1.0.rc.1'],
    ['1..0__1', '1.0.1'],
    ['1.0+build', '1.0.build'],
  ])('canonicalizes %s to %s', (input, canonical) => {
    expect(canonicalizePhpVersion(input)).toBe(canonical);
  });

  it.each([
    ['1.0', '1', 1],
    ['1.0.dev', '1.0', -1],
    ['1.0.patch', '1.0.1', 1],
    ['1.0.foo', '1.0.dev', -1],
    ['1.0-', '1.0', -1],
    ['1.0alpha', '1.0a', 0],
    ['1.0rc1', '1.0RC1', 0],
    ['99999999999999999999', '99999999999999999998', 0],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(phpVersionCompare(a, b)).toBe(expected);
    expect(phpVersionCompare(b, a)).toBe(-expected || 0);
  });
});

describe('composer versions', () => {
  it.each([
    ['v1.2-beta.3', '1.2.0.0-beta3'],
    ['2.x-dev', '2.9999999.9999999.9999999-dev'],
    ['2.1.*-dev', '2.1.9999999.9999999-dev'],
    ['1.0.0-stable-dev', '1.0.0.0'],
    ['1.0-rc1-dev', '1.0.0.0-RC1-dev'],
    ['1.0.0+abc', '1.0.0.0'],
    ['1.0pl3', '1.0.0.0-patch3'],
    ['2010-01-02.5', '2010.01.02.5'],
    ['1.0.0 as 2.0.0', '1.0.0.0'],
    ['1.0.0@beta', '1.0.0.0'],
  ])('normalizes %s to %s', (input, normalized) => {
    expect(normalizeComposerVersion(input)).toBe(normalized);
  });

  it.each([
    ['1.0.0', 'v1.0', 0],
    ['1.0.0-dev', '1.0.0-alpha1', -1],
    ['1.0.0-alpha2', '1.0.0-beta1', -1],
    ['1.0.0-beta2', '1.0.0-RC1', -1],
    ['1.0.0-RC2', '1.0.0', -1],
    ['1.0.0', '1.0.0-patch1', -1],
    ['1.0.0-patch1', '1.0.1', -1],
    ['2.x-dev', '2.99.0', 1],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(composer.compare(a, b)).toBe(expected);
  });

  it.each(['dev-main', 'master', '1.0-foo', '', 'x1.0', '1.0.0.0.0'])('does not order %j', (v) => {
    expect(composer.valid(v)).toBe(false);
  });
});
