import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { imageExists } from '../../support/images.js';
import { BASE_IMAGE } from '../../support/integration.js';

const run = promisify(execFile);
const TEN_MINUTES = 600_000;

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

/**
 * Builds an image from a build context a test generated (a Dockerfile plus whatever it
 * copies), tagged `cerana-test/<name>:<content hash>` so an unchanged context is built once.
 * Same conventions as buildTestImage: classic builder, `--network none` unless the Dockerfile
 * installs packages, a lock against parallel builds of the same name.
 */
export async function buildContextImage(
  name: string,
  dir: string,
  options: { network?: 'none' | 'host' } = {},
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
    { env: { ...process.env, DOCKER_BUILDKIT: '0' }, timeout: TEN_MINUTES, maxBuffer: 64 * 1024 * 1024 },
  );
  return tag;
}
