import { describe, expect, it } from 'vitest';
import { cargo } from '../cargo/index.js';
import { semver } from './index.js';

// The precedence example of semver.org §11, in ascending order.
const ASCENDING = [
  '1.0.0-alpha',
  '1.0.0-alpha.1',
  '1.0.0-alpha.beta',
  '1.0.0-beta',
  '1.0.0-beta.2',
  '1.0.0-beta.11',
  '1.0.0-rc.1',
  '1.0.0',
  '1.0.1-0',
  '1.0.1',
  '1.10.0',
  '2.0.0',
];

describe.each([semver, cargo])('$name versions', (scheme) => {
  it('orders the semver.org precedence example', () => {
    for (let i = 0; i < ASCENDING.length; i++) {
      for (let j = 0; j < ASCENDING.length; j++) {
        expect(scheme.compare(ASCENDING[i] ?? '', ASCENDING[j] ?? '')).toBe(Math.sign(i - j));
      }
    }
  });

  it('ignores build metadata', () => {
    expect(scheme.compare('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
    expect(scheme.compare('1.0.0-rc.1+x', '1.0.0')).toBe(-1);
  });

  it('compares numbers beyond 2^53 exactly', () => {
    expect(scheme.compare('1.0.0-9007199254740993', '1.0.0-9007199254740992')).toBe(1);
  });

  it.each([
    '1.0',
    '01.0.0',
    '1.0.0-01',
    '1.0.0-',
    '1.0.0+',
    '1.0.0-a..b',
    '1.0.0_1',
    '',
  ])('rejects %j', (v) => {
    expect(scheme.valid(v)).toBe(false);
  });
});

describe('npm specifics', () => {
  it('npm accepts a v prefix and surrounding spaces', () => {
    expect(semver.compare(' v1.2.3 ', '1.2.3')).toBe(0);
    expect(semver.valid('=1.2.3')).toBe(false);
  });

  it('npm limits numbers to safe integers', () => {
    expect(semver.valid('9007199254740991.0.0')).toBe(true);
    expect(semver.valid('9007199254740992.0.0')).toBe(false);
  });

  it('describes what is compared', () => {
    expect(semver.describe('v1.2.3-rc.1+sha.5')).toBe('1.2.3, pre-release [rc, 1], build sha.5 (ignored)');
  });
});
