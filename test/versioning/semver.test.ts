import npmSemver from 'semver';
import { describe, expect, it } from 'vitest';
import { cargo } from '../../src/vuln/versioning/cargo/index.js';
import { semver } from '../../src/vuln/versioning/semver/index.js';
import type { Ordering } from '../../src/vuln/versioning/types.js';
import { semverVersions } from './generators/semver.js';
import { expectAgreement, outcomeCounts } from './oracle.js';
import { generatePairs } from './random.js';

describe('semver scheme against the npm semver package', () => {
  it('agrees on 10,000 generated pairs', () => {
    const pairs = generatePairs(1337, 10000, semverVersions.generate, semverVersions.mutate);
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
    const candidates = generatePairs(99, 3000, semverVersions.generate, (rand, v) => {
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
