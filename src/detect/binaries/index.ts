/** The binary portrait: every executable of an image with its hash, for the SBOM and run-time drift. */
export {
  DEFAULT_MAX_HASH_BYTES,
  FILE_HASH_FACT,
  FILE_HASH_VISITOR,
  type FileHash,
  FileHashes,
  type FileHashOptions,
  FileHashVisitor,
} from './file-hash.js';
export { packageOwners } from './owners.js';
export {
  buildPortrait,
  type ExecutableFormat,
  type FileOwners,
  type Portrait,
  type PortraitEntry,
  type PortraitOptions,
} from './portrait.js';
export {
  type CycloneDxFileComponent,
  MAX_PORTRAIT_BYTES,
  parsePortrait,
  portraitComponents,
  portraitJson,
} from './serialize.js';
