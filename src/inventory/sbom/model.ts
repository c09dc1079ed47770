import { createHash } from 'node:crypto';
import type { Platform } from '../../image/types.js';
import type { OsInfo } from '../os/detect.js';
import type { Package, PackageType } from '../package.js';
import { formatPurl } from '../purl.js';

/** The image an SBOM describes. */
export interface SbomImage {
  /** The reference as the user gave it (scheme included). */
  ref: string;
  /** Short name: the last component of the repository (`debian`), or the archive/dir name. */
  name: string;
  /** Registry host and repository (`docker.io/library/debian`), when the image came from one. */
  repositoryUrl?: string;
  /** Manifest digest (the config digest for images without a manifest). */
  digest: string;
  configDigest: string;
  repoDigests: string[];
  platform: Platform;
  /** Layer diffIDs, bottom first. */
  layers: string[];
}

/** Everything a writer needs; writers add nothing that is not here, so output is deterministic. */
export interface SbomInput {
  image: SbomImage;
  os?: OsInfo;
  /** In the order they are written (catalogImage sorts them). */
  packages: readonly Package[];
  tool: { name: string; version: string };
  /** Creation time, RFC 3339 UTC in whole seconds (`2024-05-01T12:00:00Z`). */
  created: string;
  /** UUID naming this document (CycloneDX serialNumber, SPDX namespace). */
  serial: string;
}

export const OS_PACKAGE_TYPES: ReadonlySet<PackageType> = new Set(['deb', 'apk', 'rpm']);

/** `pkg:oci/<name>@<digest>?arch=&repository_url=`: the image as a purl (purl spec, oci type). */
export function imagePurl(image: SbomImage): string {
  return formatPurl({
    type: 'oci',
    name: image.name.toLowerCase(),
    version: image.digest,
    qualifiers: { arch: image.platform.architecture, repository_url: image.repositoryUrl },
  });
}

/**
 * A stable, unique reference for one package: its purl plus a digest of what makes two
 * packages with one purl different (their locations and OS ownership). The same image always
 * gives the same references.
 */
export function packageRef(pkg: Package): string {
  const hash = createHash('sha256').update(pkg.purl).update(`\0${pkg.osOwned}`);
  for (const location of pkg.locations) hash.update(`\0${location.layer}\0${location.path}`);
  const separator = pkg.purl.includes('?') ? '&' : '?';
  return `${pkg.purl}${separator}package-id=${hash.digest('hex').slice(0, 16)}`;
}

/** RFC 4122 version 5 UUID (SHA-1, URL namespace) of a name: the serial of a reproducible document. */
export function nameBasedUuid(name: string): string {
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const bytes = createHash('sha1').update(namespace).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** RFC 3339 UTC in whole seconds, as SPDX requires and CycloneDX accepts. */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
