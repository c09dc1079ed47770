import { describe, expect } from 'vitest';
import { pep440 } from '../../src/vuln/versioning/pep440/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { pep440Versions } from './generators/pep440.js';
import { expectVerdictAgreement, pairLines, parseVerdicts, runWithInput, verdictCounts } from './oracle.js';
import { generatePairs } from './random.js';

// Debian's interpreter: the default python3 on a developer machine may be another one without packaging.
const PYTHON = '/usr/bin/python3';
const ORACLE = new URL('./oracles/pep440.py', import.meta.url).pathname;

describe('pep440 scheme against python3-packaging', () => {
  const itPackaging = requireIntegration(
    'python3-packaging',
    commandWorks(PYTHON, ['-c', 'import packaging.version']),
  );

  itPackaging('agrees on 10,000 generated pairs (validity and order)', async () => {
    const pairs = generatePairs(440, 10000, pep440Versions.generate, pep440Versions.mutate);
    const verdicts = parseVerdicts(await runWithInput(PYTHON, [ORACLE], pairLines(pairs)), pairs.length);
    const counts = verdictCounts(verdicts);
    expect(counts.less).toBeGreaterThan(2000);
    expect(counts.equal).toBeGreaterThan(200);
    expect(counts.greater).toBeGreaterThan(2000);
    expect(counts.invalid).toBeGreaterThan(300);
    expectVerdictAgreement(pep440, pairs, verdicts);
  });
});
