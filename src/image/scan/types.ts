import type { Readable } from 'node:stream';
import type { TarHeader } from '../types.js';
import type { EntryTable } from './entry-table.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * What a visitor learned from a file while it streamed past (a hash, Go build info, the
 * packages in a jar). Facts are cached with the layer, so they must survive JSON.
 */
export interface Fact {
  kind: string;
  data: JsonValue;
}

/** A fact as stored with its layer: which visitor made it about which file. */
export interface LayerFact extends Fact {
  visitor: string;
  path: string;
}

/** A file handed to a streaming visitor. `body` must be consumed, or the returned promise settled. */
export interface StreamedFile {
  path: string;
  header: TarHeader;
  /** diffId of the layer the file is in. */
  layer: string;
  body: Readable;
}

/**
 * `capture`: keep the file's bytes (up to the capture limit) for catalogers to read after the
 * merge. `stream`: hand the body to onStream() as it is read (big files: jars, ELF binaries).
 */
export type Interest = 'capture' | 'stream' | false;

/**
 * Catalogers, secret rules, the binary portrait and hygiene checks see layers through this.
 * wants() is asked once per regular file, in tar order, and must be cheap: it runs for every
 * file of every layer. A visitor that wants a file a symlink points to must name the target
 * path too (the target may come before the link in the stream).
 */
export interface FileVisitor {
  readonly name: string;
  /** Bump when what the visitor captures or produces changes: it is part of the cache key. */
  readonly version: number;
  wants(path: string, header: TarHeader): Interest;
  onStream?(file: StreamedFile): Promise<Fact[]>;
  /**
   * Offered each file this visitor captured, in time the scan would otherwise spend waiting for
   * its hash worker, to compute ahead what reading the file will need later (see IdleWork). It
   * may never be called (a cached layer, a scan that never waits), so it may only fill a cache
   * that the later reading fills itself otherwise. Each call must be short: a millisecond or so.
   */
  prepare?(path: string, data: Buffer): void;
}

export type SkipReason = 'over-file-limit' | 'over-layer-budget' | 'sparse';

/** A file some visitor wanted captured but that was not (reported, never silently dropped). */
export interface SkippedFile {
  path: string;
  size: number;
  reason: SkipReason;
}

/** Everything the scanner keeps about one layer; what the facts cache stores. */
export interface LayerFacts {
  diffId: string;
  entries: EntryTable;
  /** Paths deleted by `.wh.<name>` markers in this layer (the marker's target, not the marker). */
  whiteouts: string[];
  /** Directories whose lower-layer content this layer hides (`.wh..wh..opq`). */
  opaqueDirs: string[];
  captured: Map<string, Buffer>;
  facts: LayerFact[];
  /** At most `maxReportedSkips` records; `skippedCount` has the total. */
  skipped: SkippedFile[];
  skippedCount: number;
  warnings: string[];
  /** Size of the decompressed tar stream. */
  bytes: number;
}

/** Every limit the scanner enforces. Exceeding one is a LIMIT error or a reported skip, never an OOM. */
export interface ScanLimits {
  /** Decompressed bytes per layer (decompression bombs). LIMIT error beyond. */
  maxLayerBytes: number;
  /** Entries per layer. LIMIT error beyond. */
  maxEntriesPerLayer: number;
  /** Bytes of paths and link targets per layer (the entry table's string storage). LIMIT error beyond. */
  maxPathBytesPerLayer: number;
  /** Largest file captured; bigger wanted files are skipped and reported. */
  maxCaptureFileBytes: number;
  /** Captured bytes per layer; wanted files beyond the budget are skipped and reported. */
  maxCapturedBytesPerLayer: number;
  /** Captured bytes held for the whole image. LIMIT error beyond. */
  maxCapturedBytesTotal: number;
  /** Skipped files and warnings listed per layer (the rest are counted). */
  maxReportedSkips: number;
  /** Largest PAX / GNU long-name header body. */
  maxExtensionHeaderBytes: number;
}

export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxLayerBytes: 32 * 1024 ** 3,
  maxEntriesPerLayer: 5_000_000,
  maxPathBytesPerLayer: 1024 ** 3,
  maxCaptureFileBytes: 16 * 1024 ** 2,
  maxCapturedBytesPerLayer: 256 * 1024 ** 2,
  maxCapturedBytesTotal: 1024 ** 3,
  maxReportedSkips: 1000,
  maxExtensionHeaderBytes: 1024 ** 2,
});

export interface LayerScanStats {
  index: number;
  diffId: string;
  entries: number;
  /** Decompressed bytes (as recorded when the layer was first read, for cached layers). */
  bytes: number;
  cached: boolean;
  /** Wall time spent on this layer: reading and analysis, or loading from the cache. */
  ms: number;
}

export interface ScanStats {
  layers: LayerScanStats[];
  ms: number;
}
