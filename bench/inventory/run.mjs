#!/usr/bin/env node
/**
 * Inventory benchmark: what cataloging costs on top of the bare layer read of a large image
 * (Debian with many apt packages, Go binaries, jars, a big node_modules), and how a cold Cerana
 * SBOM scan compares with a cold Trivy SBOM run on the same `docker save` archive.
 *
 *   npm run bench -- inventory [--runs 3] [--trivy-runs 2] [--dir <fixture dir>] [--rebuild] [--no-trivy]
 *
 * See README.md in this folder.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { asTheCliRuns, interleaved, parseArgs, runTimed, TRIVY, trivySbomCold } from '../lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = parseArgs(process.argv.slice(2));
const runs = Number(args.runs ?? 3);
const fixtureDir = resolve(
  args.dir ?? join(process.env.CERANA_BENCH_DIR ?? join(homedir(), '.cache', 'cerana-bench'), 'inventory'),
);
const IMAGE = 'cerana-test-bench-inventory:1';
/** Installed from the registry into the image's /app/node_modules. */
const NODE_PACKAGES = ['eslint@8', 'webpack@5', 'jest@29', 'typescript@5', 'express@4', 'lodash@4'];
/** Trivy cannot read jars offline (no Java DB): these directories are skipped for it, not for Cerana. */
const JAR_DIRS = ['/usr/share/java', '/usr/share/maven-repo', '/usr/share/maven', '/srv'];

