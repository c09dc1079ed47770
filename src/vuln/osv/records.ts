import type { Dirent } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CeranaError } from '../../common/errors.js';
import { DEFAULT_ZIP_LIMITS, type ZipLimits, ZipReader } from './zip.js';

/**
 * Where OSV records come from before parsing: the entries of a zip (OSV's `all.zip`) or the
 * JSON files under a directory (a checkout of an advisory repository). Both are read one
 * record at a time under the same limits.
 */

export interface RawRecord {
  /** Entry name or path relative to the directory: used in messages. */
  name: string;
  data: Buffer;
  /** `data` as raw deflate, when the source already holds it so (a deflated zip entry). */
  deflated?: Buffer;
}

export interface RecordReadOptions {
  limits?: Partial<ZipLimits>;
  signal?: AbortSignal;
  /** Called with the number of records read so far and the total when known. */
  onRecord?: (read: number, total: number | undefined) => void;
}

const MAX_DEPTH = 32;

export async function* readZipRecords(
  path: string,
  options: RecordReadOptions = {},
): AsyncGenerator<RawRecord> {
  const zip = await ZipReader.open(path, options.limits);
  try {
    const entries = zip.entries.filter((entry) => entry.name.endsWith('.json'));
    let read = 0;
    for (const entry of entries) {
      options.signal?.throwIfAborted();
      const { data, deflated } = await zip.readWithDeflated(entry);
      options.onRecord?.(++read, entries.length);
      yield deflated === undefined ? { name: entry.name, data } : { name: entry.name, data, deflated };
    }
  } finally {
    await zip.close();
  }
}

/** `*.json` files below `dir`; symbolic links are not followed, so the walk stays inside `dir`. */
export async function* readDirectoryRecords(
  dir: string,
  options: RecordReadOptions = {},
): AsyncGenerator<RawRecord> {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...options.limits };
  let count = 0;
  let total = 0;
  async function* walk(current: string, depth: number): AsyncGenerator<RawRecord> {
    if (depth > MAX_DEPTH)
      throw new CeranaError('LIMIT', `${current}: directories nested deeper than ${MAX_DEPTH}`);
    let children: Dirent[];
    try {
      children = await readdir(current, { withFileTypes: true });
    } catch (error) {
      throw new CeranaError('INPUT', `cannot read directory ${current}: ${(error as Error).message}`);
    }
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      options.signal?.throwIfAborted();
      const path = join(current, child.name);
      if (child.isDirectory()) {
        yield* walk(path, depth + 1);
        continue;
      }
      if (!child.isFile() || !child.name.endsWith('.json')) continue;
      if (++count > limits.maxEntries) {
        throw new CeranaError('LIMIT', `${dir}: more than ${limits.maxEntries} JSON files`);
      }
      const data = await readBounded(path, limits.maxEntrySize);
      total += data.length;
      if (total > limits.maxTotalSize) {
        throw new CeranaError('LIMIT', `${dir}: JSON files total more than ${limits.maxTotalSize} bytes`);
      }
      options.onRecord?.(count, undefined);
      yield { name: relative(dir, path), data };
    }
  }
  const info = await lstat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new CeranaError('NOT_FOUND', `${dir} is not a directory`);
  yield* walk(dir, 0);
}

/** Records from a zip file or a directory, whichever `path` is. */
export async function* readRecords(path: string, options: RecordReadOptions = {}): AsyncGenerator<RawRecord> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new CeranaError('NOT_FOUND', `${path} does not exist`);
  if (info.isDirectory()) yield* readDirectoryRecords(path, options);
  else yield* readZipRecords(path, options);
}

async function readBounded(path: string, max: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size > max) throw new CeranaError('LIMIT', `${path} is ${size} bytes, over the ${max}-byte limit`);
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await file.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
