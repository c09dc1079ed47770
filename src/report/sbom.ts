import { createHash, randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { parseReference } from '../image/reference.js';
import { splitScheme } from '../image/source/index.js';
import { writeCycloneDx } from '../inventory/sbom/cyclonedx.js';
import { formatTimestamp, nameBasedUuid, type SbomImage, type SbomInput } from '../inventory/sbom/model.js';
import { writeSpdx } from '../inventory/sbom/spdx.js';
import { ceranaTool } from '../inventory/sbom/tool.js';
import type { ImageScanResult } from '../scan/image-scan.js';
import { renderPackageTable } from './package-table.js';

export const SBOM_FORMATS = ['cyclonedx', 'spdx', 'json', 'table'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

export interface SbomOptions {
  format: SbomFormat;
  /**
   * Pin what would otherwise change from run to run: the creation time becomes
   * $SOURCE_DATE_EPOCH, else the image's own creation time, else the Unix epoch; the serial
   * becomes a name-based UUID of the image digest and the package list.
   */
  reproducible: boolean;
  now?: Date;
  sourceDateEpoch?: string;
}

/** The SBOM of a scanned image in the asked format. */
export function renderSbom(result: ImageScanResult, options: SbomOptions): string {
  switch (options.format) {
    case 'cyclonedx':
      return writeCycloneDx(sbomInput(result, options));
    case 'spdx':
      return writeSpdx(sbomInput(result, options));
    case 'json':
      return `${JSON.stringify(
        {
          schemaVersion: 1,
          artifact: result.artifact,
          layers: result.layers.map((layer) => layer.diffId),
          packages: result.packages,
          warnings: result.warnings,
        },
        null,
        2,
      )}\n`;
    case 'table':
      return renderPackageTable(result.packages, result.warnings);
  }
}

export function sbomInput(result: ImageScanResult, options: SbomOptions): SbomInput {
  const image: SbomImage = {
    ref: result.artifact.ref,
    ...imageName(result.artifact.ref, result.artifact.repoDigests),
    digest: result.artifact.digest,
    configDigest: result.artifact.configDigest,
    repoDigests: result.artifact.repoDigests,
    platform: result.artifact.platform,
    layers: result.layers.map((layer) => layer.diffId),
  };
  const input: SbomInput = {
    image,
    packages: result.packages,
    tool: ceranaTool(),
    created: formatTimestamp(
      options.reproducible ? pinnedTime(result, options.sourceDateEpoch) : (options.now ?? new Date()),
    ),
    serial: options.reproducible ? contentSerial(options.format, result) : randomUUID(),
  };
  if (result.artifact.os) input.os = result.artifact.os;
  return input;
}

function pinnedTime(result: ImageScanResult, sourceDateEpoch: string | undefined): Date {
  if (sourceDateEpoch !== undefined && /^\d{1,12}$/.test(sourceDateEpoch))
    return new Date(Number(sourceDateEpoch) * 1000);
  const created = result.config.created ? new Date(result.config.created) : undefined;
  return created !== undefined && !Number.isNaN(created.getTime()) ? created : new Date(0);
}

function contentSerial(format: SbomFormat, result: ImageScanResult): string {
  const packages = createHash('sha256').update(JSON.stringify(result.packages)).digest('hex');
  return nameBasedUuid(`cerana-sbom:${format}:${result.artifact.digest}:${packages}`);
}

/**
 * A short image name and, for registry images, the repository it lives in: from the reference
 * when it names a repository, else from a repo digest, else the archive or directory name.
 */
export function imageName(
  ref: string,
  repoDigests: readonly string[],
): { name: string; repositoryUrl?: string } {
  const { scheme, rest } = splitScheme(ref);
  const candidates = scheme === undefined || scheme === 'docker' || scheme === 'registry' ? [rest] : [];
  candidates.push(...repoDigests);
  for (const candidate of candidates) {
    try {
      const reference = parseReference(candidate);
      const name = reference.repository.slice(reference.repository.lastIndexOf('/') + 1);
      return { name, repositoryUrl: `${reference.registry}/${reference.repository}` };
    } catch {
      // Not a repository reference (an ID, a path): try the next.
    }
  }
  // `<file>[:tag]`, `<dir>[:tag|@digest]`, `<path>`: the file or directory name without the suffix.
  const path = rest.replace(/@[a-z0-9]+:[0-9a-f]+$/i, '').replace(/:[^/:]+$/, '');
  const name = basename(path.replace(/\/+$/, '')).replace(/\.(tar|tgz|tar\.gz|oci)$/, '');
  return { name: name || 'image' };
}
