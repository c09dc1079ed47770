import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { go } from '../../src/vuln/versioning/go/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { goModuleVersions } from './generators/go.js';
import { expectVerdictAgreement, pairLines, parseVerdicts, runWithInput, verdictCounts } from './oracle.js';
import { generatePairs } from './random.js';

// Debian's golang-golang-x-mod-dev puts the x/mod sources here; the oracle builds against them in GOPATH mode.
const GOPATH = '/usr/share/gocode';
const ORACLE_DIR = new URL('./oracles/gosemver', import.meta.url).pathname;

const work = mkdtempSync(join(tmpdir(), 'cerana-test-go-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('go scheme against golang.org/x/mod/semver', () => {
  const itGo = requireIntegration(
    'go and golang-golang-x-mod-dev',
    commandWorks('go', ['version']) && existsSync(join(GOPATH, 'src/golang.org/x/mod/semver')),
  );

  itGo('agrees on 10,000 generated module version pairs (validity and order)', async () => {
    const oracle = join(work, 'gosemver');
    const env = { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: join(work, 'cache'), GOFLAGS: '' };
    execFileSync('go', ['build', '-o', oracle, '.'], { cwd: ORACLE_DIR, env, timeout: 300_000 });
    const pairs = generatePairs(1019, 10000, goModuleVersions.generate, goModuleVersions.mutate);
    const verdicts = parseVerdicts(await runWithInput(oracle, [], pairLines(pairs)), pairs.length);
    const counts = verdictCounts(verdicts);
    expect(counts.less).toBeGreaterThan(2000);
    expect(counts.equal).toBeGreaterThan(200);
    expect(counts.greater).toBeGreaterThan(2000);
    expect(counts.invalid).toBeGreaterThan(300);
    // x/mod requires the "v"; the scheme also takes OSV's spelling without it, to the same effect.
    const moduleScheme = { ...go, valid: (v: string) => v.startsWith('v') && go.valid(v) };
    expectVerdictAgreement(moduleScheme, pairs, verdicts);
    const withV = pairs.flat().filter((v) => moduleScheme.valid(v));
    expect(withV.filter((v) => !go.valid(v.slice(1)) || go.compare(v, v.slice(1)) !== 0)).toEqual([]);
  });
});

describe('go toolchain versions (go1.19 predates go/version: the order is the release history)', () => {
  // Releases in the order Go published them.
  const releases = [
    'go1',
    'go1.0.3',
    'go1.9beta1',
    'go1.9beta2',
    'go1.9rc1',
    'go1.9rc2',
    'go1.9',
    'go1.9.1',
    'go1.10',
    'go1.19.8',
    'go1.19.13',
    'go1.20rc1',
    'go1.20',
    'go1.20.1',
    'go1.21rc2',
    'go1.21rc3',
    'go1.21.0',
    'go1.21.13',
    'go1.22.0',
  ];

  it('orders the release history', () => {
    for (let i = 0; i < releases.length; i++) {
      for (let j = 0; j < releases.length; j++) {
        expect(go.compare(releases[i] ?? '', releases[j] ?? ''), `${releases[i]} ${releases[j]}`).toBe(
          Math.sign(i - j),
        );
      }
    }
  });

  it('matches the semver spelling of Go vulnerability data', () => {
    expect(go.compare('go1.21rc2', 'v1.21.0-rc.2')).toBe(0);
    expect(go.compare('1.21rc2', '1.21.0-rc.2')).toBe(0);
    expect(go.compare('go1.20', '1.20.0')).toBe(0);
  });
});
