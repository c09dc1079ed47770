import { isDigest } from '../common/digest.js';
import { CeranaError } from '../common/errors.js';
import type { Platform } from './types.js';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

/** Every manifest media type a registry `Accept` header should list. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  artifactType?: string;
}

/** Largest manifest or config document read into memory. */
export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

function invalid(what: string, why: string): never {
  throw new CeranaError('INPUT', `invalid ${what}: ${why}`);
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(what, 'not a JSON object');
  return value as Record<string, unknown>;
}

export function parseJsonDocument(bytes: Buffer | string, what: string): Record<string, unknown> {
  if (bytes.length > MAX_DOCUMENT_BYTES) invalid(what, `larger than ${MAX_DOCUMENT_BYTES} bytes`);
  try {
    return asObject(JSON.parse(bytes.toString()), what);
  } catch (error) {
    if (error instanceof CeranaError) throw error;
    return invalid(what, (error as Error).message);
  }
}

function parsePlatformObject(value: unknown): Platform | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.os !== 'string' || typeof record.architecture !== 'string') return undefined;
  const platform: Platform = { os: record.os, architecture: record.architecture };
  if (typeof record.variant === 'string' && record.variant) platform.variant = record.variant;
  return platform;
}

export function parseDescriptor(value: unknown, what: string): Descriptor {
  const record = asObject(value, what);
  const { mediaType, digest, size } = record;
  if (typeof digest !== 'string' || !isDigest(digest)) invalid(what, `bad digest ${JSON.stringify(digest)}`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) invalid(what, 'bad size');
  const descriptor: Descriptor = { mediaType: typeof mediaType === 'string' ? mediaType : '', digest, size };
  const platform = parsePlatformObject(record.platform);
  if (platform) descriptor.platform = platform;
  if (typeof record.annotations === 'object' && record.annotations !== null) {
    descriptor.annotations = record.annotations as Record<string, string>;
  }
  if (typeof record.artifactType === 'string') descriptor.artifactType = record.artifactType;
  return descriptor;
}

/** Parses an image index / manifest list or an image manifest (Docker v2 schema 2 or OCI). */
export function parseManifestDocument(bytes: Buffer | string, contentType = ''): ImageIndex | ImageManifest {
  const doc = parseJsonDocument(bytes, 'manifest');
  const mediaType =
    typeof doc.mediaType === 'string' && doc.mediaType
      ? doc.mediaType
      : (contentType.split(';')[0]?.trim() ?? '');
  if (doc.schemaVersion === 1) {
    throw new CeranaError('UNSUPPORTED', 'Docker image manifest schema 1 is not supported', {
      hint: 'push the image again with a current Docker or registry',
    });
  }
  if (Array.isArray(doc.manifests)) {
    return {
      kind: 'index',
      mediaType: mediaType || MediaType.ociIndex,
      manifests: doc.manifests.map((item, i) => parseDescriptor(item, `manifests[${i}]`)),
    };
  }
  if (doc.config !== undefined && Array.isArray(doc.layers)) {
    const manifest: ImageManifest = {
      kind: 'manifest',
      mediaType: mediaType || MediaType.ociManifest,
      config: parseDescriptor(doc.config, 'manifest config'),
      layers: doc.layers.map((item, i) => parseDescriptor(item, `layers[${i}]`)),
    };
    if (typeof doc.artifactType === 'string') manifest.artifactType = doc.artifactType;
    return manifest;
  }
  return invalid('manifest', 'neither an image index nor an image manifest');
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, extra] = text.split('/');
  if (!os || !architecture || extra !== undefined) {
    throw new CeranaError('USAGE', `invalid platform ${JSON.stringify(text)}`, {
      hint: 'use os/arch[/variant], e.g. linux/arm64',
    });
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

const NODE_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
};

export function hostPlatform(): Platform {
  return { os: 'linux', architecture: NODE_ARCH[process.arch] ?? process.arch };
}

/** Default variants as containerd normalizes them: arm64 means v8, arm means v7. */
function normalizedVariant(platform: Platform): string {
  if (platform.variant) return platform.variant;
  if (platform.architecture === 'arm64') return 'v8';
  if (platform.architecture === 'arm') return 'v7';
  return '';
}

export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  return !wanted.variant || normalizedVariant(candidate) === normalizedVariant(wanted);
}

/** Picks the manifest for a platform from an index, skipping attestation manifests (`unknown/unknown`). */
export function selectPlatform(index: ImageIndex, wanted: Platform = hostPlatform()): Descriptor {
  const images = index.manifests.filter(
    (m) =>
      m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && m.platform?.os !== 'unknown',
  );
  const match = images.find((m) => m.platform && platformMatches(m.platform, wanted));
  if (match) return match;
  if (images.length === 1 && !images[0]?.platform) return images[0] as Descriptor;
  const available = images.map((m) => (m.platform ? formatPlatform(m.platform) : 'unspecified')).join(', ');
  throw new CeranaError('NOT_FOUND', `no image for platform ${formatPlatform(wanted)} in the index`, {
    hint: `available: ${available || 'none'}; choose one with --platform`,
  });
}
