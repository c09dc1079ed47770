/**
 * `docker-archive:<file.tar>[:<tag>]` — what `docker save` writes, in both layouts: legacy
 * (`manifest.json`, `<hex>.json`, `<id>/layer.tar`) and Docker 25+ (the same manifest.json
 * pointing into an OCI layout's `blobs/sha256/`). The archive is indexed once and read in place.
 */
import { sha256 } from '../../../common/digest.js';
import { CeranaError } from '../../../common/errors.js';
import { parseImageConfig } from '../../config.js';
import { MAX_DOCUMENT_BYTES } from '../../manifest.js';
import type { Image, ImageSource, Layer, SourceOptions } from '../../types.js';
import { ArchiveIndex } from '../archive-index.js';
import { openLayerBlob, sniffLayerMediaType } from '../blob-stream.js';
import { formatLocation, splitLocation } from '../location.js';
import { findManifestByConfig, openLayoutImage } from '../oci-layout/resolve.js';
import { ArchiveStore } from '../oci-layout/store.js';
import { verifyBytes } from '../verify.js';
import { parseSaveManifest, selectSaveItem } from './save-manifest.js';

/**
 * The digest a file is named by, where its name is one: `blobs/sha256/<hex>`, `<hex>.json`
 * (legacy config), `<hex>.tar[.gz]` (skopeo, go-containerregistry). `<id>/layer.tar` names a
 * legacy v1 id, not a digest; that layer is checked against its diffId by the scanner.
 */
export function digestNamedBy(path: string): string | undefined {
  const blob = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
  if (blob) return `sha256:${blob[1]}`;
  const base = path.slice(path.lastIndexOf('/') + 1);
  const named = /^(?:sha256:)?([a-f0-9]{64})(?:\.json|\.tar|\.tar\.gz)?$/.exec(base);
  return named ? `sha256:${named[1]}` : undefined;
}

export interface ArchiveSelection {
  /** A tag as `docker save` recorded it (`app:1`, `docker.io/library/app:1`, ...). */
  name?: string;
  /** When known (daemon exports by image ID), the config the chosen image must have. */
  configDigest?: string;
}

/** Opens one image of an indexed `docker save` archive. */
export async function openDockerArchive(
  archive: ArchiveIndex,
  selection: ArchiveSelection,
  ref: string,
  options: SourceOptions,
): Promise<Image> {
  if (!archive.has('manifest.json') && archive.has('index.json') && archive.has('oci-layout')) {
    // An OCI layout without docker's manifest.json (e.g. a buildx `--output type=oci` tar).
    const selector = selection.name ? { tag: selection.name } : {};
    return openLayoutImage(new ArchiveStore(archive), selector, ref, options);
  }
  return (await loadDockerArchive(archive, selection, ref, options)).image;
}

/** Reads the image `manifest.json` designates, with its raw config bytes. */
export async function loadDockerArchive(
  archive: ArchiveIndex,
  selection: ArchiveSelection,
  ref: string,
  _options: SourceOptions,
): Promise<{ image: Image; configBytes: Buffer }> {
  if (!archive.has('manifest.json')) {
    throw new CeranaError('INPUT', `${archive.path} is not a docker save archive: it has no manifest.json`, {
      hint: 'archives from Docker before 1.10 are not supported; save the image again with a current Docker',
    });
  }
  const items = parseSaveManifest(await archive.read('manifest.json', 'manifest.json', MAX_DOCUMENT_BYTES));
  const item = selectSaveItem(items, selection.name, archive.path);
  const configBytes = await archive.read(item.config, 'image config', MAX_DOCUMENT_BYTES);
  const namedConfig = digestNamedBy(item.config);
  if (namedConfig) verifyBytes(configBytes, namedConfig, 'image config', 'file');
  const configDigest = namedConfig ?? sha256(configBytes);
  if (selection.configDigest && selection.configDigest !== configDigest) {
    throw new CeranaError('DIGEST_MISMATCH', `${ref}: the archive holds config ${configDigest}`, {
      hint: `expected ${selection.configDigest}`,
    });
  }
  const config = parseImageConfig(configBytes);
  if (config.diffIds.length !== item.layers.length) {
    throw new CeranaError(
      'INPUT',
      `${ref}: manifest.json lists ${item.layers.length} layers, the image config ${config.diffIds.length}`,
    );
  }
  const layers: Layer[] = [];
  for (const [i, path] of item.layers.entries()) {
    const entry = archive.entry(path, 'layer');
    const diffId = config.diffIds[i] as string;
    const named = digestNamedBy(path);
    const mediaType = sniffLayerMediaType(await archive.head(entry, 6));
    const blob = {
      ...(named ? { digest: named } : {}),
      diffId,
      size: entry.size,
      mediaType,
      what: `layer ${path}`,
    };
    layers.push({
      digest: named ?? diffId,
      diffId,
      size: entry.size,
      mediaType,
      ...(named && named !== diffId ? { verifiedDigest: named } : {}),
      open: () => openLayerBlob(archive.stream(entry), blob),
    });
  }
  let digest = configDigest;
  if (archive.has('index.json') && archive.has('oci-layout')) {
    digest = (await findManifestByConfig(new ArchiveStore(archive), configDigest)) ?? configDigest;
  }
  const image: Image = {
    ref,
    digest,
    configDigest,
    repoDigests: [],
    platform: config.platform,
    config,
    layers,
    close: async () => {},
  };
  return { image, configBytes };
}

export const dockerArchiveSource: ImageSource = {
  scheme: 'docker-archive',
  async open(ref: string, options: SourceOptions): Promise<Image> {
    const location = await splitLocation(ref, 'file', 'docker-archive');
    if (location.digest) {
      throw new CeranaError('USAGE', 'docker-archive: selects images by tag, not by digest', {
        hint: `use docker-archive:${location.path}:<tag>`,
      });
    }
    const archive = await ArchiveIndex.open(location.path);
    const selection = location.name ? { name: location.name } : {};
    return openDockerArchive(archive, selection, formatLocation('docker-archive', location), options);
  },
};
