/**
 * The daemon source against the real daemon: API negotiation, the errors a user meets, and a
 * bare reference going to the daemon first and to the registry when the daemon lacks it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { DockerEngine } from '../../src/image/source/docker-daemon/engine.js';
import { openImage } from '../../src/image/source/index.js';
import type { SourceOptions } from '../../src/image/types.js';
import { BASE_IMAGE, dockerAvailable, requireIntegration } from '../support/integration.js';

const it = requireIntegration('Docker', dockerAvailable);
const work = mkdtempSync(join(tmpdir(), 'cerana-test-daemon-'));
const options: SourceOptions = { cacheDir: join(work, 'cache') };
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function failure(ref: string, opts = options): Promise<CeranaError> {
  const error = await openImage(ref, opts).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CeranaError);
  return error as CeranaError;
}

describe('docker: against the running daemon', () => {
  it('negotiates an API version the daemon and the client both speak', async () => {
    const version = await new DockerEngine('/var/run/docker.sock').version();
    expect(version).toMatch(/^1\.\d+$/);
    expect(Number(version.split('.')[1])).toBeGreaterThanOrEqual(24);
  });

  it('opens the base image by name and by image ID', async () => {
    const byName = await openImage(`docker:${BASE_IMAGE}`, options);
    const byId = await openImage(`docker:${byName.configDigest}`, options);
    expect(byId.config).toEqual(byName.config);
    expect(byName.ref).toBe(`docker:${BASE_IMAGE}`);
    expect(byName.layers.map((layer) => layer.diffId)).toEqual(byName.config.diffIds);
    await byName.close();
    await byId.close();
  });

  it('says when the daemon does not have the image', async () => {
    const error = await failure('docker:cerana-test/does-not-exist:nope');
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('image cerana-test/does-not-exist:nope not found in the Docker daemon');
  });

  it('refuses names the daemon API cannot carry', async () => {
    expect((await failure('docker:bad name?x=1')).code).toBe('USAGE');
  });

  it('sends a bare reference to the daemon when it has the image', async () => {
    const image = await openImage(BASE_IMAGE, options);
    expect(image.ref).toBe(`docker:${BASE_IMAGE}`);
    await image.close();
  });

  it('tries the registry for a bare reference the daemon lacks, and reports both', async () => {
    const error = await failure('localhost:1/cerana-test/missing:1');
    expect(error.message).toMatch(/local Docker daemon: image localhost:1\/cerana-test\/missing:1 not found/);
    const unreachable = await failure('localhost:1/cerana-test/missing:1', {
      ...options,
      dockerSocket: join(work, 'no.sock'),
    });
    expect(unreachable.message).toMatch(/local Docker daemon: cannot reach the Docker daemon/);
  });
});
