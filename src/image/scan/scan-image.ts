import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { forEachLimited } from '../../common/concurrency.js';
import { assertDigest } from '../../common/digest.js';
import { CeranaError } from '../../common/errors.js';
import type { Image, Layer, ProgressSink } from '../types.js';
import { cacheFile, cacheKey, loadFacts, storeFacts } from './facts-cache.js';
import { formatBytes } from './format.js';
import { IdleWork } from './idle-work.js';
import { ImageFiles } from './image-files.js';
import { type CaptureBudget, readLayer } from './layer-reader.js';
import {
  DEFAULT_SCAN_LIMITS,
  type FileVisitor,
  type LayerFacts,
  type LayerScanStats,
  type ScanLimits,
} from './types.js';

export interface ScanOptions {
  /** Facts cache root (`<cacheDir>/layers/`). Without it nothing is cached. */
  cacheDir?: string;
  /** Neither read nor write the facts cache (`--no-cache`). */
  noCache?: boolean;
  /** Layers read at once (default: the number of CPUs). */
  concurrency?: number;
  limits?: Partial<ScanLimits>;
  signal?: AbortSignal;
  /** Called as each layer is done. */
  onLayer?: (stats: LayerScanStats) => void;
  /** Shown the bytes read from each layer that is not served from the cache (a TTY progress bar). */
  progress?: ProgressSink;
  /** Called when a fresh layer's facts cannot be written to the cache (the scan goes on). */
  onCacheError?: (error: unknown) => void;
}

/**
 * Reads every layer of the image once — in parallel, each from the facts cache when it is
 * there (a cached layer is never opened) — and merges them into the image's file system.
 */
export async function scanImage(
  image: Image,
  visitors: readonly FileVisitor[],
  options: ScanOptions = {},
): Promise<ImageFiles> {
  const started = performance.now();
  checkVisitors(visitors);
  const limits: ScanLimits = { ...DEFAULT_SCAN_LIMITS, ...options.limits };
  const useCache = options.cacheDir !== undefined && !options.noCache;
  const key = cacheKey(visitors, limits);
  const budget: CaptureBudget = { used: 0, max: limits.maxCapturedBytesTotal };
  const idle = new IdleWork();

  // An image may list the same layer twice (e.g. two empty layers): it is read once.
  const unique = new Map<string, Layer>();
  for (const layer of image.layers) if (!unique.has(layer.diffId)) unique.set(layer.diffId, layer);
  const work = [...unique.values()];
  const results = new Map<string, { facts: LayerFacts; cached: boolean; ms: number }>();

  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const scanOne = async (layer: Layer): Promise<void> => {
    const t0 = performance.now();
    // The cache is keyed by a verified digest of the content (see Layer.verifiedDigest); a
    // generated layer (cacheable false) has none and is never cached.
    const content = assertDigest(layer.verifiedDigest ?? layer.diffId, 'layer digest');
    const file =
      useCache && layer.cacheable !== false ? cacheFile(options.cacheDir as string, content, key) : undefined;
    let facts = file === undefined ? undefined : await loadFacts(file, content, layer.diffId);
    const cached = facts !== undefined;
    if (facts === undefined) {
      facts = await readLayer(layer, visitors, {
        limits,
        budget,
        signal,
        progress: options.progress,
        idle,
      });
      if (file !== undefined) {
        await storeFacts(file, content, facts).catch((error: unknown) => options.onCacheError?.(error));
      }
    } else {
      chargeCached(facts, budget);
    }
    const ms = performance.now() - t0;
    results.set(layer.diffId, { facts, cached, ms });
    options.onLayer?.(layerStats(image.layers.indexOf(layer), facts, cached, ms));
  };

  try {
    await forEachLimited(work, options.concurrency ?? availableParallelism(), scanOne);
  } catch (error) {
    // Stop the other layers' reads; report the first failure.
    controller.abort(error);
    throw error;
  }

  const layers: LayerFacts[] = [];
  const stats: LayerScanStats[] = [];
  image.layers.forEach((layer, index) => {
    const result = results.get(layer.diffId);
    if (result === undefined) throw new CeranaError('INTERNAL', `layer ${layer.diffId} was not scanned`);
    layers.push(result.facts);
    stats.push(layerStats(index, result.facts, result.cached, result.ms));
  });
  return new ImageFiles(layers, { layers: stats, ms: performance.now() - started });
}

function layerStats(index: number, facts: LayerFacts, cached: boolean, ms: number): LayerScanStats {
  return { index, diffId: facts.diffId, entries: facts.entries.length, bytes: facts.bytes, cached, ms };
}

function checkVisitors(visitors: readonly FileVisitor[]): void {
  const names = new Set<string>();
  for (const visitor of visitors) {
    if (names.has(visitor.name))
      throw new CeranaError('INTERNAL', `two file visitors are named ${visitor.name}`);
    names.add(visitor.name);
  }
}

/** Cached layers count against the image-wide capture limit like fresh ones. */
function chargeCached(facts: LayerFacts, budget: CaptureBudget): void {
  for (const data of facts.captured.values()) budget.used += data.length;
  if (budget.used > budget.max) {
    throw new CeranaError('LIMIT', `captured files exceed ${formatBytes(budget.max)} for the image`, {
      hint: 'raise maxCapturedBytesTotal if this image is trusted',
    });
  }
}
