/**
 * The acceptance test of the scan pipeline: one image built with Docker, read through every
 * source — the daemon, `docker save`, an OCI layout and an OCI archive made by skopeo, and a
 * live registry (anonymous, basic auth, token auth, a multi-platform index and a zstd layer) —
 * must give the same merged file system and the same config once the layer scanner has merged it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type ImageFiles, scanImage } from '../../src/image/scan/index.js';
import { openImage } from '../../src/image/source/index.js';
import type { Image, SourceOptions } from '../../src/image/types.js';
import { OciLayout } from '../registry/layout.js';
import { buildTestImage, saveImage, skopeoCopy } from '../support/images.js';
import { dockerAvailable, requireIntegration } from '../support/integration.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../support/registry.js';

const it = requireIntegration('Docker, skopeo and docker-registry', dockerAvailable && registryAvailable);

interface Scanned {
  files: string[];
  config: Image['config'];
  platform: Image['platform'];
  diffIds: string[];
}

/** Every visible entry with what identifies it; content hashes come from the captured files. */
function fileList(files: ImageFiles): string[] {
  const lines: string[] = [];
  for (const entry of files.entries()) {
    lines.push(
      `${entry.path} ${entry.type} ${entry.size} ${entry.mode.toString(8)} ${entry.uid}:${entry.gid} ${entry.linkname}`,
    );
  }
  return lines.sort();
}

async function scan(ref: string, options: SourceOptions): Promise<Scanned> {
  const image = await openImage(ref, options);
  try {
    // No cache: every source must really be read.
    const files = await scanImage(image, [], { noCache: true });
    return {
      files: fileList(files),
      config: image.config,
      platform: image.platform,
      diffIds: image.layers.map((l) => l.diffId),
    };
  } finally {
    await image.close();
  }
}

describe('one image through every source, merged by the scanner', () => {
  let work = '';
  let tag = '';
  const registries: TestRegistry[] = [];

  beforeAll(async () => {
    if (!dockerAvailable || !registryAvailable) return;
    work = await mkdtemp(join(tmpdir(), 'cerana-test-every-source-'));
    tag = await buildTestImage('layers');
    await saveImage(tag, join(work, 'save.tar'));
    // Docker media types keep the config bytes (an OCI config has no Healthcheck).
    await skopeoCopy(`docker-daemon:${tag}`, `oci:${join(work, 'layout')}:main`, ['--format', 'v2s2']);
    // Multi-platform indexes and zstd layers exist only with OCI media types.
    const oci = await OciLayout.fromDaemon(tag, join(work, 'oci-layout'), 'main');
    await skopeoCopy(`oci:${join(work, 'oci-layout')}:main`, `oci-archive:${join(work, 'layout.tar')}:main`);
    await oci.addMultiPlatform('main', 'multi');
    await oci.addZstdTopLayer('main', 'zstd');
    for (const auth of ['none', 'basic', 'token'] as const) {
      const registry = await startRegistry({ auth });
      registries.push(registry);
      await registry.push(`docker-daemon:${tag}`, 'cerana/layers:main', { format: 'v2s2' });
    }
    const anonymous = registries[0] as TestRegistry;
    await anonymous.push(`oci:${join(work, 'oci-layout')}:multi`, 'cerana/layers:multi', {
      all: true,
      preserveDigests: true,
    });
    await anonymous.push(`oci:${join(work, 'oci-layout')}:zstd`, 'cerana/layers:zstd', {
      preserveDigests: true,
    });
  }, 600_000);

  afterAll(async () => {
    await Promise.all(registries.map((r) => r.stop()));
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('daemon, docker save, OCI layout/archive and registries agree', async () => {
    const options: SourceOptions = {
      cacheDir: join(work, 'cache'),
      dockerConfigDir: join(work, 'no-docker-config'),
    };
    const reference = await scan(`docker:${tag}`, options);
    expect(reference.files.length).toBeGreaterThan(5000);
    // The test image deletes /opt/remove-me.txt in an upper layer and replaces /opt/data.
    expect(reference.files.some((line) => line.startsWith('opt/remove-me.txt '))).toBe(false);
    expect(
      reference.files.filter((line) => line.startsWith('opt/data/')).map((l) => l.split(' ')[0]),
    ).toEqual(['opt/data/c.txt']);

    const [anonymous, basic, token] = registries as [TestRegistry, TestRegistry, TestRegistry];
    const others: [string, SourceOptions, 'docker' | 'oci'][] = [
      [`docker-archive:${join(work, 'save.tar')}`, options, 'docker'],
      [`oci:${join(work, 'layout')}:main`, options, 'docker'],
      [`oci-archive:${join(work, 'layout.tar')}:main`, options, 'oci'],
      [`registry:${anonymous.host}/cerana/layers:main`, options, 'docker'],
      [
        `registry:${basic.host}/cerana/layers:main`,
        { ...options, credentials: { username: basic.username, password: basic.password } },
        'docker',
      ],
      [
        `registry:${token.host}/cerana/layers:main`,
        { ...options, credentials: { username: token.username, password: token.password } },
        'docker',
      ],
      [`registry:${anonymous.host}/cerana/layers:zstd`, options, 'oci'],
      [
        `registry:${anonymous.host}/cerana/layers:multi`,
        { ...options, platform: { os: 'linux', architecture: 'amd64' } },
        'oci',
      ],
    ];
    const { healthcheck, ...withoutHealthcheck } = reference.config;
    expect(healthcheck?.test).toEqual(['CMD', '/opt/app/bin/hello']);
    for (const [ref, opts, mediaTypes] of others) {
      const scanned = await scan(ref, opts);
      expect.soft(scanned.diffIds, ref).toEqual(reference.diffIds);
      expect.soft(scanned.files, ref).toEqual(reference.files);
      expect
        .soft(scanned.config, ref)
        .toEqual(mediaTypes === 'docker' ? reference.config : withoutHealthcheck);
    }

    const arm = await scan(`registry:${anonymous.host}/cerana/layers:multi`, {
      ...options,
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(arm.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(arm.files).toEqual(reference.files);
  });
});
