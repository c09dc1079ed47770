import { describe, expect } from 'vitest';
import { dpkg } from '../../src/vuln/versioning/dpkg/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { dpkgVersions } from './generators/dpkg.js';
import { expectAgreement, outcomeCounts, parseOrderings, runWithInput } from './oracle.js';
import { generatePairs } from './random.js';

/** Asks dpkg itself: one shell per half of the pairs, `lt` then `eq` per pair. */
async function dpkgOracle(pairs: [string, string][]): Promise<number[]> {
  const script =
    'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; ' +
    'elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
  const half = Math.ceil(pairs.length / 2);
  const chunks = [pairs.slice(0, half), pairs.slice(half)];
  const outputs = await Promise.all(
    chunks.map((chunk) =>
      runWithInput('sh', ['-c', script], chunk.map(([a, b]) => `${a} ${b}\n`).join('')).then((out) =>
        parseOrderings(out, chunk.length),
      ),
    ),
  );
  return outputs.flat();
}

describe('dpkg scheme against dpkg --compare-versions', () => {
  const itDpkg = requireIntegration('dpkg', commandWorks('dpkg', ['--version']));

  itDpkg('agrees on 1,600 generated pairs', async () => {
    const pairs = generatePairs(20240604, 1600, dpkgVersions.generate, dpkgVersions.mutate);
    for (const [a, b] of pairs) {
      expect(dpkg.valid(a) && dpkg.valid(b), `${a} ${b}`).toBe(true);
    }
    const oracle = await dpkgOracle(pairs);
    const counts = outcomeCounts(oracle);
    expect(counts.less).toBeGreaterThan(300);
    expect(counts.equal).toBeGreaterThan(30);
    expect(counts.greater).toBeGreaterThan(300);
    expectAgreement(dpkg, pairs, oracle as (-1 | 0 | 1)[]);
  });
});
