/**
 * What hashing every file, the binary portrait and malware detection cost on top of a bare layer
 * read of the same image, in the same process: the large image of bench/layer-read (5 layers,
 * ~1.7 GB uncompressed), read cold (empty facts cache) as a `docker save` tar and as an OCI layout
 * with gzip layers. Cases, run round-robin:
 *
 *   bare      scanImage with no visitors (tar walk, entry table, merge, diffId check)
 *   hash      + FileHashVisitor: SHA-256 of every regular file of every layer while it streams
 *   no YARA   + hygiene's /etc/passwd capture, then buildPortrait, the known-bad hash lists and
 *             the hygiene checks
 *   YARA      + YARA candidate capture and one yara process over the candidates (when yara is
 *             installed): everything `--scanners malware,hygiene --portrait` adds
 *
 * Printed: min wall (median) and min CPU seconds — this process plus its children (yara) — and
 * each case's ratio to the bare read, with the time each step took in one run.
 *
 *   npx vite-node bench/detectors/run.ts [--runs 3] [--dir <layer-read fixture dir>]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildPortrait, FileHashVisitor } from '../../src/detect/binaries/index.js';
import { checkHygiene, hygieneVisitor } from '../../src/detect/hygiene/index.js';
import { MalwareDetector } from '../../src/detect/malware/index.js';
import { type FileVisitor, type ImageFiles, scanImage } from '../../src/image/scan/index.js';
import { openImage } from '../../src/image/source/index.js';
import type { Image } from '../../src/image/types.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(option('runs') ?? 3);
const fixture = resolve(
  option('dir') ?? process.env.CERANA_BENCH_DIR ?? join(homedir(), '.cache', 'cerana-bench', 'layer-read'),
);
const archive = join(fixture, 'image.tar');
const ociDir = join(fixture, 'oci');
if (!existsSync(archive) || !existsSync(join(ociDir, 'index.json'))) {
  console.error(
    `no fixture in ${fixture}: run \`npm run build && node bench/layer-read/run.mjs\` once to build it`,
  );
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'cerana-bench-detectors-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const withYara = new MalwareDetector();
const hashesOnly = new MalwareDetector({ builtinYara: false });

interface Sample {
  wall: number;
  cpu: number;
  detail?: Record<string, number>;
}

/** Seconds of CPU used by this process and by its waited-for children (yara), from /proc. */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // Fields 16 and 17 of stat (cutime, cstime) are the 14th and 15th after the command name, in ticks.
  const children = (Number(fields[13]) + Number(fields[14])) / 100;
  return (own.user + own.system) / 1e6 + children;
}

async function pass(
  ref: string,
  visitors: FileVisitor[],
  after?: (files: ImageFiles, image: Image) => Promise<Record<string, number>>,
): Promise<Sample> {
  const cacheDir = join(work, 'cache');
  rmSync(cacheDir, { recursive: true, force: true });
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const image = await openImage(ref, { cacheDir });
  let detail: Record<string, number> | undefined;
  try {
    const files = await scanImage(image, visitors, { cacheDir, concurrency: availableParallelism() });
    if (after) detail = { layerPassMs: performance.now() - t0, ...(await after(files, image)) };
  } finally {
    await image.close();
  }
  const sample: Sample = { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
  if (detail) sample.detail = detail;
  return sample;
}

async function detectAll(ref: string, malware: MalwareDetector): Promise<Sample> {
  return pass(ref, [new FileHashVisitor(), ...malware.visitors(), hygieneVisitor], async (files, image) => {
    const t1 = performance.now();
    const portrait = buildPortrait(files);
    const t2 = performance.now();
    const result = await malware.scan(files, { workDir: join(work, 'cache', 'tmp') });
    const t3 = performance.now();
    const hygiene = checkHygiene({ config: image.config, files });
    const t4 = performance.now();
    return {
      portraitMs: t2 - t1,
      executables: portrait.executables.length,
      malwareMs: t3 - t2,
      yaraMs: result.stats.yaraMs,
      yaraWriteMs: result.stats.yaraWriteMs,
      yaraFiles: result.stats.yaraFiles,
      yaraMB: result.stats.yaraBytes / 1e6,
      filesHashed: result.stats.filesChecked,
      findings: result.findings.length + hygiene.length,
      hygieneMs: t4 - t3,
    };
  });
}

const variants = [
  { name: 'docker-archive, uncompressed layers (docker save)', ref: `docker-archive:${archive}` },
  { name: 'OCI layout, gzip layers', ref: `oci:${ociDir}` },
];
const cases: [string, (ref: string) => Promise<Sample>][] = [
  ['bare layer read (no visitors)', (ref) => pass(ref, [])],
  ['+ sha256 of every file (FileHashVisitor)', (ref) => pass(ref, [new FileHashVisitor()])],
  ['+ portrait, hash lists, hygiene (no YARA)', (ref) => detectAll(ref, hashesOnly)],
];
if (withYara.yara) cases.push(['+ portrait, hash lists, YARA, hygiene', (ref) => detectAll(ref, withYara)]);

console.log(
  `node ${process.version}, ${availableParallelism()} CPUs, ${runs} runs per case, cold facts cache; ` +
    `yara: ${withYara.yara ? withYara.yara.version : 'not installed, its case is skipped'}\n` +
    'wall = min (median) seconds; cpu = min CPU seconds of this process and its children.\n',
);
for (const variant of variants) {
  console.log(`— ${variant.name}`);
  const samples: Sample[][] = cases.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (const [i, [, run]] of cases.entries()) (samples[i] as Sample[]).push(await run(variant.ref));
  }
  const summary = samples.map((list) => {
    const walls = list.map((s) => s.wall).sort((a, b) => a - b);
    return {
      wall: walls[0] as number,
      median: walls[Math.floor(walls.length / 2)] as number,
      cpu: Math.min(...list.map((s) => s.cpu)),
      detail: list.find((s) => s.detail)?.detail,
    };
  });
  const bare = summary[0] as (typeof summary)[number];
  summary.forEach((s, i) => {
    const ratio =
      i === 0
        ? ''
        : `x${(s.wall / bare.wall).toFixed(2)} wall, x${(s.cpu / bare.cpu).toFixed(2)} cpu of bare`;
    console.log(
      `${(cases[i] as [string])[0].padEnd(48)} wall ${s.wall.toFixed(2).padStart(6)} (${s.median.toFixed(2)})  cpu ${s.cpu.toFixed(2).padStart(6)}  ${ratio}`,
    );
  });
  for (const [i, s] of summary.entries()) {
    const detail = s.detail;
    if (detail === undefined) continue;
    console.log(
      `  ${(cases[i] as [string])[0].slice(2)}, one run: layer pass ${(detail.layerPassMs ?? 0).toFixed(0)} ms, portrait ${(detail.portraitMs ?? 0).toFixed(0)} ms ` +
        `(${detail.executables} executables), malware ${(detail.malwareMs ?? 0).toFixed(0)} ms ` +
        `(${detail.filesHashed} file versions checked; yara ${detail.yaraMs} ms for ${detail.yaraFiles} files, ` +
        `of which ${detail.yaraWriteMs} ms writing them, ` +
        `${(detail.yaraMB ?? 0).toFixed(0)} MB), hygiene ${(detail.hygieneMs ?? 0).toFixed(0)} ms, ${detail.findings} findings`,
    );
  }
  console.log();
}