if (!existsSync(join(root, 'dist/inventory/catalog-image.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
await asTheCliRuns(root);
const { scanImage } = await import(join(root, 'dist/image/scan/index.js'));
const { openImage } = await import(join(root, 'dist/image/source/index.js'));
const { catalogImage } = await import(join(root, 'dist/inventory/catalog-image.js'));
const { defaultCatalogers } = await import(join(root, 'dist/inventory/catalogers.js'));
const { detectOs } = await import(join(root, 'dist/inventory/os/detect.js'));
const { osReleaseVisitor } = await import(join(root, 'dist/inventory/os/visitor.js'));

const work = join(tmpdir(), `cerana-bench-inventory-${process.pid}`);
mkdirSync(work, { recursive: true });
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const { archive, ociDir } = buildFixture();
console.log(
  `node ${process.version}, ${availableParallelism()} CPUs, minimum (median) of ${runs} interleaved runs\n`,
);

let inventory;
for (const [variant, ref] of [
  ['docker save archive (uncompressed layers)', `docker-archive:${archive}`],
  ['OCI layout (gzip layers, via skopeo)', `oci:${ociDir}`],
]) {
  console.log(`— ${variant}`);
  const cases = [
    ['bare layer read (os-release visitor only)', () => cerana(ref, [osReleaseVisitor])],
    [
      'layer read + every cataloger + catalogImage',
      async () => {
        inventory = await cerana(ref, [osReleaseVisitor, ...defaultCatalogers()], true);
      },
    ],
  ];
  const measured = await interleaved(
    cases.map(([, run]) => run),
    runs,
  );
  const bare = measured[0];
  for (const [i, [label]] of cases.entries()) {
    const m = measured[i];
    const ratio =
      i === 0
        ? ''
        : `x${(m.wall / bare.wall).toFixed(3)} wall, x${(m.cpu / bare.cpu).toFixed(3)} cpu of the bare read (target <= 1.15)`;
    console.log(`${timing(label, m)}  ${ratio}`);
  }
  console.log();
}

// What a user runs: the CLI in a process of its own, module loading and SBOM rendering included.
// Three controls, each leaving one of the CLI's process settings (src/cli/process-settings.cts) at
// its default: V8's garbage collection and its optimizing budget (bench/lib/cli-v8-default.mjs),
// and libuv's thread pool of 4.
console.log('— the CLI, a fresh process per run: cerana sbom <docker save archive> --no-cache');
const sbomArgs = [
  'sbom',
  `docker-archive:${archive}`,
  '--no-cache',
  '--quiet',
  '-o',
  join(work, 'sbom.json'),
];
const bin = join(root, 'dist/cli/bin.cjs');
const v8Default = (setting) => [
  process.execPath,
  join(here, '../lib/cli-v8-default.mjs'),
  setting,
  ...sbomArgs,
];
const [cli, cliDefaultGc, cliDefaultJit, cliDefaultPool] = await interleaved(
  [
    () => runTimed([process.execPath, bin, ...sbomArgs], 'cerana'),
    () => runTimed(v8Default('gc'), 'cerana'),
    () => runTimed(v8Default('jit'), 'cerana'),
    () =>
      runTimed([process.execPath, bin, ...sbomArgs], 'cerana', { ...process.env, UV_THREADPOOL_SIZE: '4' }),
  ],
  runs,
);
const line = (label, m, base) =>
  timing(label, m) +
  (base ? `  -> the CLI's setting saves ${pct(m.wall, base.wall)} wall, ${pct(m.cpu, base.cpu)} cpu` : '');
console.log(line('cerana sbom', cli));
console.log(line('  with V8 default GC (incremental marking)', cliDefaultGc, cli));
console.log(line("  with V8's default optimizing budget", cliDefaultJit, cli));
console.log(
  line(`  with libuv's default pool (4, not ${process.env.UV_THREADPOOL_SIZE})`, cliDefaultPool, cli),
);
console.log();
const breakdown = await catalogBreakdown(`docker-archive:${archive}`);
console.log(
  `catalog step (after the merge, one thread): ${breakdown.total.toFixed(2)} s wall; each catalog() alone: ` +
    breakdown.parts
      .sort((a, b) => b[1] - a[1])
      .map(([name, seconds]) => `${name.replace('inventory/', '')} ${seconds.toFixed(2)}`)
      .join(', '),
);
const counts = {};
for (const p of inventory.packages) counts[p.type] = (counts[p.type] ?? 0) + 1;
const owned = inventory.packages.filter((p) => p.osOwned).length;
console.log(
  `\npackages: ${inventory.packages.length} (${Object.entries(counts)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ')}); ` +
    `${owned} language packages owned by OS packages; ${inventory.warnings.length} warnings`,
);

if (!args['no-trivy']) {
  if (!existsSync(TRIVY)) {
    console.log(`\ntrivy: not found at ${TRIVY} (npm install first); skipped`);
  } else {
    const [trivy] = await interleaved(
      [
        () =>
          trivySbomCold(
            archive,
            work,
            JAR_DIRS.flatMap((dir) => ['--skip-dirs', dir]),
          ),
      ],
      Number(args['trivy-runs'] ?? 2),
    );
    console.log(
      `\ntrivy image --format cyclonedx (cold cache, license scanner, jar directories skipped): ` +
        `wall ${trivy.wall.toFixed(2)} s (${trivy.median.toFixed(2)})  cpu ${trivy.cpu.toFixed(2)} s\n` +
        `-> cerana sbom (every cataloger, jars included) is x${(trivy.wall / cli.wall).toFixed(2)} faster wall, ` +
        `x${(trivy.cpu / cli.cpu).toFixed(2)} less cpu`,
    );
  }
}

/** A measured case: minimum (median) wall seconds and minimum CPU seconds. */
function timing(label, m) {
  return `${label.padEnd(48)} wall ${m.wall.toFixed(2).padStart(6)} s (${m.median.toFixed(2)})  cpu ${m.cpu.toFixed(2).padStart(6)} s`;
}

function pct(before, after) {
  return `${(((before - after) / before) * 100).toFixed(0)}%`;
}

// ——— fixture ———

function buildFixture() {
  mkdirSync(fixtureDir, { recursive: true });
  const path = join(fixtureDir, 'image.tar');
  const ociDir = join(fixtureDir, 'oci');
  if (!existsSync(path) || args.rebuild) {
    console.log(`building ${IMAGE} (saved afterwards to ${path}) ...`);
    const context = join(fixtureDir, 'context');
    mkdirSync(join(context, 'app'), { recursive: true });
    copyFileSync(join(here, 'Dockerfile'), join(context, 'Dockerfile'));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...NODE_PACKAGES], {
      cwd: join(context, 'app'),
      stdio: 'inherit',
    });
    execFileSync('docker', ['build', '-q', '--network', 'host', '-t', IMAGE, context], {
      stdio: 'inherit',
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    execFileSync('docker', ['save', '-o', `${path}.tmp`, IMAGE], { stdio: 'inherit' });
    renameSync(`${path}.tmp`, path);
    execFileSync('docker', ['rmi', IMAGE], { stdio: 'ignore' });
    rmSync(ociDir, { recursive: true, force: true });
  }
  if (!existsSync(join(ociDir, 'index.json'))) {
    execFileSync('skopeo', ['copy', '-q', `docker-archive:${path}`, `oci:${ociDir}:bench`], {
      stdio: 'inherit',
    });
  }
  return { archive: path, ociDir };
}

// ——— measurements ———

/** One cold scan (no facts cache); with `catalog`, the inventory step after the merge too. */
async function cerana(ref, visitors, catalog = false) {
  const image = await openImage(ref, { cacheDir: join(work, 'source') });
  try {
    const files = await scanImage(image, visitors, {});
    if (!catalog) return undefined;
    const os = detectOs(
      (path) => files.read(path),
      (path) => files.stat(path) !== undefined,
    );
    return catalogImage(
      files,
      os,
      visitors.filter((v) => typeof v.catalog === 'function'),
    );
  } finally {
    await image.close();
  }
}

/** One more scan, outside the measured runs: the catalog step, and each cataloger's share of it. */
async function catalogBreakdown(ref) {
  const catalogers = defaultCatalogers();
  const image = await openImage(ref, { cacheDir: join(work, 'source') });
  try {
    const files = await scanImage(image, [osReleaseVisitor, ...catalogers], {});
    const os = detectOs(
      (path) => files.read(path),
      (path) => files.stat(path) !== undefined,
    );
    const t0 = performance.now();
    catalogImage(files, os, catalogers);
    const total = (performance.now() - t0) / 1000;
    const parts = catalogers.map((cataloger) => {
      const t = performance.now();
      cataloger.catalog(files, os === undefined ? {} : { os });
      return [cataloger.name, (performance.now() - t) / 1000];
    });
    return { total, parts };
  } finally {
    await image.close();
  }
}
