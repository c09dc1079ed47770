import { describe, expect, it } from 'vitest';
import { cargo } from './index.js';

// Shared semver.org precedence cases run for cargo in ../semver/index.test.ts; these are Cargo's own rules.
describe('cargo versions', () => {
  it('takes semver.org strictly: no v prefix, no whitespace, no leading zeros', () => {
    expect(cargo.valid('v1.2.3')).toBe(false);
    expect(cargo.valid(' 1.2.3')).toBe(false);
    expect(cargo.valid('1.02.3')).toBe(false);
    expect(cargo.valid('1.2.3-alpha.01')).toBe(false);
    expect(cargo.valid('1.2.3+001')).toBe(true);
  });

  it('allows numbers up to u64', () => {
    expect(cargo.valid('18446744073709551615.0.0')).toBe(true);
    expect(cargo.valid('18446744073709551616.0.0')).toBe(false);
    expect(cargo.valid('1.0.0-18446744073709551616')).toBe(false);
  });

  it('orders by precedence, build metadata aside', () => {
    expect(cargo.compare('1.0.0+b', '1.0.0+a')).toBe(0);
    expect(cargo.compare('1.0.0-alpha.1', '1.0.0-alpha.beta')).toBe(-1);
  });
});
