/**
 * Test images built for real from `test/images/<name>/Dockerfile`, and the tools that turn one
 * into every local format a source reads. Builds are cached by content: the tag carries a hash
 * of the Dockerfile directory and of the base image, so repeated runs reuse the image.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BASE_IMAGE } from './integration.js';

const run = promisify(execFile);
const IMAGES_DIR = fileURLToPath(new URL('../images/', import.meta.url));
const TEN_MINUTES = 600_000;
const BIG_OUTPUT = 64 * 1024 * 1024;

function entriesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? [path, ...entriesUnder(path)] : [path];
    })
    .sort();
}

/** Hash of a build context (names, modes, contents, link targets) plus the base image ID. */
function contextHash(dir: string): string {
  const hash = createHash('sha256');
  hash.update(execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE]));
  for (const path of entriesUnder(dir)) {
    const stat = lstatSync(path);
    hash.update(`${relative(dir, path)}\0${stat.mode}\0`);
    if (stat.isSymbolicLink()) hash.update(readlinkSync(path));
    else if (stat.isFile()) hash.update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 16);
}

export function imageExists(tag: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface BuildOptions {
  /**
   * `host` for Dockerfiles that install packages (apt needs the network; the daemon's
   * default bridge has none here). Default `none`: a build that needs nothing outside stays offline.
   */
  network?: 'none' | 'host';
}

/**
 * Builds `test/images/<name>` (once per content) and returns its tag. The daemon here is
 * 20.10 without buildx, so the classic builder is used; a lock keeps parallel test files from
 * building the same image twice.
 */
export async function buildTestImage(name: string, options: BuildOptions = {}): Promise<string> {
  return buildContextImage(name, join(IMAGES_DIR, name), options);
}

/**
 * Builds an image from any build context, e.g. one a test generated (a Dockerfile plus whatever
 * it copies), tagged `cerana-test/<name>:<content hash>` so an unchanged context is built once:
 * classic builder, `--network none` unless the options say otherwise, a lock against parallel
 * builds of the same name.
 */
export async function buildContextImage(
  name: string,
  dir: string,
  options: BuildOptions = {},
): Promise<string> {
  const tag = `cerana-test/${name}:${contextHash(dir)}`;
  if (imageExists(tag)) return tag;
  await run(
    'flock',
    [
      `/tmp/cerana-test-build-${name}.lock`,
      'docker',
      'build',
      '--network',
      options.network ?? 'none',
      '--quiet',
      '-t',
      tag,
      dir,
    ],
    { env: { ...process.env, DOCKER_BUILDKIT: '0' }, timeout: TEN_MINUTES, maxBuffer: BIG_OUTPUT },
  );
  return tag;
}

/** `docker save` (the legacy layout, as Docker before 25 writes it). */
export async function saveImage(tag: string, path: string): Promise<void> {
  await run('docker', ['save', '-o', path, tag], { timeout: TEN_MINUTES });
}

/** `skopeo copy`, e.g. `docker-daemon:<tag>` → `oci:<dir>:<tag>` or `oci-archive:<file>:<tag>`. */
export async function skopeoCopy(source: string, destination: string, extra: string[] = []): Promise<void> {
  await run('skopeo', ['copy', '--quiet', '--insecure-policy', ...extra, source, destination], {
    timeout: TEN_MINUTES,
    maxBuffer: BIG_OUTPUT,
  });
}

/** The root file system of a container of `tag`, as `docker export` writes it, to a tar file. */
export async function exportRootfs(tag: string, path: string): Promise<void> {
  const name = `cerana-test-export-${process.pid}-${Date.now()}`;
  await run('docker', ['create', '--network', 'none', '--name', name, tag], { timeout: TEN_MINUTES });
  try {
    await run('docker', ['export', '-o', path, name], { timeout: TEN_MINUTES });
  } finally {
    await run('docker', ['rm', '-f', name]);
  }
}
