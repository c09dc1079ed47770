/**
 * The image runtime tests run their containers from: the Debian test base plus small static
 * helper programs (a netcat, a memfd launcher, ptrace and packet-socket probes) compiled here
 * with gcc, and two copies of dash named like the servers some rules protect (httpd, sshd).
 * The helpers live in an image layer, so running them is not "a binary dropped in the container".
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { imageExists } from '../../support/images.js';
import { BASE_IMAGE } from '../../support/integration.js';

const run = promisify(execFile);
const HELPERS = fileURLToPath(new URL('../helpers/', import.meta.url));

const DOCKERFILE = `FROM ${BASE_IMAGE}
COPY bin/ /usr/local/bin/
RUN cp /usr/bin/dash /usr/local/bin/httpd && cp /usr/bin/dash /usr/local/bin/sshd
`;

function sources(): string[] {
  return readdirSync(HELPERS)
    .filter((f) => f.endsWith('.c'))
    .sort();
}

function tag(): string {
  const hash = createHash('sha256');
  hash.update(execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE]).toString());
  hash.update(DOCKERFILE);
  for (const f of sources()) hash.update(`${f}\0`).update(readFileSync(join(HELPERS, f)));
  return `cerana-test/runtime-sensor:${hash.digest('hex').slice(0, 16)}`;
}

/** Builds the image once per content; returns its tag. */
export async function buildSensorImage(): Promise<string> {
  const name = tag();
  if (imageExists(name)) return name;
  const dir = mkdtempSync(join(tmpdir(), 'cerana-test-sensor-image-'));
  try {
    mkdirSync(join(dir, 'bin'));
    for (const f of sources()) {
      await run('gcc', [
        '-static',
        '-O2',
        '-Wall',
        '-o',
        join(dir, 'bin', f.replace(/\.c$/, '')),
        join(HELPERS, f),
      ]);
    }
    writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
    await run(
      'flock',
      [
        '/tmp/cerana-test-build-runtime-sensor.lock',
        'docker',
        'build',
        '--network',
        'none',
        '--quiet',
        '-t',
        name,
        dir,
      ],
      { env: { ...process.env, DOCKER_BUILDKIT: '0' }, timeout: 600_000 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return name;
}
