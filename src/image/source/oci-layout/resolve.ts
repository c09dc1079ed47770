/**
 * From an OCI image layout (index.json + blobs) to an Image: pick the manifest by tag or
 * digest, descend nested indexes by platform, and expose the layers as verified streams.
 */
import { isDigest } from '../../../common/digest.js';
import { CeranaError } from '../../../common/errors.js';
import { parseImageConfig } from '../../config.js';
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  MAX_DOCUMENT_BYTES,
  MediaType,
  parseJsonDocument,
  parseManifestDocument,
  selectPlatform,
} from '../../manifest.js';
import { formatReference, parseReference } from '../../reference.js';
import type { Image, Layer, SourceOptions } from '../../types.js';
import { openLayerBlob } from '../blob-stream.js';
import { verifyBytes } from '../verify.js';
import type { BlobStore } from './store.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
export const CONTAINERD_NAME = 'io.containerd.image.name';
const MAX_INDEX_DEPTH = 8;

export interface LayoutSelector {
  tag?: string;
  digest?: string;
}

export interface ResolvedManifest {
  descriptor: Descriptor;
  manifest: ImageManifest;
}

function refNames(descriptor: Descriptor): string[] {
  const names = [descriptor.annotations?.[REF_NAME], descriptor.annotations?.[CONTAINERD_NAME]];
  return names.filter((name): name is string => typeof name === 'string' && name !== '');
}

function isAttestation(descriptor: Descriptor): boolean {
  return (
    descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    descriptor.platform?.os === 'unknown'
  );
}

async function readIndexJson(store: BlobStore): Promise<ImageIndex> {
  const layout = await store.readFile('oci-layout', 64 * 1024);
  if (!layout) {
    throw new CeranaError('INPUT', `${store.location} is not an OCI image layout: it has no oci-layout file`);
  }
  const version = parseJsonDocument(layout, 'oci-layout').imageLayoutVersion;
  if (typeof version !== 'string') {
    throw new CeranaError('INPUT', `invalid oci-layout in ${store.location}: no imageLayoutVersion`);
  }
  const bytes = await store.readFile('index.json', MAX_DOCUMENT_BYTES);
  if (!bytes) throw new CeranaError('INPUT', `${store.location} has no index.json`);
  const index = parseManifestDocument(bytes);
  if (index.kind !== 'index') {
    throw new CeranaError('INPUT', `index.json of ${store.location} is not an image index`);
  }
  return index;
}

/** Reads a manifest or index blob, checking its size and digest against the descriptor. */
async function readDocument(store: BlobStore, descriptor: Descriptor): Promise<ImageIndex | ImageManifest> {
  const size = await store.blobSize(descriptor.digest);
  if (size === undefined) {
    throw new CeranaError('INPUT', `manifest ${descriptor.digest} is missing from ${store.location}`, {
      hint: 'the image layout is incomplete',
    });
  }
  if (size !== descriptor.size) {
    throw new CeranaError(
      'DIGEST_MISMATCH',
      `manifest ${descriptor.digest} has ${size} bytes, its descriptor declares ${descriptor.size}`,
    );
  }
  const bytes = await store.readBlob(descriptor.digest, MAX_DOCUMENT_BYTES);
  verifyBytes(bytes, descriptor.digest, `manifest ${descriptor.digest}`, 'file');
  return parseManifestDocument(bytes, descriptor.mediaType);
}

function describeChoices(descriptors: Descriptor[]): string {
  const names = descriptors.map((d) => refNames(d)[0] ?? d.digest);
  return [...new Set(names)].sort().join(', ') || 'none';
}

function normalized(name: string): string | undefined {
  try {
    return formatReference(parseReference(name));
  } catch {
    return undefined;
  }
}

/** `latest` matches `docker.io/library/x:latest`; `x:1` matches `docker.io/library/x:1`. */
function tagMatches(descriptor: Descriptor, wanted: string): boolean {
  const wantedRef = wanted.includes(':') || wanted.includes('/') ? normalized(wanted) : undefined;
  return refNames(descriptor).some((name) =>
    wantedRef ? normalized(name) === wantedRef : name.endsWith(`:${wanted}`),
  );
}

/** The top-level entries of index.json the user's selector designates. */
async function candidates(
  store: BlobStore,
  index: ImageIndex,
  selector: LayoutSelector,
): Promise<Descriptor[]> {
  const images = index.manifests.filter((d) => !isAttestation(d));
  if (selector.digest) {
    const listed = index.manifests.filter((d) => d.digest === selector.digest);
    if (listed.length > 0) return listed.slice(0, 1);
    // Any manifest blob in the layout may be named by digest, listed in index.json or not.
    const size = await store.blobSize(selector.digest);
    if (size === undefined) {
      throw new CeranaError('NOT_FOUND', `no manifest ${selector.digest} in ${store.location}`);
    }
    return [{ mediaType: '', digest: selector.digest, size }];
  }
  if (selector.tag) {
    const tag = selector.tag;
    // An exact ref name wins over a tag suffix match (`latest` vs `docker.io/x:latest`).
    const exact = images.filter((d) => refNames(d).includes(tag));
    const matched = exact.length > 0 ? exact : images.filter((d) => tagMatches(d, tag));
    if (matched.length === 0) {
      throw new CeranaError('NOT_FOUND', `no image tagged ${JSON.stringify(tag)} in ${store.location}`, {
        hint: `available: ${describeChoices(images)}`,
      });
    }
    return matched;
  }
  if (images.length === 0) throw new CeranaError('NOT_FOUND', `${store.location} holds no image`);
  return images;
}

