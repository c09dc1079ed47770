import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

/**
 * Edits an OCI image layout written by skopeo, to make the images registries serve in the wild
 * but local tools do not build: multi-platform indexes, zstd layers, nested indexes.
 */

const run = promisify(execFile);

export const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

export interface LayoutDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

interface Manifest {
  schemaVersion: 2;
  mediaType: string;
  config: LayoutDescriptor;
  layers: LayoutDescriptor[];
}

interface IndexJson {
  schemaVersion: 2;
  manifests: LayoutDescriptor[];
}

const REF_NAME = 'org.opencontainers.image.ref.name';

export class OciLayout {
  private constructor(readonly dir: string) {}

  /** `skopeo copy docker-daemon:<image> oci:<dir>:<tag>` */
  static async fromDaemon(image: string, dir: string, tag: string): Promise<OciLayout> {
    await run(
      'skopeo',
      ['--insecure-policy', 'copy', '--quiet', `docker-daemon:${image}`, `oci:${dir}:${tag}`],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return new OciLayout(dir);
  }

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  }

  readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  async readJson<T>(digest: string): Promise<T> {
    return JSON.parse((await this.readBlob(digest)).toString()) as T;
  }

  async writeBlob(data: Buffer | string, mediaType: string): Promise<LayoutDescriptor> {
    const bytes = Buffer.from(data);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await writeFile(this.blobPath(digest), bytes);
    return { mediaType, digest, size: bytes.length };
  }

  private async indexJson(): Promise<IndexJson> {
    return JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')) as IndexJson;
  }

  async descriptor(tag: string): Promise<LayoutDescriptor> {
    const found = (await this.indexJson()).manifests.find((m) => m.annotations?.[REF_NAME] === tag);
    if (!found) throw new Error(`no tag ${tag} in ${this.dir}`);
    return found;
  }

  async manifest(tag: string): Promise<Manifest> {
    return this.readJson<Manifest>((await this.descriptor(tag)).digest);
  }

  async tag(tag: string, descriptor: LayoutDescriptor): Promise<void> {
    const index = await this.indexJson();
    index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME] !== tag);
    index.manifests.push({ ...descriptor, annotations: { [REF_NAME]: tag } });
    await writeFile(join(this.dir, 'index.json'), JSON.stringify(index));
  }

  private async writeManifest(manifest: Manifest): Promise<LayoutDescriptor> {
    return this.writeBlob(JSON.stringify(manifest), OCI.manifest);
  }

  /**
   * Tags `<tag>` with an index over the image at `from` (as linux/amd64) and a copy of it whose
   * config says linux/arm64/v8, sharing the same layers. Returns the descriptors.
   */
  async addMultiPlatform(from: string, tag: string) {
    const amd64 = { ...(await this.descriptor(from)), platform: { os: 'linux', architecture: 'amd64' } };
    delete amd64.annotations;
    const manifest = await this.manifest(from);
    const config = await this.readJson<Record<string, unknown>>(manifest.config.digest);
    const armConfig = await this.writeBlob(
      JSON.stringify({ ...config, architecture: 'arm64', variant: 'v8' }),
      manifest.config.mediaType,
    );
    const arm64 = {
      ...(await this.writeManifest({ ...manifest, config: armConfig })),
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    };
    const index = await this.writeBlob(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: [amd64, arm64] }),
      OCI.index,
    );
    await this.tag(tag, index);
    return { index, amd64, arm64 };
  }

  /** Tags `<tag>` with the image at `from` whose last layer is recompressed with the zstd CLI. */
  async addZstdTopLayer(from: string, tag: string): Promise<LayoutDescriptor> {
    const manifest = await this.manifest(from);
    const top = manifest.layers.at(-1);
    if (!top) throw new Error('image without layers');
    const tar = gunzipSync(await this.readBlob(top.digest));
    const compressed = await new Promise<Buffer>((resolve, reject) => {
      const child = execFile(
        'zstd',
        ['-q', '-c', '-3'],
        { encoding: 'buffer', maxBuffer: 1024 ** 3 },
        (e, out) => (e ? reject(e) : resolve(out)),
      );
      child.stdin?.end(tar);
    });
    const layer = await this.writeBlob(compressed, OCI.layerZstd);
    const descriptor = await this.writeManifest({
      ...manifest,
      layers: [...manifest.layers.slice(0, -1), layer],
    });
    await this.tag(tag, descriptor);
    return layer;
  }
}
