import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type ImageScanResult, scanImageRef } from '../../src/scan/image-scan.js';
import type { VulnerabilityFinding } from '../../src/vuln/match/index.js';
import { buildTestImage } from '../support/images.js';
import { commandWorks, dockerAvailable, requireIntegration } from '../support/integration.js';
import { KIT, kitAvailable, kitDatabasePath } from './support/db.js';

/**
 * Real packages in a real image against the real OSV kit: a Go program built by Debian's go1.19
 * toolchain, Python distributions copied outside dpkg's ownership next to the dpkg-owned
 * originals, and node_modules of old releases installed from the npm registry by npm itself.
 */
const run = promisify(execFile);
const npmWorks = commandWorks('npm', ['--version']);
const test = requireIntegration('Docker, npm and the OSV kit', dockerAvailable && npmWorks && kitAvailable);

const NPM_PACKAGES = ['lodash@4.17.15', 'minimist@1.2.5', 'axios@0.21.0', 'jsonwebtoken@8.5.1'];
const TOP_LEVEL = new Set(NPM_PACKAGES.map((spec) => spec.split('@')[0]));

let work: string;
let tag: string;
let npmTree: string;
let dbPath: string;
let result: ImageScanResult;
let findings: VulnerabilityFinding[];

async function scan(options: { includeOsOwnedUpstream?: boolean } = {}): Promise<ImageScanResult> {
  return scanImageRef(`docker:${tag}`, {
    source: { cacheDir: join(work, 'cache') },
    scan: {},
    vulnerabilities: { dbPath, ...options },
  });
}

const at = (path: string) => findings.filter((f) => f.location.path === path);
const idsAt = (path: string) => at(path).map((f) => f.id);

beforeAll(async () => {
  if (!(dockerAvailable && npmWorks && kitAvailable)) return;
  work = mkdtempSync(join(tmpdir(), 'cerana-test-vuln-image-'));
  const base = await buildTestImage('vuln-match', { network: 'host' });
  npmTree = join(work, 'context');
  writeFileSync(join(work, 'package.json'), '{}');
  await run('mkdir', ['-p', npmTree]);
  writeFileSync(
    join(npmTree, 'package.json'),
    JSON.stringify({ name: 'cerana-vuln-fixture', version: '1.0.0', private: true }),
  );
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--save-exact',
      '--loglevel=error',
      ...NPM_PACKAGES,
    ],
    { cwd: npmTree, timeout: 300_000 },
  );
  writeFileSync(join(npmTree, 'Dockerfile'), `FROM ${base}\nCOPY node_modules /app/node_modules\n`);
  tag = `cerana-test-vuln-npm:${process.pid}`;
  await run('docker', ['build', '--network', 'none', '-q', '-t', tag, npmTree], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    timeout: 600_000,
  });
  dbPath = await kitDatabasePath();
  result = await scan();
  findings = result.vulnerabilities?.findings ?? [];
}, 900_000);

