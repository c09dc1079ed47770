/**
 * Small images written byte by byte, for the cases no real tool produces on purpose: hostile
 * names, broken digests, odd layouts, multi-platform indexes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  END_OF_ARCHIVE,
  type EntrySpec,
  encodeHeader,
  paddingFor,
} from '../../src/image/source/tar-headers.js';

export interface TarItem {
  spec: EntrySpec;
  content?: Buffer | string;
}

export function buildTar(items: TarItem[]): Buffer {
  const parts: Buffer[] = [];
  for (const { spec, content } of items) {
    const body = content === undefined ? Buffer.alloc(0) : Buffer.from(content);
    parts.push(encodeHeader({ ...spec, size: body.length }), body, Buffer.alloc(paddingFor(body.length)));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

export function file(path: string, content: Buffer | string): TarItem {
  return { spec: { path, type: 'file' }, content };
}

export function symlink(path: string, linkname: string): TarItem {
  return { spec: { path, type: 'symlink', linkname } };
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function configFor(layers: Buffer[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { User: 'app', Env: ['A=1'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => `sha256:${sha256Hex(layer)}`) },
      history: layers.map((_, i) => ({ created_by: `step ${i}` })),
      ...extra,
    }),
  );
}

/** A legacy `docker save` archive of one image, as a list of entries a test may tamper with. */
export function legacyArchiveItems(
  layers: Buffer[],
  repoTags: string[],
  config = configFor(layers),
): TarItem[] {
  const configName = `${sha256Hex(config)}.json`;
  const layerNames = layers.map((_, i) => `${String(i).padStart(64, '0')}/layer.tar`);
  return [
    ...layers.map((layer, i) => file(layerNames[i] as string, layer)),
    file(configName, config),
    file('manifest.json', JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: layerNames }])),
  ];
}

export interface LayoutImage {
  layers: Buffer[];
  gzip?: boolean;
  platform?: { os: string; architecture: string; variant?: string };
  config?: Buffer;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

/** Writes blobs into an OCI layout directory and returns the image manifest's descriptor. */
export function writeLayoutImage(dir: string, image: LayoutImage): Descriptor {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer): string => {
    const hex = sha256Hex(data);
    writeFileSync(join(blobs, hex), data);
    return `sha256:${hex}`;
  };
  const config = image.config ?? configFor(image.layers, image.platform ?? {});
  const layers = image.layers.map((layer) => {
    const blob = image.gzip ? gzipSync(layer) : layer;
    return {
      mediaType: image.gzip
        ? 'application/vnd.oci.image.layer.v1.tar+gzip'
        : 'application/vnd.oci.image.layer.v1.tar',
      digest: put(blob),
      size: blob.length,
    };
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: put(config),
        size: config.length,
      },
      layers,
    }),
  );
  const descriptor: Descriptor = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: put(manifest),
    size: manifest.length,
  };
  if (image.platform) descriptor.platform = image.platform;
  return descriptor;
}

/** Stores an index blob listing `manifests` and returns its descriptor. */
export function writeIndexBlob(dir: string, manifests: Descriptor[]): Descriptor {
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
  const hex = sha256Hex(index);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', hex), index);
  return {
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${hex}`,
    size: index.length,
  };
}

export function writeIndexJson(dir: string, manifests: Descriptor[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
}

export function tagged(descriptor: Descriptor, tag: string): Descriptor {
  return { ...descriptor, annotations: { 'org.opencontainers.image.ref.name': tag } };
}

export function smallLayer(files: Record<string, string>): Buffer {
  return buildTar(Object.entries(files).map(([path, content]) => file(path, content)));
}