async function resolve(
  store: BlobStore,
  selector: LayoutSelector,
  options: SourceOptions,
): Promise<ResolvedManifest> {
  const index = await readIndexJson(store);
  const found = await candidates(store, index, selector);
  let descriptor: Descriptor;
  if (found.length === 1) descriptor = found[0] as Descriptor;
  else if (found.every((d) => d.platform)) {
    // Several entries for one name, one per platform (a flattened multi-platform image).
    descriptor = selectPlatform(
      { kind: 'index', mediaType: MediaType.ociIndex, manifests: found },
      options.platform,
    );
  } else {
    throw new CeranaError('USAGE', `${store.location} holds ${found.length} images`, {
      hint: `choose one with :<tag> or @<digest>; available: ${describeChoices(found)}`,
    });
  }
  // A blob cannot list its own digest (its hash would have to contain itself), so digest
  // checks rule out cycles and the depth bound stops long chains.
  for (let depth = 0; depth < MAX_INDEX_DEPTH; depth++) {
    const document = await readDocument(store, descriptor);
    if (document.kind === 'manifest') {
      return { descriptor: { ...descriptor, mediaType: document.mediaType }, manifest: document };
    }
    descriptor = selectPlatform(document, options.platform);
  }
  throw new CeranaError(
    'INPUT',
    `image indexes in ${store.location} nest deeper than ${MAX_INDEX_DEPTH} levels`,
  );
}

const CONFIG_TYPES = new Set<string>([MediaType.ociConfig, MediaType.dockerConfig, '']);

/** Builds the Image of a manifest whose blobs are in `store`. */
export async function imageFromManifest(
  store: BlobStore,
  resolved: ResolvedManifest,
  ref: string,
): Promise<Image> {
  const { manifest, descriptor } = resolved;
  if (!CONFIG_TYPES.has(manifest.config.mediaType)) {
    throw new CeranaError(
      'UNSUPPORTED',
      `${ref} is not a container image (config type ${manifest.config.mediaType})`,
    );
  }
  const configBytes = await store.readBlob(manifest.config.digest, MAX_DOCUMENT_BYTES);
  verifyBytes(configBytes, manifest.config.digest, 'image config', 'file');
  const config = parseImageConfig(configBytes);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new CeranaError(
      'INPUT',
      `manifest ${descriptor.digest} lists ${manifest.layers.length} layers, its config ${config.diffIds.length}`,
    );
  }
  const layers: Layer[] = [];
  for (const [i, layer] of manifest.layers.entries()) {
    const size = await store.blobSize(layer.digest);
    if (size === undefined) {
      throw new CeranaError('INPUT', `layer ${layer.digest} is missing from ${store.location}`, {
        hint: 'the image layout is incomplete (foreign layers are not stored in layouts)',
      });
    }
    if (size !== layer.size) {
      throw new CeranaError(
        'DIGEST_MISMATCH',
        `layer ${layer.digest} has ${size} bytes, its descriptor declares ${layer.size}`,
      );
    }
    const diffId = config.diffIds[i] as string;
    const blob = {
      digest: layer.digest,
      diffId,
      size,
      mediaType: layer.mediaType,
      what: `layer ${layer.digest}`,
    };
    layers.push({
      digest: layer.digest,
      diffId,
      size,
      mediaType: layer.mediaType,
      // openLayerBlob checks a blob named by another digest than the diffId while it streams.
      ...(layer.digest !== diffId ? { verifiedDigest: layer.digest } : {}),
      open: () => openLayerBlob(store.openBlob(layer.digest), blob),
    });
  }
  return {
    ref,
    digest: descriptor.digest,
    configDigest: manifest.config.digest,
    repoDigests: [],
    platform: config.platform,
    config,
    layers,
    close: async () => {},
  };
}

/** Opens the image a selector designates in an OCI layout. */
export async function openLayoutImage(
  store: BlobStore,
  selector: LayoutSelector,
  ref: string,
  options: SourceOptions,
): Promise<Image> {
  if (selector.digest && !isDigest(selector.digest)) {
    throw new CeranaError('USAGE', `invalid digest ${JSON.stringify(selector.digest)} in ${ref}`);
  }
  return imageFromManifest(store, await resolve(store, selector, options), ref);
}

/**
 * The digest of the manifest listed in index.json whose config is `configDigest`, if any:
 * newer `docker save` archives carry an OCI layout beside manifest.json, and its manifest
 * digest is the image's identity where the legacy half only knows the config.
 */
export async function findManifestByConfig(
  store: BlobStore,
  configDigest: string,
): Promise<string | undefined> {
  const index = await readIndexJson(store);
  for (const descriptor of index.manifests.slice(0, 256)) {
    if (descriptor.mediaType !== MediaType.ociManifest && descriptor.mediaType !== MediaType.dockerManifest)
      continue;
    const document = await readDocument(store, descriptor);
    if (document.kind === 'manifest' && document.config.digest === configDigest) return descriptor.digest;
  }
  return undefined;
}
