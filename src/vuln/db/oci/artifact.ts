import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { sha256 } from '../../../common/digest.js';
import { CeranaError } from '../../../common/errors.js';
import { decompressLayer } from '../../../image/decompress.js';
import { MediaType } from '../../../image/manifest.js';
import { formatReference, parseReference } from '../../../image/reference.js';
import { RegistryClient } from '../../../image/source/registry/index.js';
import type { Credentials } from '../../../image/types.js';
import { type DatabaseStatus, databaseStatus, openDatabase } from '../database.js';
import { removeLeftovers, swapInto, tempPathFor, withUpdateLock } from '../files.js';
import { RegistryWriter } from './registry-writer.js';

/**
 * `cerana db push` / `db pull`: the database file as an OCI artifact, so a site without internet
 * access mirrors it through its own registry. The artifact is an OCI image manifest with
 * `artifactType` set, the empty config, and one layer: the SQLite file, gzip (or zstd) compressed.
 * A pull is verified (blob digest, then the uncompressed file's digest and schema) before it is
 * swapped in exactly like an update.
 */

export const ARTIFACT_TYPE = 'application/vnd.cerana.vulndb.v1';
export const LAYER_MEDIA_TYPE = 'application/vnd.cerana.vulndb.layer.v1.sqlite';
const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
};
const ANNOTATION_SQLITE_DIGEST = 'dev.cerana.vulndb.sqlite.digest';
const ANNOTATION_SQLITE_SIZE = 'dev.cerana.vulndb.sqlite.size';
const ANNOTATION_SCHEMA = 'dev.cerana.vulndb.schema';

export type ArtifactCompression = 'gzip' | 'zstd';

export interface RegistryOptions {
  credentials?: Credentials;
  dockerConfigDir?: string;
  /** Plain HTTP / unverified TLS for a non-loopback registry. */
  insecure?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  progress?: (bytes: number, total: number | undefined) => void;
}

export interface PushOptions extends RegistryOptions {
  compression?: ArtifactCompression;
}

export interface PushResult {
  reference: string;
  /** Digest of the manifest: pin pulls to it. */
  digest: string;
  layerDigest: string;
  compressedSize: number;
  size: number;
}

export interface PullOptions extends RegistryOptions {
  /** Largest compressed layer accepted. */
  maxCompressedBytes?: number;
  /** Largest database file written. */
  maxBytes?: number;
}

export interface PullResult {
  reference: string;
  digest: string;
  status: DatabaseStatus;
}

type ZstdCompress = (options?: object) => Transform;
const nativeZstdCompress = (zlib as unknown as { createZstdCompress?: ZstdCompress }).createZstdCompress;

export async function pushDatabase(
  dbPath: string,
  reference: string,
  options: PushOptions = {},
): Promise<PushResult> {
  const ref = parseReference(reference);
  if (ref.digest !== undefined) {
    throw new CeranaError('USAGE', `push to a tag, not a digest: ${reference}`, {
      hint: 'e.g. registry.local/cerana/vulndb:latest',
    });
  }
  const compression = options.compression ?? 'gzip';
  if (compression === 'zstd' && nativeZstdCompress === undefined) {
    throw new CeranaError('UNSUPPORTED', 'zstd compression needs Node.js 22.15 or later', {
      hint: 'use gzip',
    });
  }
  const path = resolve(dbPath);
  // Holding the update lock keeps an update from replacing or touching the file while it is read.
  return withUpdateLock(path, async () => {
    const status = await databaseStatus(path);
    const blob = tempPathFor(path);
    try {
      const packed = await compressFile(path, blob, compression);
      const writer = new RegistryWriter({
        registry: ref.registry,
        repository: ref.repository,
        ...registryOptions(options),
      });
      await writer.uploadBlob(EMPTY_CONFIG.digest, { kind: 'bytes', data: Buffer.from('{}') });
      await writer.uploadBlob(packed.digest, {
        kind: 'file',
        path: blob,
        size: packed.compressedSize,
        ...(options.progress ? { onBytes: progressCounter(packed.compressedSize, options.progress) } : {}),
      });
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.ociManifest,
          artifactType: ARTIFACT_TYPE,
          config: EMPTY_CONFIG,
          layers: [
            {
              mediaType: `${LAYER_MEDIA_TYPE}+${compression}`,
              digest: packed.digest,
              size: packed.compressedSize,
              annotations: {
                'org.opencontainers.image.title': 'vuln.db',
                [ANNOTATION_SQLITE_DIGEST]: packed.sqliteDigest,
                [ANNOTATION_SQLITE_SIZE]: String(packed.size),
              },
            },
          ],
          annotations: {
            'org.opencontainers.image.created': status.builtAt,
            [ANNOTATION_SCHEMA]: String(status.schemaVersion),
            'dev.cerana.vulndb.records': String(status.records),
          },
        }),
      );
      const tag = ref.tag ?? 'latest';
      const digest = (await writer.putManifest(tag, manifest, MediaType.ociManifest)) ?? sha256(manifest);
      return {
        reference: formatReference({ ...ref, tag }),
        digest,
        layerDigest: packed.digest,
        compressedSize: packed.compressedSize,
        size: packed.size,
      };
    } finally {
      await rm(blob, { force: true });
    }
  });
}

