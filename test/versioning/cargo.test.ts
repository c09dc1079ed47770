import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { cargo } from '../../src/vuln/versioning/cargo/index.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { semverVersions } from './generators/semver.js';
import { expectVerdictAgreement, pairLines, parseVerdicts, runWithInput, verdictCounts } from './oracle.js';
import { generatePairs, type Random } from './random.js';

// Debian's librust-semver-dev installs the crate sources into this directory registry.
const DEBIAN_REGISTRY = '/usr/share/cargo/registry';
const ORACLE_PROJECT = new URL('./oracles/cargo-semver', import.meta.url).pathname;

/** Cargo-specific edits on top of the semver generator: what Cargo must reject or accept. */
function mutate(r: Random, v: string): string {
  if (r.chance(0.7)) return semverVersions.mutate(r, v);
  return r.pick([
    `v${v}`,
    ` ${v}`,
    `0${v}`,
    v.replace(/^[0-9]+/, '18446744073709551615'),
    v.replace(/^[0-9]+/, '18446744073709551616'),
    `${v.replace(/\+.*$/, '')}+001`,
    `${v.replace(/[-+].*$/, '')}-alpha.01`,
    `${v}.0`,
  ]);
}

const work = mkdtempSync(join(tmpdir(), 'cerana-test-cargo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Builds the oracle offline in a copy of its project, so nothing is written into the repository. */
function buildOracle(): string {
  const project = join(work, 'project');
  cpSync(ORACLE_PROJECT, project, { recursive: true });
  const cargoHome = join(work, 'cargo-home');
  mkdirSync(cargoHome);
  writeFileSync(
    join(cargoHome, 'config.toml'),
    `[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "${DEBIAN_REGISTRY}"\n[net]\noffline = true\n`,
  );
  execFileSync('cargo', ['build', '--release', '--quiet'], {
    cwd: project,
    env: { ...process.env, CARGO_HOME: cargoHome, CARGO_TARGET_DIR: join(work, 'target') },
    timeout: 600_000,
  });
  return join(work, 'target', 'release', 'cerana-semver-oracle');
}

describe('cargo scheme against the semver crate', () => {
  const itCargo = requireIntegration(
    'cargo and librust-semver-dev',
    commandWorks('cargo', ['--version']) &&
      existsSync(DEBIAN_REGISTRY) &&
      readdirSync(DEBIAN_REGISTRY).some((crate) => crate.startsWith('semver-1.')),
  );

  itCargo('agrees on 10,000 generated pairs (validity and order)', async () => {
    const oracle = buildOracle();
    const pairs = generatePairs(1815, 10000, semverVersions.generate, mutate);
    const verdicts = parseVerdicts(await runWithInput(oracle, [], pairLines(pairs)), pairs.length);
    const counts = verdictCounts(verdicts);
    expect(counts.less).toBeGreaterThan(2000);
    expect(counts.equal).toBeGreaterThan(200);
    expect(counts.greater).toBeGreaterThan(2000);
    expect(counts.invalid).toBeGreaterThan(300);
    expectVerdictAgreement(cargo, pairs, verdicts);
  });
});
