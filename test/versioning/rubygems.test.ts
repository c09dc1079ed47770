import { describe, expect } from 'vitest';
import { rubygems } from '../../src/vuln/versioning/rubygems/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { rubygemsVersions } from './generators/rubygems.js';
import { expectVerdictAgreement, pairLines, parseVerdicts, runWithInput, verdictCounts } from './oracle.js';
import { generatePairs } from './random.js';

const ORACLE = new URL('./oracles/rubygems.rb', import.meta.url).pathname;

describe('rubygems scheme against Gem::Version', () => {
  const itRuby = requireIntegration('ruby (Debian ruby)', commandWorks('ruby', ['-e', 'require "rubygems"']));

  itRuby('agrees on 10,000 generated pairs (validity and order)', async () => {
    const pairs = generatePairs(1993, 10000, rubygemsVersions.generate, rubygemsVersions.mutate);
    const verdicts = parseVerdicts(await runWithInput('ruby', [ORACLE], pairLines(pairs)), pairs.length);
    const counts = verdictCounts(verdicts);
    expect(counts.less).toBeGreaterThan(2000);
    expect(counts.equal).toBeGreaterThan(200);
    expect(counts.greater).toBeGreaterThan(2000);
    expect(counts.invalid).toBeGreaterThan(300);
    expectVerdictAgreement(rubygems, pairs, verdicts);
  });
});
