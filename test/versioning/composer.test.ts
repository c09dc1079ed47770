import { existsSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { composer } from '../../src/vuln/versioning/composer/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { composerVersions } from './generators/composer.js';
import { expectVerdictAgreement, pairLines, parseVerdicts, runWithInput, verdictCounts } from './oracle.js';
import { generatePairs } from './random.js';

const ORACLE = new URL('./oracles/composer.php', import.meta.url).pathname;
const COMPOSER_SEMVER = '/usr/share/php/Composer/Semver/autoload.php';

describe('composer scheme against composer/semver', () => {
  const itPhp = requireIntegration(
    'php-cli and php-composer-semver',
    commandWorks('php', ['-v']) && existsSync(COMPOSER_SEMVER),
  );

  itPhp('agrees on 10,000 generated pairs (normalization and order)', async () => {
    const pairs = generatePairs(2012, 10000, composerVersions.generate, composerVersions.mutate);
    const verdicts = parseVerdicts(await runWithInput('php', [ORACLE], pairLines(pairs)), pairs.length);
    const counts = verdictCounts(verdicts);
    expect(counts.less).toBeGreaterThan(2000);
    expect(counts.equal).toBeGreaterThan(200);
    expect(counts.greater).toBeGreaterThan(2000);
    expect(counts.invalid).toBeGreaterThan(300);
    expectVerdictAgreement(composer, pairs, verdicts);
  });
});
