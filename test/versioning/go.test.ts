import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { go } from '../../src/vuln/versioning/go/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { expectVerdictAgreement, pairLines, parseVerdicts, runWithInput, verdictCounts } from './oracle.js';
import { generatePairs, type Random, tweakNumber } from './random.js';

// Debian's golang-golang-x-mod-dev puts the x/mod sources here; the oracle builds against them in GOPATH mode.
const GOPATH = '/usr/share/gocode';
const ORACLE_DIR = new URL('./oracles/gosemver', import.meta.url).pathname;

function timestamp(r: Random): string {
  return `${r.int(2018, 2025)}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(10, 28))}${String(r.int(100000, 235959))}`;
}

function pseudo(r: Random): string {
  const hash = r.pick(['daa7c04131f5', '0123456789ab', 'abcdefabcdef']);
  switch (r.int(0, 2)) {
    case 0:
      return `v0.0.0-${timestamp(r)}-${hash}`;
    case 1:
      return `v${r.int(0, 3)}.${r.int(0, 9)}.${r.int(1, 9)}-0.${timestamp(r)}-${hash}`;
    default:
      return `v${r.int(0, 3)}.${r.int(0, 9)}.${r.int(0, 9)}-${r.pick(['pre', 'rc.1', 'beta'])}.0.${timestamp(r)}-${hash}`;
  }
}

function generate(r: Random): string {
  if (r.chance(0.25)) return pseudo(r);
  let v = `v${r.int(0, 3)}`;
  if (r.chance(0.1)) return r.chance(0.5) ? v : `${v}.${r.int(0, 12)}`;
  v += `.${r.int(0, 12)}.${r.chance(0.1) ? r.number() : r.int(0, 12)}`;
  if (r.chance(0.4)) {
    const ids = Array.from({ length: r.int(1, 3) }, () =>
      r.chance(0.5) ? String(r.int(0, 20)) : r.pick(['alpha', 'beta', 'rc', 'pre', 'A', 'x-y']),
    );
    v += `-${ids.join('.')}`;
  }
  if (r.chance(0.15)) v += r.pick(['+incompatible', '+build.1', '+meta']);
  return v;
}

function mutate(r: Random, v: string): string {
  switch (r.int(0, 7)) {
    case 0:
      return v.replace(/\+.*$/, '') + r.pick(['+incompatible', '', '-rc.1', '-0']);
    case 1:
      return v.replace(/-[^+]*/, '');
    case 2:
      return v.replace(/^v([0-9]+)\.([0-9]+)\.0$/, 'v$1.$2');
    case 3:
      // Invalid edits, to check that both sides reject the same strings.
      return r.pick([
        v.slice(1),
        `${v}.`,
        v.replace('.', '.0'),
        `${v}-`,
        `${v}+`,
        v.replace(/^v/, 'V'),
        `${v}-01`,
      ]);
    default:
      return tweakNumber(r, v);
  }
}

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
    const pairs = generatePairs(1019, 10000, generate, mutate);
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
