/**
 * Choosing an image inside an OCI layout: by tag (as skopeo, buildx and containerd annotate),
 * by digest, and by platform through nested or flattened multi-platform indexes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { openImage } from '../../src/image/source/index.js';
import type { SourceOptions } from '../../src/image/types.js';
import {
  type Descriptor,
  sha256Hex,
  smallLayer,
  writeIndexBlob,
  writeIndexJson,
  writeLayoutImage,
} from './synthetic.js';

const work = mkdtempSync(join(tmpdir(), 'cerana-test-layout-'));
const options: SourceOptions = { cacheDir: join(work, 'cache') };
afterAll(() => rmSync(work, { recursive: true, force: true }));

const amd64 = smallLayer({ 'etc/arch': 'amd64' });
const arm64 = smallLayer({ 'etc/arch': 'arm64' });
const armv7 = smallLayer({ 'etc/arch': 'arm/v7' });

function multiPlatform(dir: string): Descriptor[] {
  return [
    writeLayoutImage(dir, { layers: [amd64], gzip: true, platform: { os: 'linux', architecture: 'amd64' } }),
    writeLayoutImage(dir, { layers: [arm64], gzip: true, platform: { os: 'linux', architecture: 'arm64' } }),
    writeLayoutImage(dir, {
      layers: [armv7],
      gzip: true,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    }),
  ];
}

async function archOf(ref: string, platform?: SourceOptions['platform']): Promise<string> {
  const image = await openImage(ref, platform ? { ...options, platform } : options);
  const [layer] = image.layers;
  return layer?.diffId ?? '';
}

const id = (layer: Buffer) => `sha256:${sha256Hex(layer)}`;

describe('oci: choosing the image', () => {
  const nested = join(work, 'nested');
  const manifests = multiPlatform(nested);
  const index = writeIndexBlob(nested, manifests);
  writeIndexJson(nested, [
    {
      ...index,
      annotations: {
        'org.opencontainers.image.ref.name': 'v1',
        'io.containerd.image.name': 'docker.io/library/app:v1',
      },
    },
  ]);

  it('descends a nested index by platform', async () => {
    expect(await archOf(`oci:${nested}:v1`, { os: 'linux', architecture: 'arm64' })).toBe(id(arm64));
    expect(await archOf(`oci:${nested}:v1`, { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(
      id(armv7),
    );
    expect(await archOf(`oci:${nested}:v1`, { os: 'linux', architecture: 'amd64' })).toBe(id(amd64));
  });

  it('names the platforms there are when none matches', async () => {
    const error = await openImage(`oci:${nested}:v1`, {
      ...options,
      platform: { os: 'linux', architecture: 's390x' },
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CeranaError);
    expect((error as CeranaError).code).toBe('NOT_FOUND');
    expect((error as CeranaError).hint).toContain('linux/amd64, linux/arm64, linux/arm/v7');
  });

  it('matches the tag by ref name or by the containerd image name', async () => {
    const platform = { os: 'linux', architecture: 'arm64' };
    expect(await archOf(`oci:${nested}:docker.io/library/app:v1`, platform)).toBe(id(arm64));
    expect(await archOf(`oci:${nested}:app:v1`, platform)).toBe(id(arm64));
    expect(await archOf(`oci:${nested}`, platform)).toBe(id(arm64));
  });

  it('opens any manifest or index of the layout by digest', async () => {
    expect(await archOf(`oci:${nested}@${manifests[2]?.digest}`)).toBe(id(armv7));
    expect(await archOf(`oci:${nested}@${index.digest}`, { os: 'linux', architecture: 'arm64' })).toBe(
      id(arm64),
    );
    const image = await openImage(`oci:${nested}@${manifests[1]?.digest}`, options);
    expect(image.digest).toBe(manifests[1]?.digest);
    expect(image.platform).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(image.ref).toBe(`oci:${nested}@${manifests[1]?.digest}`);
  });

  it('chooses by platform among flattened entries that share one tag', async () => {
    const flat = join(work, 'flat');
    const entries = multiPlatform(flat).map((descriptor) => ({
      ...descriptor,
      annotations: { 'org.opencontainers.image.ref.name': 'multi' },
    }));
    writeIndexJson(flat, entries);
    expect(await archOf(`oci:${flat}:multi`, { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(
      id(armv7),
    );
  });

  it('reads layouts whose path holds a colon', async () => {
    const odd = join(work, 'odd:dir');
    writeIndexJson(odd, [
      {
        ...writeLayoutImage(odd, { layers: [amd64] }),
        annotations: { 'org.opencontainers.image.ref.name': 'x' },
      },
    ]);
    expect(await archOf(`oci:${odd}`)).toBe(id(amd64));
    expect(await archOf(`oci:${odd}:x`)).toBe(id(amd64));
  });
});
