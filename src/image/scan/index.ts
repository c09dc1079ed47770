/** The layer scanner: what the CLI, catalogers and detectors import. */
export { SCANNER_FORMAT_VERSION } from './facts-cache.js';
export type { CapturedFile, FileEntry, LayerSkippedFile, LocatedFact } from './image-files.js';
export { ImageFiles, MAX_SYMLINK_HOPS } from './image-files.js';
export type { ScanOptions } from './scan-image.js';
export { scanImage } from './scan-image.js';
export type {
  Fact,
  FileVisitor,
  Interest,
  JsonValue,
  LayerFact,
  LayerFacts,
  LayerScanStats,
  ScanLimits,
  ScanStats,
  SkippedFile,
  SkipReason,
  StreamedFile,
} from './types.js';
export { DEFAULT_SCAN_LIMITS } from './types.js';
