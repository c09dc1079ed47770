import { describe, expect, it } from 'vitest';
import { pep440 } from './index.js';

// Ascending order, following the examples of PEP 440's "Summary of permitted suffixes and relative ordering".
const ASCENDING = [
  '1.dev0',
  '1.0.dev456',
  '1.0a1',
  '1.0a2.dev456',
  '1.0a12.dev456',
  '1.0a12',
  '1.0b1.dev456',
  '1.0b2',
  '1.0b2.post345.dev456',
  '1.0b2.post345',
  '1.0rc1.dev456',
  '1.0rc1',
  '1.0',
  '1.0+abc.5',
  '1.0+abc.7',
  '1.0+5',
  '1.0.post456.dev34',
  '1.0.post456',
  '1.0.15',
  '1.1.dev1',
  '1!0.1',
];

describe('PEP 440 versions', () => {
  it('orders the PEP 440 examples', () => {
    for (let i = 0; i < ASCENDING.length; i++) {
      for (let j = 0; j < ASCENDING.length; j++) {
        expect(
          pep440.compare(ASCENDING[i] ?? '', ASCENDING[j] ?? ''),
          `${ASCENDING[i]} ${ASCENDING[j]}`,
        ).toBe(Math.sign(i - j));
      }
    }
  });

  it.each([
    ['1.0', '1.0.0.0', 0],
    ['v1.0', '1.0', 0],
    ['1.0-RC-1', '1.0rc1', 0],
    ['1.0alpha', '1.0a0', 0],
    ['1.0c1', '1.0rc1', 0],
    ['1.0-preview2', '1.0rc2', 0],
    ['1.0-1', '1.0.post1', 0],
    ['1.0.rev', '1.0.post0', 0],
    ['1.0+ubuntu-1', '1.0+ubuntu.1', 0],
    ['1.0+Local', '1.0+local', 0],
    ['1.0+abc', '1.0+1', -1],
    ['1.0+1', '1.0+1.a', -1],
    ['1.0.99999999999999999999', '1.0.99999999999999999998', 1],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(pep440.compare(a, b)).toBe(expected);
  });

  it('describes a version by its normalized form', () => {
    expect(pep440.describe(' V01!1.02-BETA_3.r-7.DEV-008+Ubuntu-02 ')).toBe('1!1.2b3.post7.dev8+ubuntu.2');
  });

  it.each([
    '',
    '1.0-',
    'a1',
    '1.0+',
    '1.0+a..b',
    '1..0',
    '1.0-dev-pre',
    '1.0 1',
    'dev',
  ])('rejects %j', (v) => {
    expect(pep440.valid(v)).toBe(false);
  });
});