export async function pullDatabase(
  reference: string,
  dbPath: string,
  options: PullOptions = {},
): Promise<PullResult> {
  const ref = parseReference(reference);
  const client = new RegistryClient({
    registry: ref.registry,
    repository: ref.repository,
    ...registryOptions(options),
  });
  const name = formatReference(ref);
  const fetched = await client.getManifest(ref.digest ?? ref.tag ?? 'latest');
  const manifest = fetched.document;
  const artifactType =
    manifest.kind === 'manifest' ? (manifest.artifactType ?? manifest.config.mediaType) : manifest.mediaType;
  if (manifest.kind !== 'manifest' || artifactType !== ARTIFACT_TYPE) {
    throw new CeranaError('UNSUPPORTED', `${name} is not a Cerana vulnerability database (${artifactType})`, {
      hint: 'push one with `cerana db push`',
    });
  }
  const layers = manifest.layers.filter((layer) => layer.mediaType.startsWith(LAYER_MEDIA_TYPE));
  const layer = layers[0];
  if (layer === undefined || layers.length > 1) {
    throw new CeranaError('INPUT', `${name} must have exactly one database layer, has ${layers.length}`);
  }
  const maxCompressed = options.maxCompressedBytes ?? 8 * 1024 ** 3;
  if (layer.size > maxCompressed) {
    throw new CeranaError(
      'LIMIT',
      `${name}: the database layer is ${layer.size} bytes, over the limit of ${maxCompressed}`,
    );
  }
  const path = resolve(dbPath);
  await withUpdateLock(path, async () => {
    await removeLeftovers(path);
    const temp = tempPathFor(path);
    try {
      const blob = await client.openBlob(layer, {
        maxBytes: maxCompressed,
        what: `database layer ${layer.digest}`,
        ...(options.progress ? { onBytes: progressCounter(layer.size, options.progress) } : {}),
      });
      const file = await decompressLayer(blob, { mediaType: layer.mediaType, label: 'database layer' });
      const written = await writeBounded(file, temp, options.maxBytes ?? 32 * 1024 ** 3);
      const expected = layer.annotations?.[ANNOTATION_SQLITE_DIGEST];
      if (expected !== undefined && expected !== written.digest) {
        throw new CeranaError(
          'DIGEST_MISMATCH',
          `${name}: the database file is ${written.digest}, the artifact says ${expected}`,
        );
      }
      // Refuse anything this Cerana cannot read before it replaces a working database.
      (await openDatabase(temp, { cacheSize: 0 })).close();
      await swapInto(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  });
  return { reference: name, digest: fetched.digest, status: await databaseStatus(path) };
}

function registryOptions(options: RegistryOptions) {
  return {
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.dockerConfigDir ? { dockerConfigDir: options.dockerConfigDir } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** Compresses `source` into `target`, hashing both sides in the same pass. */
async function compressFile(
  source: string,
  target: string,
  compression: ArtifactCompression,
): Promise<{ digest: string; compressedSize: number; sqliteDigest: string; size: number }> {
  const raw = new Hasher();
  const packed = new Hasher();
  const compressor: Transform =
    compression === 'zstd' && nativeZstdCompress !== undefined
      ? nativeZstdCompress()
      : zlib.createGzip({ level: 6 });
  await pipeline(createReadStream(source), raw, compressor, packed, createWriteStream(target));
  const { size } = await stat(source);
  if (raw.bytes !== size) throw new CeranaError('INTERNAL', `${source} changed while it was being packed`);
  return { digest: packed.digest(), compressedSize: packed.bytes, sqliteDigest: raw.digest(), size };
}

async function writeBounded(
  stream: Readable,
  target: string,
  maxBytes: number,
): Promise<{ digest: string; size: number }> {
  const hasher = new Hasher(maxBytes);
  await pipeline(stream, hasher, createWriteStream(target, { flags: 'wx' }));
  return { digest: hasher.digest(), size: hasher.bytes };
}

function progressCounter(total: number, progress: (bytes: number, total: number | undefined) => void) {
  let bytes = 0;
  return (n: number): void => {
    bytes += n;
    progress(bytes, total);
  };
}

/** Passes bytes through, counting and hashing them, and failing past a limit. */
class Hasher extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new CeranaError('LIMIT', `the database is larger than ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}
