import npmSemver from 'semver';
import { describe, expect, it } from 'vitest';
import { cargo } from '../../src/vuln/versioning/cargo/index.js';
import { semver } from '../../src/vuln/versioning/semver/index.js';
import type { Ordering } from '../../src/vuln/versioning/types.js';
import { expectAgreement, outcomeCounts } from './oracle.js';
import { generatePairs, type Random, tweakNumber } from './random.js';

const WORDS = ['alpha', 'beta', 'rc', 'pre', 'next', 'canary', 'x-y', 'A', 'Z', 'a1', '1a', '-'];

function identifier(r: Random): string {
  // Numbers stay below 2^53: npm compares bigger numeric identifiers as floats, losing digits.
  return r.chance(0.5) ? String(r.chance(0.8) ? r.int(0, 20) : r.int(0, 2 ** 40)) : r.pick(WORDS);
}

function generate(r: Random): string {
  let v = `${r.int(0, 3)}.${r.int(0, 12)}.${r.chance(0.2) ? r.int(10, 2 ** 40) : r.int(0, 12)}`;
  if (r.chance(0.55)) {
    const ids = Array.from({ length: r.int(1, 4) }, () => identifier(r));
    v += `-${ids.join('.')}`;
  }
  if (r.chance(0.15)) v += `+${r.pick(['build.1', 'sha.abc', '001', 'x-y'])}`;
  return v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 6)) {
    case 0:
      return v.includes('-') ? v.replace(/-[^+]*/, '') : `${v.replace(/\+.*/, '')}-${identifier(r)}`;
    case 1:
      return v.includes('-')
        ? v.replace(/(-[^+]*)/, `$1.${identifier(r)}`)
        : `${v.replace(/\+.*$/, '')}+meta`;
    case 2:
      return v.replace(/\+.*$/, '') + (r.chance(0.5) ? '' : `+${r.int(0, 9)}`);
    case 3:
      return v.replace(/-([^.+]+)/, (_all, id: string) => `-${r.pick(WORDS.filter((w) => w !== id))}`);
    default: {
      // Keep numbers valid: a tweak that adds a leading zero would only test rejection.
      const tweaked = tweakNumber(r, v);
      return npmSemver.valid(tweaked) ? tweaked : v;
    }
  }
}

describe('semver scheme against the npm semver package', () => {
  it('agrees on 10,000 generated pairs', () => {
    const pairs = generatePairs(1337, 10000, generate, mutate);
    const oracle = pairs.map(([a, b]) => npmSemver.compare(a, b) as Ordering);
    const counts = outcomeCounts(oracle);
    expect(counts.less).toBeGreaterThan(2000);
    expect(counts.equal).toBeGreaterThan(200);
    expect(counts.greater).toBeGreaterThan(2000);
    expectAgreement(semver, pairs, oracle);
    // The same strings are strict semver.org versions, so cargo must order them the same way.
    expectAgreement(cargo, pairs, oracle);
  });

  it('accepts and rejects what npm does', () => {
    const candidates = generatePairs(99, 3000, generate, (rand, v) => {
      const edits = [
        () => `v${v}`,
        () => ` ${v} `,
        () => `=${v}`,
        () => `0${v}`,
        () => v.replace(/\./, '.0'),
        () => v.replace(/-/, '-0'),
        () => `${v}.`,
        () => `${v}-`,
        () => `${v}+`,
        () => v.replace(/\.[0-9]+$/, ''),
        () => `${v}_1`,
        () => `V${v}`,
        () => `${'9'.repeat(rand.int(15, 17))}.0.0`,
        () => `1.0.0-${'a'.repeat(rand.int(240, 260))}`,
      ];
      return rand.pick(edits)();
    }).flat();
    const disagreements = candidates.filter((v) => semver.valid(v) !== (npmSemver.valid(v) !== null));
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(candidates.filter((v) => !semver.valid(v)).length).toBeGreaterThan(500);
  });
});
