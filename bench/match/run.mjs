#!/usr/bin/env node
/**
 * Vulnerability matching benchmark on the real OSV kit (../shared/osv):
 *  (a) match throughput: a 5,000-package SBOM (real package names from the kit, mixed ecosystems)
 *      matched with a cold database, against the floor of the bare lookups for the same packages;
 *  (b) rescan of 1,000 stored SBOMs (CycloneDX files of 200 packages each) right after a database
 *      update: read + parse + match each, against the floor of reading and JSON.parse-ing them;
 *  (c) `cerana image` end to end on an image whose layers are cached, against the floor of the
 *      CLI starting (`cerana version compare`).
 *
 *   npm run build && node bench/match/run.mjs [--kit <dir>] [--sboms 1000] [--image <docker ref>]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((arg, i, all) => (arg.startsWith('--') ? [arg.slice(2), all[i + 1] ?? ''] : undefined))
    .filter(Boolean),
);
const KIT = resolve(args.kit ?? join(root, '../shared/osv'));
const SBOMS = Number(args.sboms ?? 1000);
const PER_SBOM = 200;

const { importDatabase, openDatabase } = await import(join(root, 'dist/vuln/db/index.js'));
const { matchPackages, coveredBases } = await import(join(root, 'dist/vuln/match/index.js'));
const { readSbom } = await import(join(root, 'dist/vuln/match/sbom/read.js'));

const work = mkdtempSync(join(tmpdir(), 'cerana-bench-match-'));
const seconds = (ms) => (ms / 1000).toFixed(2);

/** Real names from the kit, each at a version old enough for some advisories to apply. */
function packagePool() {
  const versions = { npm: '1.0.0', PyPI: '1.0', Go: 'v0.1.0', Maven: '1.0' };
  const types = { npm: 'npm', PyPI: 'pypi', Go: 'golang', Maven: 'maven' };
  const seen = new Set();
  const pool = [];
  for (const line of readFileSync(join(KIT, 'MANIFEST.tsv'), 'utf8').split('\n')) {
    const [ecosystem, , , names] = line.split('\t');
    if (!types[ecosystem] || !names) continue;
    for (const name of names.split(',')) {
      const key = `${ecosystem}\0${name}`;
      if (seen.has(key) || name === '') continue;
      seen.add(key);
      const type = types[ecosystem];
      pool.push({
        type,
        name,
        version: name === 'stdlib' ? '1.19.8' : versions[ecosystem],
        purl: `pkg:${type}/${encodeURIComponent(name)}@${versions[ecosystem]}`,
        licenses: [],
        locations: [{ path: `/pool/${name}`, layer: 'sha256:bench' }],
        osOwned: false,
      });
    }
  }
  return pool;
}

function take(pool, count, offset) {
  return Array.from({ length: count }, (_, i) => {
    const pkg = pool[(offset + i * 7) % pool.length];
    // Unique versions per copy would defeat nothing: lookups are keyed by name.
    return { ...pkg, locations: [{ path: `/app/${i}/${pkg.name}`, layer: 'sha256:bench' }] };
  });
}

console.log(`kit: ${KIT}`);
const dbPath = join(work, 'vuln.db');
let started = performance.now();
await importDatabase(KIT, dbPath);
const importMs = performance.now() - started;
console.log(`database update (import of the kit): ${seconds(importMs)} s`);

