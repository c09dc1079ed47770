import { CeranaError } from '../../../common/errors.js';
import { parseImageConfig } from '../../config.js';
import {
  type Descriptor,
  formatPlatform,
  MAX_DOCUMENT_BYTES,
  MediaType,
  platformMatches,
} from '../../manifest.js';
import { formatReference, parseReference } from '../../reference.js';
import type { Image, ImageSource, Layer, SourceOptions } from '../../types.js';
import { RegistryClient } from './client.js';
import { verifiedTarStream } from './layer.js';
import { resolveManifest } from './resolve.js';

export { RegistryClient, type RegistryClientOptions } from './client.js';

export interface RegistryLimits {
  /** Largest image config blob read into memory. */
  maxConfigBytes: number;
  /** Largest (compressed) layer blob streamed. */
  maxLayerBytes: number;
  /** Longest wait for a connection or response headers, and longest stall inside a download. */
  timeoutMs: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  maxConfigBytes: MAX_DOCUMENT_BYTES,
  maxLayerBytes: 64 * 1024 ** 3,
  timeoutMs: 60_000,
};

const CONFIG_MEDIA_TYPES = new Set<string>([MediaType.dockerConfig, MediaType.ociConfig, '']);
/** Layer media types that carry a (possibly compressed) tar; the compression itself is sniffed. */
const TAR_LAYER =
  /^application\/vnd\.(?:oci\.image\.layer(?:\.nondistributable)?\.v1\.tar|docker\.image\.rootfs\.(?:foreign\.)?diff\.tar)(?:\.gzip|\+gzip|\+zstd)?$/;

function shortDigest(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

/**
 * Opens an image from an OCI distribution v2 registry: manifest (by platform), config, and
 * lazily streamed layers. `reference` comes without the `registry:` scheme (see source/index.ts).
 */
export async function openRegistryImage(
  reference: string,
  options: SourceOptions,
  limits: RegistryLimits = DEFAULT_REGISTRY_LIMITS,
): Promise<Image> {
  const parsed = parseReference(reference);
  const client = new RegistryClient({
    registry: parsed.registry,
    repository: parsed.repository,
    timeoutMs: limits.timeoutMs,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.dockerConfigDir ? { dockerConfigDir: options.dockerConfigDir } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const name = formatReference(parsed);
  const resolved = await resolveManifest(client, parsed.digest ?? parsed.tag ?? 'latest', options.platform);
  const { manifest } = resolved;

  if (!CONFIG_MEDIA_TYPES.has(manifest.config.mediaType)) {
    throw new CeranaError(
      'UNSUPPORTED',
      `${name} is not a container image (config ${manifest.config.mediaType})`,
      {
        hint: 'OCI artifacts such as signatures, SBOMs or Helm charts cannot be scanned as images',
      },
    );
  }
  const configBytes = await client.readBlob(
    manifest.config,
    limits.maxConfigBytes,
    `image config ${manifest.config.digest}`,
  );
  const config = parseImageConfig(configBytes);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new CeranaError(
      'INPUT',
      `${name}: the manifest lists ${manifest.layers.length} layers but the config has ${config.diffIds.length} diff_ids`,
    );
  }
  if (options.platform && !platformMatches(config.platform, options.platform)) {
    throw new CeranaError(
      'NOT_FOUND',
      `${name} is ${formatPlatform(config.platform)}, not ${formatPlatform(options.platform)}`,
      { hint: 'the image is not published for the requested platform' },
    );
  }

  const layers = manifest.layers.map((descriptor, i): Layer => {
    if (!TAR_LAYER.test(descriptor.mediaType)) {
      throw new CeranaError('UNSUPPORTED', `${name}: layer ${i} has media type ${descriptor.mediaType}`, {
        hint: 'only tar layers (plain, gzip or zstd) can be scanned',
      });
    }
    return {
      digest: descriptor.digest,
      diffId: config.diffIds[i] as string,
      size: descriptor.size,
      mediaType: descriptor.mediaType,
      // Every blob is checked against its digest while it streams (verify.ts).
      verifiedDigest: descriptor.digest,
      open: () => openLayer(client, descriptor, options, limits),
    };
  });

  return {
    ref: `registry:${name}`,
    digest: resolved.digest,
    configDigest: manifest.config.digest,
    repoDigests: [`${parsed.registry}/${parsed.repository}@${resolved.rootDigest}`],
    platform:
      config.platform.architecture === 'unknown' && resolved.indexPlatform
        ? resolved.indexPlatform
        : config.platform,
    config,
    layers,
    close: async () => {},
  };
}

async function openLayer(
  client: RegistryClient,
  descriptor: Descriptor,
  options: SourceOptions,
  limits: RegistryLimits,
) {
  const label = `layer ${shortDigest(descriptor.digest)}`;
  const { progress } = options;
  progress?.start(descriptor.digest, label, descriptor.size);
  try {
    const blob = await client.openBlob(descriptor, {
      maxBytes: limits.maxLayerBytes,
      what: `layer ${descriptor.digest}`,
      ...(progress ? { onBytes: (bytes: number) => progress.advance(descriptor.digest, bytes) } : {}),
    });
    blob.once('close', () => progress?.done(descriptor.digest));
    return await verifiedTarStream(blob, descriptor.mediaType, label);
  } catch (error) {
    progress?.done(descriptor.digest);
    throw error;
  }
}

export const registrySource: ImageSource = {
  scheme: 'registry',
  open: (reference, options) => openRegistryImage(reference, options),
};
