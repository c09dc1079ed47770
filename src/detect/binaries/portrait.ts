import { CeranaError } from '../../common/errors.js';
import type { FileEntry, ImageFiles } from '../../image/scan/index.js';
import type { PackageRef } from '../../policy/finding.js';
import { FILE_HASH_VISITOR, type FileHash, FileHashes } from './file-hash.js';
import { type EntryTable, visibleEntriesWhere } from './visible-entries.js';

/** How the kernel would run the file: an ELF image, a `#!` script, or neither (exec bit only). */
export type ExecutableFormat = 'elf' | 'script' | 'other';

export interface PortraitEntry {
  /** Absolute path in the container (`/usr/bin/ls`). */
  path: string;
  /** Hex SHA-256; absent only for a file over the hashing cap (a warning says so). */
  sha256?: string;
  size: number;
  /** Permission bits in octal, setuid/setgid/sticky included (`4755`). */
  mode: string;
  format: ExecutableFormat;
  /** diffID of the layer the content comes from, and its position (0 = bottom). */
  layer: string;
  layerIndex: number;
  /** The package that installed the file, when an owner index was given and knows it. */
  package?: PackageRef;
}

export interface Portrait {
  schemaVersion: 1;
  image?: { ref: string; digest: string };
  hashAlgorithm: 'sha256';
  /** Sorted by path. */
  executables: PortraitEntry[];
  warnings: string[];
}

/** Who installed a file; see owners.ts for the OS package databases. */
export interface FileOwners {
  ownerOf(path: string): PackageRef | undefined;
}

export interface PortraitOptions {
  image?: { ref: string; digest: string };
  owners?: FileOwners;
  /** Name of the file-hash visitor that ran in the scan (default `file-hash`). */
  hashVisitor?: string;
}

/**
 * The binary portrait: every executable regular file of the merged file system — any file with
 * an execute bit (as `find -perm /111` lists them) and any file with the ELF magic whatever its
 * mode (a loader or `memfd` can run it) — with its content hash from the layer pass. Hard links
 * are listed under each of their paths, with the content of the file they link to. Run-time
 * drift detection compares what a container executes against this list.
 */
export function buildPortrait(files: ImageFiles, options: PortraitOptions = {}): Portrait {
  const visitor = options.hashVisitor ?? FILE_HASH_VISITOR;
  const hashes = FileHashes.of(files, visitor);
  const found = new Map<string, FileEntry>();
  // Executable by mode (hard links whatever their own mode: their target decides)...
  const byMode = (table: EntryTable, i: number): boolean => {
    const type = table.type(i);
    return type === 'hardlink' || (type === 'file' && ((table.columns.modes[i] as number) & 0o111) !== 0);
  };
  for (const entry of visibleEntriesWhere(files, byMode)) found.set(entry.path, entry);
  // ...or by content: the ELF magic, from the hash facts of visible files.
  for (const fact of files.facts(visitor)) {
    if ((fact.data as FileHash).elf !== true || found.has(fact.path)) continue;
    const entry = files.get(fact.path);
    if (entry !== undefined) found.set(fact.path, entry);
  }
  if (found.size > 0 && hashes.size === 0) {
    throw new CeranaError('INTERNAL', 'the binary portrait needs the file-hash visitor in the layer scan');
  }

  const executables: PortraitEntry[] = [];
  const warnings: string[] = [];
  let missing = 0;
  for (const [path, entry] of found) {
    const content = entry.type === 'file' ? entry : files.stat(path);
    if (content === undefined || content.type !== 'file') {
      warnings.push(`/${path}: hard link to a file the image does not have; not in the portrait`);
      continue;
    }
    const hash = hashes.at(content.layerIndex, content.path);
    if ((content.mode & 0o111) === 0 && hash?.elf !== true) continue;
    if (hash === undefined) missing++;
    else if (hash.sha256 === undefined) {
      warnings.push(`/${path}: over the hashing size cap (${content.size} bytes); listed without a hash`);
    }
    executables.push(toEntry(path, content, hash, options.owners));
  }
  if (missing > 0) {
    warnings.push(
      `${missing} executable file(s) were not hashed (sparse files or read errors; see scan warnings)`,
    );
  }
  executables.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  warnings.sort();
  const portrait: Portrait = { schemaVersion: 1, hashAlgorithm: 'sha256', executables, warnings };
  if (options.image) portrait.image = { ref: options.image.ref, digest: options.image.digest };
  return portrait;
}

function toEntry(
  path: string,
  content: FileEntry,
  hash: FileHash | undefined,
  owners: FileOwners | undefined,
): PortraitEntry {
  const entry: PortraitEntry = {
    path: `/${path}`,
    size: content.size,
    mode: (content.mode & 0o7777).toString(8).padStart(4, '0'),
    format: hash?.elf ? 'elf' : hash?.script ? 'script' : 'other',
    layer: content.layer,
    layerIndex: content.layerIndex,
  };
  if (hash?.sha256 !== undefined) entry.sha256 = hash.sha256;
  const owner = owners?.ownerOf(path);
  if (owner !== undefined) entry.package = owner;
  return entry;
}