// (a) 5,000 packages.
const pool = packagePool();
const sbom5000 = take(pool, 5000, 0);
{
  const floorDb = await openDatabase(dbPath, { cacheSize: 0 });
  started = performance.now();
  let entries = 0;
  for (const pkg of sbom5000) {
    const eco = { npm: 'npm', pypi: 'PyPI', golang: 'Go', maven: 'Maven' }[pkg.type];
    entries += floorDb.affectedFor(eco, pkg.name).length;
  }
  const floorMs = performance.now() - started;
  floorDb.close();
  const db = await openDatabase(dbPath);
  started = performance.now();
  const result = matchPackages(db, sbom5000, { coveredEcosystems: coveredBases(db.status().sources) });
  const matchMs = performance.now() - started;
  db.close();
  console.log(
    `(a) match 5,000 packages (${pool.length} distinct names, ${entries} affected entries evaluated): ` +
      `${Math.round(5000 / (matchMs / 1000))} packages/s (${matchMs.toFixed(0)} ms, ${result.findings.length} findings); ` +
      `bare lookups ${floorMs.toFixed(0)} ms; ratio match/lookups ${(matchMs / floorMs).toFixed(2)}`,
  );
}

// (b) 1,000 stored SBOMs, rescanned after the update.
{
  const dir = join(work, 'sboms');
  mkdirSync(dir);
  for (let i = 0; i < SBOMS; i++) {
    const components = take(pool, PER_SBOM, i * 13).map((pkg) => ({
      type: 'library',
      name: pkg.name,
      version: pkg.version,
      purl: pkg.purl,
    }));
    writeFileSync(
      join(dir, `${i}.cdx.json`),
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        metadata: { component: { name: `image-${i}` } },
        components,
      }),
    );
  }
  started = performance.now();
  for (let i = 0; i < SBOMS; i++) JSON.parse(readFileSync(join(dir, `${i}.cdx.json`), 'utf8'));
  const floorMs = performance.now() - started;
  started = performance.now();
  const db = await openDatabase(dbPath);
  const covered = coveredBases(db.status().sources);
  let findings = 0;
  for (let i = 0; i < SBOMS; i++) {
    const file = join(dir, `${i}.cdx.json`);
    const sbom = readSbom(readFileSync(file, 'utf8'), file);
    findings += matchPackages(db, sbom.packages, { coveredEcosystems: covered }).findings.length;
  }
  db.close();
  const rescanMs = performance.now() - started;
  console.log(
    `(b) rescan ${SBOMS} SBOMs x ${PER_SBOM} packages after the update: ${seconds(rescanMs)} s ` +
      `(target < 60 s; update ${seconds(importMs)} s, total ${seconds(importMs + rescanMs)} s; ${findings} findings); ` +
      `read+parse floor ${seconds(floorMs)} s; ratio ${(rescanMs / floorMs).toFixed(1)}`,
  );
}

// (c) cerana image on a cached image.
{
  const cli = join(root, 'dist/cli/bin.cjs');
  let image = args.image;
  try {
    if (!image) {
      image = 'cerana-bench-match:latest';
      execFileSync(
        'docker',
        ['build', '--network', 'host', '-q', '-t', image, join(root, 'test/images/vuln-match')],
        {
          env: { ...process.env, DOCKER_BUILDKIT: '0' },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
    }
    const env = { ...process.env, CERANA_DB: dbPath, CERANA_CACHE_DIR: join(work, 'cache') };
    const time = (argv) => {
      const t0 = performance.now();
      execFileSync(process.execPath, [cli, ...argv], { env, stdio: ['ignore', 'ignore', 'ignore'] });
      return performance.now() - t0;
    };
    const first = time(['image', `docker:${image}`, '-q']);
    const runs = [1, 2, 3].map(() => time(['image', `docker:${image}`, '-q']));
    const startup = Math.min(
      ...[1, 2, 3].map(() => time(['version', 'compare', 'semver', '1.0.0', '2.0.0'])),
    );
    const best = Math.min(...runs);
    console.log(
      `(c) cerana image docker:${image} with vulnerabilities: first ${seconds(first)} s (layers read), cached ${seconds(best)} s ` +
        `(target < 1 s; runs ${runs.map((r) => seconds(r)).join(', ')}); CLI start floor ${seconds(startup)} s; ratio ${(best / startup).toFixed(1)}`,
    );
  } catch (error) {
    console.log(`(c) skipped: ${error.message.split('\n')[0]}`);
  }
}

rmSync(work, { recursive: true, force: true });
