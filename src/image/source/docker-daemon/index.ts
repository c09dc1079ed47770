/**
 * `docker:<name|id>` — an image in the local Docker daemon.
 *
 * Identity and layer list come from `GET /images/{name}/json`. The Engine API has no call for
 * the raw config blob (the history endpoint rounds times to seconds and cannot tell an empty
 * layer from a layer of zero bytes), so the exact config comes from the image export and is
 * kept in the cache dir by image ID: a rescan needs no export for it. Layers come from the same
 * export (`GET /images/{id}/get`), spooled to a temp file the first time one is opened and read
 * with the docker-archive reader; a scan whose layers are all cached never exports anything.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestHex, isDigest, sha256 } from '../../../common/digest.js';
import { CeranaError } from '../../../common/errors.js';
import { parseImageConfig } from '../../config.js';
import { MediaType } from '../../manifest.js';
import { parseReference } from '../../reference.js';
import type { Image, ImageConfig, ImageSource, Layer, SourceOptions } from '../../types.js';
import { ArchiveIndex } from '../archive-index.js';
import { loadDockerArchive } from '../docker-archive/index.js';
import { DockerEngine, resolveSocket } from './engine.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,511}$/;

interface Inspect {
  id: string;
  repoDigests: string[];
  diffIds: string[];
}

function parseInspect(value: unknown, name: string): Inspect {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const rootfs = (record.RootFS ?? {}) as Record<string, unknown>;
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  if (typeof record.Id !== 'string' || !isDigest(record.Id)) {
    throw new CeranaError(
      'NETWORK',
      `the Docker daemon sent an inspect answer for ${name} without an image ID`,
    );
  }
  return { id: record.Id, repoDigests: strings(record.RepoDigests), diffIds: strings(rootfs.Layers) };
}

/** The manifest digest the daemon recorded for the repository the user named, if any. */
function repoDigestFor(name: string, repoDigests: string[]): string | undefined {
  let wanted: string;
  try {
    const ref = parseReference(name);
    wanted = `${ref.registry}/${ref.repository}`;
  } catch {
    return undefined;
  }
  for (const entry of repoDigests) {
    try {
      const ref = parseReference(entry);
      if (`${ref.registry}/${ref.repository}` === wanted && ref.digest) return ref.digest;
    } catch {
      // A malformed entry is the daemon's business; it just cannot match.
    }
  }
  return undefined;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** The image export, fetched at most once per opened image and removed on close. */
class ExportSpool {
  private archive: Promise<ArchiveIndex> | undefined;
  private readonly controller = new AbortController();
  private readonly path: string;

  constructor(
    private readonly engine: DockerEngine,
    private readonly imageId: string,
    private readonly dir: string,
    private readonly options: SourceOptions,
  ) {
    this.path = join(dir, `export-${process.pid}-${randomBytes(6).toString('hex')}.tar`);
  }

  get(): Promise<ArchiveIndex> {
    this.archive ??= this.fetch().catch(async (error: unknown) => {
      await rm(this.path, { force: true });
      throw error;
    });
    return this.archive;
  }

  private async fetch(): Promise<ArchiveIndex> {
    await mkdir(this.dir, { recursive: true });
    const response = await this.engine.stream(`/images/${this.imageId}/get`, `image ${this.imageId}`);
    const progress = this.options.progress;
    const id = `export:${this.imageId}`;
    progress?.start(id, `export ${this.imageId.slice(7, 19)}`, -1);
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        progress?.advance(id, chunk.length);
        callback(null, chunk);
      },
    });
    const signals = [this.controller.signal, this.options.signal].filter((s): s is AbortSignal => !!s);
    await pipeline(response, counter, createWriteStream(this.path, { mode: 0o600 }), {
      signal: AbortSignal.any(signals),
    });
    progress?.done(id);
    return ArchiveIndex.open(this.path);
  }

  async remove(): Promise<void> {
    this.controller.abort();
    await this.archive?.catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

/** Config blobs by image ID: exact, verified, and reusable without an export. */
class ConfigCache {
  constructor(private readonly dir: string) {}

  private file(imageId: string): string {
    return join(this.dir, `${digestHex(imageId)}.json`);
  }

  async get(imageId: string, diffIds: string[]): Promise<Buffer | undefined> {
    const bytes = await readFile(this.file(imageId)).catch(() => undefined);
    if (!bytes) return undefined;
    try {
      // The file is ours, but a damaged or stale one must not stand in for the real config.
      return sameList(parseImageConfig(bytes).diffIds, diffIds) ? bytes : undefined;
    } catch {
      return undefined;
    }
  }

  async put(imageId: string, bytes: Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const temp = `${this.file(imageId)}.${process.pid}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, this.file(imageId));
  }
}

async function openDaemonImage(name: string, options: SourceOptions): Promise<Image> {
  if (!NAME.test(name)) {
    throw new CeranaError('USAGE', `invalid Docker image name ${JSON.stringify(name)}`);
  }
  const engine = new DockerEngine(resolveSocket(options), options.signal);
  const inspect = parseInspect(await engine.json(`/images/${name}/json`, `image ${name}`), name);
  const ref = `docker:${name}`;
  const base = join(options.cacheDir, 'docker-daemon');
  const spool = new ExportSpool(engine, inspect.id, join(base, 'exports'), options);
  const cache = new ConfigCache(join(base, 'configs'));
  try {
    let configBytes = await cache.get(inspect.id, inspect.diffIds);
    let exported: Image | undefined;
    if (!configBytes) {
      const loaded = await loadDockerArchive(await spool.get(), {}, ref, options);
      exported = loaded.image;
      configBytes = loaded.configBytes;
    }
    const config: ImageConfig = parseImageConfig(configBytes);
    if (!sameList(config.diffIds, inspect.diffIds)) {
      throw new CeranaError(
        'INPUT',
        `${ref}: the exported config does not list the layers the daemon reports`,
        {
          hint: 'the image changed while it was being read; try again',
        },
      );
    }
    if (exported) await cache.put(inspect.id, configBytes);
    let archived: Promise<Image> | undefined = exported ? Promise.resolve(exported) : undefined;
    const fromExport = () => {
      archived ??= spool
        .get()
        .then(async (archive) => (await loadDockerArchive(archive, {}, ref, options)).image);
      return archived;
    };
    const layers: Layer[] = config.diffIds.map((diffId, i) => ({
      digest: diffId,
      diffId,
      // The daemon computed these diffIds itself when it built, pulled or loaded the image.
      verifiedDigest: diffId,
      size: exported?.layers[i]?.size ?? -1,
      mediaType: exported?.layers[i]?.mediaType ?? MediaType.ociLayer,
      open: async () => {
        const layer = (await fromExport()).layers[i];
        if (!layer || layer.diffId !== diffId) {
          throw new CeranaError('INPUT', `${ref}: the export does not hold layer ${diffId}`, {
            hint: 'the image changed while it was being read; try again',
          });
        }
        return layer.open();
      },
    }));
    return {
      ref,
      digest: repoDigestFor(name, inspect.repoDigests) ?? inspect.id,
      configDigest: sha256(configBytes),
      repoDigests: inspect.repoDigests,
      platform: config.platform,
      config,
      layers,
      close: () => spool.remove(),
    };
  } catch (error) {
    await spool.remove();
    throw error;
  }
}

export const dockerDaemonSource: ImageSource = {
  scheme: 'docker',
  open: openDaemonImage,
};
