import type { Portrait } from '../detect/binaries/index.js';
import { layerHistory } from '../image/config.js';
import type { FileVisitor, ImageFiles, ScanOptions } from '../image/scan/index.js';
import { scanImage } from '../image/scan/index.js';
import { openImage } from '../image/source/index.js';
import type { EntryType, Image, ImageConfig, Platform, SourceOptions } from '../image/types.js';
import { catalogImage } from '../inventory/catalog-image.js';
import type { Cataloger } from '../inventory/cataloger.js';
import { defaultCatalogers } from '../inventory/catalogers.js';
import { detectOs, type OsInfo } from '../inventory/os/detect.js';
import { osReleaseVisitor } from '../inventory/os/visitor.js';
import type { Package } from '../inventory/package.js';
import { compareFindings, type Finding } from '../policy/finding.js';
import {
  scanVulnerabilities,
  type VulnerabilityReport,
  type VulnerabilityScanOptions,
} from '../vuln/match/scan.js';
import type { ImageDetectors } from './detectors.js';

export interface LayerSummary {
  index: number;
  digest: string;
  diffId: string;
  /** Stored blob size (-1 when the source does not know it). */
  size: number;
  mediaType: string;
  createdBy: string;
  created?: string;
  /** Entries in the layer's tar and how many of them the final file system still shows. */
  entries: number;
  visibleEntries: number;
  /** Decompressed tar bytes. */
  bytes: number;
  cached: boolean;
}

export interface ImageScanResult {
  schemaVersion: 1;
  artifact: {
    ref: string;
    digest: string;
    configDigest: string;
    repoDigests: string[];
    platform: Platform;
    os?: OsInfo;
  };
  config: Omit<ImageConfig, 'diffIds' | 'history' | 'platform'>;
  layers: LayerSummary[];
  files: { total: number } & Partial<Record<EntryType, number>>;
  /** Every OS and language package found, sorted (see inventory/catalog-image.ts). */
  packages: Package[];
  /** Present when vulnerabilities were matched (see vuln/match/scan.ts). */
  vulnerabilities?: VulnerabilityReport;
  /** Secrets, malware and hygiene findings of the detectors that ran (see scan/detectors.ts). */
  findings: Finding[];
  /** Every executable with its hash, when asked for (`--portrait`). */
  portrait?: Portrait;
  warnings: string[];
  durationMs: number;
}

export interface ImageScanOptions {
  source: SourceOptions;
  scan: Omit<ScanOptions, 'cacheDir'>;
  /** Match the packages against this vulnerability database. */
  vulnerabilities?: VulnerabilityScanOptions;
  /** Detectors that join the layer pass (secrets, malware, hygiene, the binary portrait). */
  detectors?: ImageDetectors;
  now?: Date;
}

/** Visitors every image scan runs, then those of the chosen detectors. */
function visitorsFor(catalogers: readonly Cataloger[], detectors: ImageDetectors | undefined): FileVisitor[] {
  return [osReleaseVisitor, ...catalogers, ...(detectors?.visitors ?? [])];
}

export async function scanImageRef(ref: string, options: ImageScanOptions): Promise<ImageScanResult> {
  const started = performance.now();
  const image = await openImage(ref, options.source);
  const catalogers = defaultCatalogers();
  try {
    const detectors = options.detectors;
    const files = await scanImage(image, visitorsFor(catalogers, detectors), {
      ...options.scan,
      cacheDir: options.source.cacheDir,
    });
    const result = summarize(
      image,
      files,
      catalogers,
      options.now ?? new Date(),
      performance.now() - started,
    );
    if (detectors) {
      const output = await detectors.analyze({
        image,
        files,
        ref: result.artifact.ref,
        ...(result.artifact.os ? { os: result.artifact.os } : {}),
        packages: result.packages,
        workDir: options.source.cacheDir,
      });
      result.findings.push(...output.findings.sort(compareFindings));
      result.warnings.push(...output.warnings);
      if (output.portrait) result.portrait = output.portrait;
    }
    if (options.vulnerabilities) {
      result.vulnerabilities = await scanVulnerabilities(result.packages, result.artifact.os, {
        ...options.vulnerabilities,
        image: result.artifact.ref,
      });
      result.durationMs = Math.round(performance.now() - started);
    }
    return result;
  } finally {
    await image.close();
  }
}

function summarize(
  image: Image,
  files: ImageFiles,
  catalogers: readonly Cataloger[],
  now: Date,
  durationMs: number,
): ImageScanResult {
  const os = detectOs(
    (path) => files.read(path),
    (path) => files.stat(path) !== undefined,
    now,
  );
  const inventory = catalogImage(files, os, catalogers);
  const history = layerHistory(image.config);
  const counts = files.layerCounts();
  const layers = image.layers.map((layer, index): LayerSummary => {
    const stats = files.stats.layers[index];
    const summary: LayerSummary = {
      index,
      digest: layer.digest,
      diffId: layer.diffId,
      size: layer.size,
      mediaType: layer.mediaType,
      createdBy: history[index]?.createdBy ?? '',
      entries: counts[index]?.entries ?? 0,
      visibleEntries: counts[index]?.visible ?? 0,
      bytes: stats?.bytes ?? 0,
      cached: stats?.cached ?? false,
    };
    const created = history[index]?.created;
    if (created) summary.created = created;
    return summary;
  });
  const fileCounts: ImageScanResult['files'] = { total: files.size, ...files.typeCounts() };
  const { diffIds: _diffIds, history: _history, platform: _platform, ...config } = image.config;
  const artifact: ImageScanResult['artifact'] = {
    ref: image.ref,
    digest: image.digest,
    configDigest: image.configDigest,
    repoDigests: image.repoDigests,
    platform: image.platform,
  };
  if (os) artifact.os = os;
  return {
    schemaVersion: 1,
    artifact,
    config,
    layers,
    files: fileCounts,
    packages: inventory.packages,
    findings: [],
    warnings: [...files.warnings(), ...inventory.warnings],
    durationMs: Math.round(durationMs),
  };
}
