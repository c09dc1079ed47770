/**
 * One image, built for real, read through every local source: the daemon, `docker save`
 * (legacy layout), the Docker 25+ save layout, an OCI layout and an OCI archive made by skopeo,
 * and `dir:` on its exported root file system. Every source must yield the same config, the
 * same diffIds and, layer by layer, the same tar entries down to the content hashes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { openImage } from '../../src/image/source/index.js';
import type { Image, ImageConfig, SourceOptions } from '../../src/image/types.js';
import { buildTestImage, exportRootfs, saveImage, skopeoCopy } from '../support/images.js';
import { commandWorks, dockerAvailable, requireIntegration } from '../support/integration.js';
import { writeDocker25Archive } from './docker25-archive.js';
import { listTarEntries, type TarEntryInfo } from './tar-entries.js';

const it = requireIntegration('Docker and skopeo', dockerAvailable && commandWorks('skopeo', ['--version']));

let work = '';
let tag = '';
let refs: Record<string, string> = {};
let docker25ManifestDigest = '';
let options: SourceOptions;

async function withImage<T>(ref: string, use: (image: Image) => Promise<T>, opts = options): Promise<T> {
  const image = await openImage(ref, opts);
  try {
    return await use(image);
  } finally {
    await image.close();
  }
}

async function layerEntries(image: Image): Promise<TarEntryInfo[][]> {
  const lists: TarEntryInfo[][] = [];
  for (const layer of image.layers) lists.push(await listTarEntries(await layer.open()));
  return lists;
}

function byPath(entries: TarEntryInfo[], path: string): TarEntryInfo | undefined {
  return entries.find((entry) => entry.path === path);
}

describe('one image through every local source', () => {
  beforeAll(async () => {
    if (!dockerAvailable) return;
    work = mkdtempSync(join(tmpdir(), 'cerana-test-sources-'));
    options = { cacheDir: join(work, 'cache') };
    tag = await buildTestImage('layers');
    await saveImage(tag, join(work, 'legacy.tar'));
    docker25ManifestDigest = writeDocker25Archive(
      join(work, 'legacy.tar'),
      join(work, 'staging'),
      join(work, 'docker25.tar'),
      tag,
    );
    rmSync(join(work, 'staging'), { recursive: true, force: true });
    // skopeo converts to OCI media types by default, rewriting the config (OCI has no
    // Healthcheck); `--format v2s2` keeps Docker's types and the config bytes in the layout.
    await skopeoCopy(`docker-daemon:${tag}`, `oci:${join(work, 'layout')}:fixture`);
    await skopeoCopy(`docker-daemon:${tag}`, `oci:${join(work, 'layout-v2s2')}:fixture`, [
      '--format',
      'v2s2',
    ]);
    await skopeoCopy(
      `oci:${join(work, 'layout')}:fixture`,
      `oci-archive:${join(work, 'image.oci.tar')}:fixture`,
    );
    refs = {
      daemon: `docker:${tag}`,
      legacy: `docker-archive:${join(work, 'legacy.tar')}`,
      docker25: `docker-archive:${join(work, 'docker25.tar')}:${tag}`,
      ociDockerTypes: `oci:${join(work, 'layout-v2s2')}:fixture`,
      oci: `oci:${join(work, 'layout')}:fixture`,
      ociArchive: `oci-archive:${join(work, 'image.oci.tar')}:fixture`,
    };
  }, 900_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('yields the same config, diffIds and per-layer entries from every source', async () => {
    const seen: Record<
      string,
      { config: unknown; configDigest: string; diffIds: string[]; entries: TarEntryInfo[][] }
    > = {};
    for (const [name, ref] of Object.entries(refs)) {
      seen[name] = await withImage(ref, async (image) => ({
        config: image.config,
        configDigest: image.configDigest,
        diffIds: image.layers.map((layer) => layer.diffId),
        entries: await layerEntries(image),
      }));
    }
    const reference = seen.legacy;
    if (!reference) throw new Error('legacy archive was not read');
    expect(reference.diffIds).toHaveLength(5);
    expect(reference.entries.every((entries) => entries.length > 0)).toBe(true);
    const { healthcheck: _, ...withoutHealthcheck } = reference.config as ImageConfig;
    for (const [name, result] of Object.entries(seen)) {
      if (name === 'oci' || name === 'ociArchive') {
        // Converted to an OCI config by skopeo: everything but the Docker-only healthcheck survives.
        expect({ name, config: result.config }).toEqual({ name, config: withoutHealthcheck });
      } else {
        expect({ name, config: result.config }).toEqual({ name, config: reference.config });
        expect({ name, configDigest: result.configDigest }).toEqual({
          name,
          configDigest: reference.configDigest,
        });
      }
      expect({ name, diffIds: result.diffIds }).toEqual({ name, diffIds: reference.diffIds });
      result.entries.forEach((entries, i) => {
        expect({ name, layer: i, entries }).toEqual({ name, layer: i, entries: reference.entries[i] });
      });
    }
  });

  it('reads the config the Dockerfile wrote', async () => {
    await withImage(refs.legacy as string, async (image) => {
      const { config } = image;
      expect(config.user).toBe('1000:1000');
      expect(config.workingDir).toBe('/opt/app');
      expect(config.entrypoint).toEqual(['/opt/app/bin/hello']);
      expect(config.cmd).toEqual(['--help']);
      expect(config.exposedPorts).toEqual(['8080/tcp', '9090/udp']);
      expect(config.volumes).toEqual(['/var/lib/app']);
      expect(config.env).toContain('APP_MODE=test');
      expect(config.labels['com.cerana.fixture']).toBe('layers');
      expect(config.stopSignal).toBe('SIGTERM');
      expect(config.healthcheck).toEqual({
        test: ['CMD', '/opt/app/bin/hello'],
        intervalNs: 30_000_000_000,
        timeoutNs: 3_000_000_000,
        retries: 3,
      });
      expect(config.history.filter((entry) => !entry.emptyLayer)).toHaveLength(5);
    });
  });

  it('keeps whiteouts, opaque markers, links and unusual names in the layer tars', async () => {
    const layers = await withImage(refs.legacy as string, layerEntries);
    const [, build, copy, remove, replace] = layers as TarEntryInfo[][] & { length: 5 };
    expect(byPath(build, 'etc/evil')).toMatchObject({ type: 'symlink', linkname: '../../../../etc/shadow' });
    expect(byPath(build, 'opt/app/bin/hello-rel')).toMatchObject({ type: 'symlink', linkname: 'hello' });
    expect(byPath(build, 'opt/app/bin/hello')).toMatchObject({ type: 'file', mode: 0o4755 });
    for (const link of ['opt/app/bin/hello-hard', 'opt/app/bin/hello-hard2']) {
      expect(byPath(build, link)).toMatchObject({ type: 'hardlink', linkname: 'opt/app/bin/hello' });
    }
    expect(byPath(build, 'opt/app/fifo')).toMatchObject({ type: 'fifo' });
    expect(byPath(build, 'opt/app/ünïcødé-名前.txt')).toMatchObject({ type: 'file', size: 8 });
    const long = build.find((entry) => entry.path.endsWith('/file-with-a-long-path.txt'));
    expect(long?.path.length).toBeGreaterThan(170);
    expect(byPath(copy, 'opt/app/payload/conf/app.toml')).toMatchObject({ type: 'file' });
    expect(byPath(remove, 'opt/.wh.remove-me.txt')).toMatchObject({ type: 'file', size: 0 });
    expect(byPath(replace, 'opt/data/.wh..wh..opq')).toMatchObject({ type: 'file', size: 0 });
    expect(byPath(replace, 'opt/data/c.txt')).toMatchObject({ type: 'file', size: 9 });
  });

  it('names each image by its manifest where the format has one, else by its config', async () => {
    const digests: Record<string, string> = {};
    for (const [name, ref] of Object.entries(refs)) {
      digests[name] = await withImage(ref, async (image) => image.digest);
    }
    const skopeoManifest = (layout: string) =>
      (
        JSON.parse(readFileSync(join(work, layout, 'index.json'), 'utf8')) as {
          manifests: { digest: string }[];
        }
      ).manifests[0]?.digest;
    const configDigest = await withImage(refs.legacy as string, async (image) => image.configDigest);
    expect(digests.legacy).toBe(configDigest);
    expect(digests.daemon).toBe(configDigest);
    expect(digests.docker25).toBe(docker25ManifestDigest);
    expect(digests.ociDockerTypes).toBe(skopeoManifest('layout-v2s2'));
    expect(digests.oci).toBe(skopeoManifest('layout'));
    expect(digests.ociArchive).toBe(skopeoManifest('layout'));
  });

  it('docker: exports only for layers it must read, once, and removes the spool on close', async () => {
    const fresh: SourceOptions = { cacheDir: join(work, 'daemon-cache') };
    const exports = join(fresh.cacheDir, 'docker-daemon', 'exports');
    const spooled = () => (existsSync(exports) ? readdirSync(exports) : []);
    // First sight of the image: the exact config is only in the export.
    await withImage(
      refs.daemon as string,
      async (image) => {
        expect(spooled()).toHaveLength(1);
        expect(image.layers.every((layer) => layer.size > 0)).toBe(true);
      },
      fresh,
    );
    expect(spooled()).toHaveLength(0);
    // Config now cached: opening the image exports nothing until a layer is read.
    await withImage(
      refs.daemon as string,
      async (image) => {
        expect(spooled()).toHaveLength(0);
        const top = image.layers[image.layers.length - 1];
        const [a, b] = await Promise.all([top?.open(), image.layers[1]?.open()]);
        expect(spooled()).toHaveLength(1);
        expect((await listTarEntries(a as never)).length).toBeGreaterThan(0);
        expect((await listTarEntries(b as never)).length).toBeGreaterThan(0);
      },
      fresh,
    );
    expect(spooled()).toHaveLength(0);
  });

  it('dir: yields what docker export wrote, in a stable order', async () => {
    const exported = join(work, 'rootfs.tar');
    const rootfs = join(work, 'rootfs');
    await exportRootfs(tag, exported);
    mkdirSync(rootfs);
    execFileSync('tar', ['-xpf', exported, '-C', rootfs, '--numeric-owner']);
    const { createReadStream } = await import('node:fs');
    const fromExport = await listTarEntries(createReadStream(exported));
    const first = await withImage(`dir:${rootfs}`, async (image) => {
      expect(image.layers).toHaveLength(1);
      expect(image.layers[0]?.cacheable).toBe(false);
      return listTarEntries(await (image.layers[0] as Image['layers'][0]).open());
    });
    const second = await withImage(`dir:${rootfs}`, async (image) =>
      listTarEntries(await (image.layers[0] as Image['layers'][0]).open()),
    );
    expect(second).toEqual(first);
    const sorted = (entries: TarEntryInfo[]) => [...entries].sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(sorted(first)).toEqual(sorted(fromExport));
    expect(byPath(first, 'etc/evil')).toMatchObject({ type: 'symlink', linkname: '../../../../etc/shadow' });
    expect(byPath(first, 'opt/data/c.txt')).toMatchObject({ type: 'file' });
    expect(byPath(first, 'opt/remove-me.txt')).toBeUndefined();
  });
});
