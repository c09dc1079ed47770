import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { maven } from '../../src/vuln/versioning/maven/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { expectVerdictAgreement, pairLines, parseVerdicts, runWithInput, verdictCounts } from './oracle.js';
import { generatePairs, type Random, tweakNumber } from './random.js';

// Debian's maven package ships Maven's own version comparison in this jar.
const MAVEN_ARTIFACT = '/usr/share/maven/lib/maven-artifact-3.x.jar';
const ORACLE_SOURCE = new URL('./oracles/MavenOracle.java', import.meta.url).pathname;

const QUALIFIERS = [
  'alpha',
  'a',
  'beta',
  'b',
  'milestone',
  'm',
  'rc',
  'cr',
  'snapshot',
  'SNAPSHOT',
  'ga',
  'final',
  'Final',
  'release',
  'RELEASE',
  'sp',
  'jre',
  'android',
  'foo',
  'M',
  'RC',
];

function generate(r: Random): string {
  let v = r.number();
  const parts = r.int(0, 4);
  for (let i = 0; i < parts; i++) {
    const separator = r.pick(['.', '.', '-', '-', '']);
    const word = r.chance(0.55) ? r.number() : r.pick(QUALIFIERS);
    // Without a separator a word must change kind (digit/letter) to be a separate item.
    v += separator === '' && /^[0-9]/.test(word) === /[0-9]$/.test(v) ? '.' : separator;
    v += word;
  }
  if (r.chance(0.05)) v += r.pick(['.', '-', '--', '.-']);
  return r.chance(0.03) ? r.pick(QUALIFIERS) + v : v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 8)) {
    case 0:
      return `${v}${r.pick(['-SNAPSHOT', '.0', '-0', '-1', '.1', '-ga', '-final', 'a1', '-rc1', '.RC1', '-sp1', '.Final', '-foo'])}`;
    case 1:
      return v.replace(/[.-]/, (s) => (s === '.' ? '-' : '.'));
    case 2:
      return v.replace(/[a-z]+/i, () => r.pick(QUALIFIERS));
    case 3:
      return v.replace(/[.-](0*[0-9]+|[a-z]+)$/i, '');
    case 4:
      return v.toUpperCase();
    default:
      return tweakNumber(r, v);
  }
}

const work = mkdtempSync(join(tmpdir(), 'cerana-test-maven-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('maven scheme against Maven ComparableVersion', () => {
  const itMaven = requireIntegration(
    'javac and maven-artifact (Debian maven)',
    commandWorks('javac', ['-version']) && existsSync(MAVEN_ARTIFACT),
  );

  itMaven('agrees on 10,000 generated pairs', async () => {
    execFileSync('javac', ['-cp', MAVEN_ARTIFACT, '-d', work, ORACLE_SOURCE], { timeout: 120_000 });
    const pairs = generatePairs(3871, 10000, generate, mutate);
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
