/**
 * Reads an outer archive (docker save, OCI archive) without extracting it: one pass over its
 * headers records where each entry's bytes lie, then entries are read straight from the file
 * by offset. Nothing is ever written to disk, so hostile names cannot land anywhere; they are
 * still refused so that a lookup never resolves outside the archive's own name space.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { CeranaError } from '../../common/errors.js';
import { BLOCK, decodeHeader, isZeroBlock, paddingFor, parsePax } from './tar-headers.js';

export interface ArchiveEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  /** Byte offset of the content in the archive file. */
  offset: number;
  size: number;
  linkname: string;
}

/** Entries an image archive may hold; real ones hold a few hundred. */
export const MAX_ARCHIVE_ENTRIES = 100_000;
const MAX_EXTENSION_BYTES = 1024 * 1024;
const MAX_LINK_HOPS = 8;
/** Large reads: per-chunk costs downstream (hashing, decompression, tar parsing) add up at 64 KiB. */
export const READ_CHUNK = 1024 * 1024;

/** Joins a relative link target to its directory, applying `..` lexically; escaping the root throws later. */
function normalizeJoin(base: string, target: string): string {
  const segments: string[] = [];
  for (const segment of `${base}${target}`.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return '/..';
      segments.pop();
    } else segments.push(segment);
  }
  return segments.join('/');
}

/**
 * Normalizes a name inside an archive (`./a//b` → `a/b`). Absolute names and `..` segments
 * are refused: an image archive never needs them and they are how extraction attacks start.
 */
export function archiveName(raw: string, what: string): string {
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (raw.startsWith('/') || segments.includes('..')) {
    throw new CeranaError('INPUT', `${what} ${JSON.stringify(raw)} points outside the archive`, {
      hint: 'the archive is malformed or hostile',
    });
  }
  return segments.join('/');
}

function entryType(typeflag: string): ArchiveEntry['type'] {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '5':
      return 'dir';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

export class ArchiveIndex {
  private constructor(
    readonly path: string,
    private readonly entries: Map<string, ArchiveEntry>,
  ) {}

  /** Walks the headers of the tar at `path` once. */
  static async open(path: string): Promise<ArchiveIndex> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CeranaError(
        code === 'ENOENT' ? 'NOT_FOUND' : 'INPUT',
        `cannot open archive ${path}: ${code}`,
        {
          cause: error,
        },
      );
    }
    try {
      const { size } = await handle.stat();
      return new ArchiveIndex(path, await walk(handle, size, path));
    } finally {
      await handle.close();
    }
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  /** True when `name` exists (links are resolved by `entry`). */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * The regular-file entry `name`. docker save and skopeo store a layer shared by several
   * images once and link the other `layer.tar` names to it, so links are followed, but only
   * to names inside the archive and only a few hops deep.
   */
  entry(name: string, what: string): ArchiveEntry {
    let key = archiveName(name, what);
    for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
      const entry = this.entries.get(key);
      if (!entry) {
        throw new CeranaError(
          'INPUT',
          `${what} ${JSON.stringify(name)} is missing from archive ${this.path}`,
          {
            hint: 'the archive is incomplete or malformed',
          },
        );
      }
      if (entry.type === 'file') return entry;
      if (entry.type === 'symlink') {
        const slash = key.lastIndexOf('/');
        const base = slash < 0 ? '' : key.slice(0, slash + 1);
        key = archiveName(
          entry.linkname.startsWith('/') ? entry.linkname : normalizeJoin(base, entry.linkname),
          what,
        );
      } else if (entry.type === 'hardlink') {
        key = archiveName(entry.linkname, what);
      } else {
        throw new CeranaError(
          'INPUT',
          `${what} ${JSON.stringify(name)} in archive ${this.path} is not a file`,
        );
      }
    }
    throw new CeranaError('INPUT', `${what} ${JSON.stringify(name)} in archive ${this.path} is a link loop`);
  }

  /** Reads a small entry into memory, refusing anything above `max` bytes. */
  async read(name: string, what: string, max: number): Promise<Buffer> {
    const entry = this.entry(name, what);
    if (entry.size > max) {
      throw new CeranaError('LIMIT', `${what} ${JSON.stringify(name)} is larger than ${max} bytes`);
    }
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(entry.size);
      const { bytesRead } = await handle.read(buffer, 0, entry.size, entry.offset);
      if (bytesRead !== entry.size) throw truncated(this.path);
      return buffer;
    } finally {
      await handle.close();
    }
  }

  /** Streams an entry's bytes straight from the archive file. */
  stream(entry: ArchiveEntry): Readable {
    if (entry.size === 0) return Readable.from([]);
    return createReadStream(this.path, {
      start: entry.offset,
      end: entry.offset + entry.size - 1,
      highWaterMark: READ_CHUNK,
    });
  }

  /** The first bytes of an entry (compression sniffing). */
  async head(entry: ArchiveEntry, length: number): Promise<Buffer> {
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(length, entry.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, entry.offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}

function truncated(path: string): CeranaError {
  return new CeranaError('INPUT', `archive ${path} is truncated`, { hint: 'the file is incomplete' });
}

async function readAt(handle: FileHandle, length: number, position: number, path: string): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw truncated(path);
  return buffer;
}

async function walk(handle: FileHandle, fileSize: number, path: string): Promise<Map<string, ArchiveEntry>> {
  const entries = new Map<string, ArchiveEntry>();
  let position = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;
  let headers = 0;
  while (position + BLOCK <= fileSize) {
    const block = await readAt(handle, BLOCK, position, path);
    if (isZeroBlock(block)) break;
    if (++headers > MAX_ARCHIVE_ENTRIES * 3) {
      throw new CeranaError('LIMIT', `archive ${path} has more than ${MAX_ARCHIVE_ENTRIES} entries`, {
        hint: 'an image archive holds a few hundred; this one is not an image archive',
      });
    }
    const header = decodeHeader(block, `at offset ${position} of ${path}`);
    const dataOffset = position + BLOCK;
    const flag = header.typeflag;
    const extension = flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K';
    const size = !extension && pax?.has('size') ? Number(pax.get('size')) : header.size;
    if (!Number.isSafeInteger(size) || size < 0 || dataOffset + size > fileSize) throw truncated(path);
    position = dataOffset + size + paddingFor(size);
    if (extension) {
      if (size > MAX_EXTENSION_BYTES) {
        throw new CeranaError('LIMIT', `archive ${path} has a ${size}-byte extension header`);
      }
      const body = await readAt(handle, size, dataOffset, path);
      if (flag === 'x') pax = parsePax(body);
      else if (flag === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
      else if (flag === 'K') longLink = body.toString('utf8').replace(/\0+$/, '');
      // Global PAX headers ('g') carry defaults no image archive relies on.
      continue;
    }
    const rawName = pax?.get('path') ?? longName ?? header.name;
    const linkname = pax?.get('linkpath') ?? longLink ?? header.linkname;
    pax = undefined;
    longName = undefined;
    longLink = undefined;
    const name = archiveName(rawName, 'archive entry');
    if (name === '') continue;
    entries.set(name, { name, type: entryType(flag), offset: dataOffset, size, linkname });
    if (entries.size > MAX_ARCHIVE_ENTRIES) {
      throw new CeranaError('LIMIT', `archive ${path} has more than ${MAX_ARCHIVE_ENTRIES} entries`);
    }
  }
  if (entries.size === 0) {
    throw new CeranaError('INPUT', `${path} is not a tar archive or is empty`);
  }
  return entries;
}