afterAll(async () => {
  if (tag) await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('vulnerabilities of a real image', () => {
  test("Go: the standard library of a program built with Debian's go1.19.8", () => {
    const stdlib = at('usr/local/bin/hello');
    expect(stdlib.length).toBeGreaterThan(20);
    expect(
      stdlib.every((f) => f.package?.name === 'stdlib' && f.vulnerability.installedVersion === '1.19.8'),
    ).toBe(true);
    // GO-2023-1840 (setuid binaries), fixed in 1.19.10; GO-2023-2102 (HTTP/2 rapid reset), fixed in 1.20.10.
    const setuid = stdlib.find((f) => f.id === 'CVE-2023-29403');
    expect(setuid?.aliases).toContain('GO-2023-1840');
    expect(setuid?.fixedIn?.[0]).toBe('1.19.10');
    expect(setuid?.vulnerability.advisories[0]?.reason).toMatch(
      /^SEMVER range 0: introduced .* <= 1\.19\.8 < fixed 1\.19\.10$/,
    );
    expect(idsAt('usr/local/bin/hello')).toContain('CVE-2023-39325');
    // GO-2023-1571 (CVE-2022-41723) was fixed in 1.19.6: not affected.
    expect(idsAt('usr/local/bin/hello')).not.toContain('CVE-2022-41723');
    const built = result.layers.find((layer) => layer.createdBy.includes('go build'));
    expect(stdlib[0]?.location.layer).toBe(built?.diffId);
  });

  test("Go binaries of Debian's own golang package are the distribution's business by default", async () => {
    const debianGo = result.packages.find(
      (p) => p.type === 'golang' && p.locations.some((l) => l.path.includes('go-1.19/bin/go')),
    );
    expect(debianGo?.osOwned).toBe(true);
    expect(findings.filter((f) => f.location.path?.startsWith('usr/lib/go-1.19/'))).toEqual([]);
    const upstream = (await scan({ includeOsOwnedUpstream: true })).vulnerabilities?.findings ?? [];
    const owned = upstream.filter((f) => f.location.path?.startsWith('usr/lib/go-1.19/'));
    expect(owned.length).toBeGreaterThan(20);
    expect(new Set(owned.map((f) => f.vulnerability.origin))).toEqual(new Set(['upstream-os-owned']));
  }, 300_000);

  test('Python: distributions outside dpkg are matched upstream; the dpkg-owned originals are not', () => {
    const local = findings.filter((f) =>
      f.location.path?.startsWith('usr/local/lib/python3.11/site-packages/'),
    );
    const byPackage = (name: string) => local.filter((f) => f.package?.name.toLowerCase() === name);
    expect(byPackage('urllib3').find((f) => f.id === 'CVE-2023-43804')?.fixedIn).toContain('1.26.17');
    expect(byPackage('requests').find((f) => f.id === 'CVE-2023-32681')?.fixedIn).toEqual(['2.31.0']);
    // Jinja2 3.1.2: the kit's PyPI advisories for Jinja2 all predate it.
    expect(
      result.packages.some((p) => p.name === 'Jinja2' && p.locations[0]?.path.startsWith('usr/local/')),
    ).toBe(true);
    expect(byPackage('jinja2')).toEqual([]);
    expect(findings.filter((f) => f.location.path?.startsWith('usr/lib/python3/dist-packages/'))).toEqual([]);
    const owned = result.packages.filter(
      (p) => p.type === 'pypi' && p.locations[0]?.path.startsWith('usr/lib/python3/'),
    );
    expect(owned.length).toBeGreaterThan(0);
    expect(owned.every((p) => p.osOwned)).toBe(true);
  });

  test('npm: old releases installed by npm against the GitHub advisories in the kit', () => {
    const npm = findings.filter((f) => f.package?.type === 'npm' && TOP_LEVEL.has(f.package.name));
    const ids = (name: string) =>
      npm
        .filter((f) => f.package?.name === name)
        .flatMap((f) => [f.id, ...f.aliases].filter((id) => id.startsWith('GHSA-')))
        .sort();
    expect(ids('lodash')).toEqual(['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw']);
    expect(ids('minimist')).toEqual(['GHSA-xvch-5gv4-984h']);
    // GHSA-8hc4-vh64-cxmj (named `Axios`) covers 1.3.2 to 1.7.3 only.
    expect(ids('axios')).toEqual(['GHSA-cph5-m8f7-6c5x', 'GHSA-wf5p-g6vw-rhxx']);
    expect(ids('jsonwebtoken')).toEqual([
      'GHSA-27h2-hvpr-p74q',
      'GHSA-8cf7-32gw-wr33',
      'GHSA-hjrf-2m68-5959',
      'GHSA-qwph-4952-7xr6',
    ]);
    const prototype = npm.find(
      (f) => f.aliases.includes('GHSA-p6mc-m468-83gw') || f.id === 'GHSA-p6mc-m468-83gw',
    );
    // The advisory as stored in the kit: fixed in 4.17.20.
    expect(prototype?.fixedIn).toEqual(['4.17.20']);
    expect(prototype?.severity).toBe('HIGH');
    expect(prototype?.location.path).toBe('app/node_modules/lodash/package.json');
  });

  test('npm audit agrees on the advisories the kit holds, when the registry answers audits', async (context) => {
    const audit = await run('npm', ['audit', '--json'], { cwd: npmTree, timeout: 120_000 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    let report: { vulnerabilities?: Record<string, { via: (string | { url?: string })[] }> } = {};
    try {
      report = JSON.parse(audit.stdout);
    } catch {
      // No JSON: the audit endpoint did not answer.
    }
    if (report.vulnerabilities === undefined) {
      context.skip('the registry audit endpoint is not reachable here (POST .../advisories/bulk refused)');
      return;
    }
    const kitIds = new Set(
      (await import('node:fs'))
        .readFileSync(join(KIT, 'MANIFEST.tsv'), 'utf8')
        .split('\n')
        .map((line) => line.split('\t')[1]),
    );
    for (const name of TOP_LEVEL) {
      const theirs = (report.vulnerabilities[name]?.via ?? [])
        .flatMap((via) => (typeof via === 'object' && via.url ? [via.url.split('/').pop() ?? ''] : []))
        .filter((id) => kitIds.has(id))
        .sort();
      const ours = findings
        .filter((f) => f.package?.type === 'npm' && f.package.name === name)
        .flatMap((f) => [f.id, ...f.aliases])
        .filter((id) => kitIds.has(id))
        .sort();
      expect(ours, name).toEqual(theirs);
    }
  }, 180_000);
});
