import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { maven } from '../../src/vuln/versioning/maven/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { mavenVersions } from './generators/maven.js';
import { expectVerdictAgreement, pairLines, parseVerdicts, runWithInput, verdictCounts } from './oracle.js';
import { generatePairs } from './random.js';

// Debian's maven package ships Maven's own version comparison in this jar.
const MAVEN_ARTIFACT = '/usr/share/maven/lib/maven-artifact-3.x.jar';
const ORACLE_SOURCE = new URL('./oracles/MavenOracle.java', import.meta.url).pathname;

const work = mkdtempSync(join(tmpdir(), 'cerana-test-maven-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('maven scheme against Maven ComparableVersion', () => {
  const itMaven = requireIntegration(
    'javac and maven-artifact (Debian maven)',
    commandWorks('javac', ['-version']) && existsSync(MAVEN_ARTIFACT),
  );

  itMaven('agrees on 10,000 generated pairs', async () => {
    execFileSync('javac', ['-cp', MAVEN_ARTIFACT, '-d', work, ORACLE_SOURCE], { timeout: 120_000 });
    const pairs = generatePairs(3871, 10000, mavenVersions.generate, mavenVersions.mutate);
    const output = await runWithInput(
      'java',
      ['-cp', `${work}:${MAVEN_ARTIFACT}`, 'MavenOracle'],
      pairLines(pairs),
    );
    const verdicts = parseVerdicts(output, pairs.length);
    const counts = verdictCounts(verdicts);
    expect(counts.less).toBeGreaterThan(2000);
    expect(counts.equal).toBeGreaterThan(200);
    expect(counts.greater).toBeGreaterThan(2000);
    expectVerdictAgreement(maven, pairs, verdicts);
  });
});
