import { type FileHandle, open } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import { CeranaError } from '../../common/errors.js';

/**
 * A zip reader that works from the central directory and reads one entry at a time, so an
 * archive is never extracted and memory stays at one entry. It is written for untrusted
 * archives: the entry count, each entry's size and the total are capped, entries whose data
 * overlap (the trick behind non-recursive zip bombs) are refused, every entry must inflate to
 * exactly its declared size and CRC, and names that try to escape a directory are an error
 * even though nothing is ever written under them.
 */

export interface ZipLimits {
  maxEntries: number;
  /** Uncompressed bytes of one entry. */
  maxEntrySize: number;
  /** Uncompressed bytes of all entries together. */
  maxTotalSize: number;
  maxCentralDirectorySize: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 5_000_000,
  maxEntrySize: 64 * 1024 * 1024,
  maxTotalSize: 32 * 1024 * 1024 * 1024,
  maxCentralDirectorySize: 1024 * 1024 * 1024,
};

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
  /** Where the next entry (or the central directory) starts: this entry's data must end before it. */
  readonly end: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;
const WINDOW = 1024 * 1024;

export class ZipReader {
  /** Entries are usually stored in the order they are read: one large read serves many of them. */
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  private constructor(
    private readonly file: FileHandle,
    private readonly path: string,
    private readonly fileSize: number,
    readonly entries: readonly ZipEntry[],
  ) {}

  static async open(path: string, limits: Partial<ZipLimits> = {}): Promise<ZipReader> {
    const bounds = { ...DEFAULT_ZIP_LIMITS, ...limits };
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const entries = await readCentralDirectory(file, path, size, bounds);
      return new ZipReader(file, path, size, entries);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** The uncompressed bytes of one entry, checked against its declared size and CRC-32. */
  async read(entry: ZipEntry): Promise<Buffer> {
    return (await this.readWithDeflated(entry)).data;
  }

  /** Like `read`, also returning the entry's raw-deflate bytes when it is deflated (callers may store them as is). */
  async readWithDeflated(entry: ZipEntry): Promise<{ data: Buffer; deflated: Buffer | undefined }> {
    const header = await this.bytes(entry.localHeaderOffset, 30);
    if (header.readUInt32LE(0) !== LOCAL) this.fail(`no local header for ${entry.name}`);
    const dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (dataStart + entry.compressedSize > entry.end) this.fail(`${entry.name} overlaps the next entry`);
    const compressed = await this.bytes(dataStart, entry.compressedSize);
    let data: Buffer;
    if (entry.method === 0) {
      data = compressed;
    } else if (entry.size === 0) {
      data = Buffer.alloc(0);
    } else {
      try {
        data = inflateRawSync(compressed, { maxOutputLength: entry.size });
      } catch (error) {
        const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        this.fail(tooLarge ? `${entry.name} inflates beyond its declared size` : `${entry.name} is corrupt`);
      }
    }
    if (data.length !== entry.size) this.fail(`${entry.name} is not its declared size`);
    if (crc32(data) !== entry.crc32) this.fail(`${entry.name} fails its CRC-32 check`);
    return { data, deflated: entry.method === 8 ? compressed : undefined };
  }

  async close(): Promise<void> {
    this.window = Buffer.alloc(0);
    await this.file.close();
  }

  /** Bytes at [position, position + length), served from a read-ahead window of at least WINDOW bytes. */
  private async bytes(position: number, length: number): Promise<Buffer> {
    const offset = position - this.windowStart;
    if (offset >= 0 && offset + length <= this.window.length)
      return this.window.subarray(offset, offset + length);
    const size = Math.min(Math.max(length, WINDOW), this.fileSize - position);
    if (size < length) this.fail('is truncated');
    this.window = await readAt(this.file, position, size);
    this.windowStart = position;
    return this.window.subarray(0, length);
  }

  private fail(message: string): never {
    throw new CeranaError('INPUT', `${this.path}: ${message}`);
  }
}

async function readCentralDirectory(
  file: FileHandle,
  path: string,
  fileSize: number,
  limits: ZipLimits,
): Promise<ZipEntry[]> {
  const fail = (message: string): never => {
    throw new CeranaError('INPUT', `${path}: ${message}`, { hint: 'is it a complete zip archive?' });
  };
  const tailSize = Math.min(fileSize, 22 + MAX16);
  const tail = await readAt(file, fileSize - tailSize, tailSize);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive (no end of central directory record)');
  const eocdOffset = fileSize - tailSize + eocd;
  if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0)
    fail('multi-part zip archives are not supported');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  let cdEnd = eocdOffset;
  const locator = eocdOffset >= 20 ? await readAt(file, eocdOffset - 20, 20) : undefined;
  if (locator !== undefined && locator.readUInt32LE(0) === ZIP64_LOCATOR) {
    const zip64Offset = safeNumber(locator.readBigUInt64LE(8), fail);
    if (zip64Offset + 56 > eocdOffset) fail('zip64 end record out of bounds');
    const record = await readAt(file, zip64Offset, 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) fail('zip64 end record missing');
    count = safeNumber(record.readBigUInt64LE(32), fail);
    cdSize = safeNumber(record.readBigUInt64LE(40), fail);
    cdOffset = safeNumber(record.readBigUInt64LE(48), fail);
    cdEnd = zip64Offset;
  } else if (cdSize === MAX32 || cdOffset === MAX32) {
    fail('zip64 locator missing');
  }
  if (count > limits.maxEntries) {
    throw new CeranaError('LIMIT', `${path}: ${count} entries exceed the limit of ${limits.maxEntries}`);
  }
  if (cdSize > limits.maxCentralDirectorySize) {
    throw new CeranaError('LIMIT', `${path}: central directory of ${cdSize} bytes exceeds the limit`);
  }
  if (cdOffset + cdSize > cdEnd) fail('central directory out of bounds');
  const cd = await readAt(file, cdOffset, cdSize);
  const raw: Omit<ZipEntry, 'end'>[] = [];
  let total = 0;
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== CENTRAL) fail('central directory is corrupt');
    const flags = cd.readUInt16LE(at + 8);
    const method = cd.readUInt16LE(at + 10);
    const crc = cd.readUInt32LE(at + 16);
    let compressedSize = cd.readUInt32LE(at + 20);
    let size = cd.readUInt32LE(at + 24);
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    let localHeaderOffset = cd.readUInt32LE(at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > cd.length) fail('central directory is corrupt');
    const nameBytes = cd.subarray(at + 46, at + 46 + nameLength);
    const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
    const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    if (size === MAX32 || compressedSize === MAX32 || localHeaderOffset === MAX32) {
      const zip64 = zip64Extra(extra, size === MAX32, compressedSize === MAX32, localHeaderOffset === MAX32);
      if (zip64 === undefined) fail(`${name}: zip64 sizes missing`);
      else ({ size = size, compressedSize = compressedSize, localHeaderOffset = localHeaderOffset } = zip64);
    }
    checkName(name, path);
    if (flags & 0x1) throw new CeranaError('UNSUPPORTED', `${path}: ${name} is encrypted`);
    if (method !== 0 && method !== 8) {
      throw new CeranaError(
        'UNSUPPORTED',
        `${path}: ${name} uses compression method ${method} (only stored and deflate)`,
      );
    }
    if (method === 0 && compressedSize !== size) fail(`${name}: stored entry with mismatched sizes`);
    if (size > limits.maxEntrySize) {
      throw new CeranaError(
        'LIMIT',
        `${path}: ${name} is ${size} bytes, over the ${limits.maxEntrySize}-byte limit`,
      );
    }
    total += size;
    if (total > limits.maxTotalSize) {
      throw new CeranaError(
        'LIMIT',
        `${path}: entries total more than ${limits.maxTotalSize} bytes uncompressed`,
      );
    }
    raw.push({ name, method, crc32: crc, compressedSize, size, localHeaderOffset });
    at = next;
  }
  // Each entry's data must end before the next one starts: overlapping entries are how a small
  // archive inflates to terabytes.
  const byOffset = [...raw].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const ends = new Map<Omit<ZipEntry, 'end'>, number>();
  for (let i = 0; i < byOffset.length; i++) {
    const entry = byOffset[i] as Omit<ZipEntry, 'end'>;
    const end = byOffset[i + 1]?.localHeaderOffset ?? cdOffset;
    if (entry.localHeaderOffset + 30 + entry.compressedSize > end)
      fail(`${entry.name} overlaps another entry`);
    ends.set(entry, end);
  }
  return raw.map((entry) => ({ ...entry, end: ends.get(entry) ?? cdOffset }));
}

function zip64Extra(
  extra: Buffer,
  hasSize: boolean,
  hasCompressed: boolean,
  hasOffset: boolean,
): { size?: number; compressedSize?: number; localHeaderOffset?: number } | undefined {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      const fields = extra.subarray(at + 4, at + 4 + length);
      const values: number[] = [];
      for (let i = 0; i + 8 <= fields.length; i += 8) values.push(Number(fields.readBigUInt64LE(i)));
      const wanted = Number(hasSize) + Number(hasCompressed) + Number(hasOffset);
      if (values.length < wanted || values.some((v) => !Number.isSafeInteger(v))) return undefined;
      let i = 0;
      const result: { size?: number; compressedSize?: number; localHeaderOffset?: number } = {};
      if (hasSize) result.size = values[i++];
      if (hasCompressed) result.compressedSize = values[i++];
      if (hasOffset) result.localHeaderOffset = values[i++];
      return result;
    }
    at += 4 + length;
  }
  return undefined;
}

/** Entry names must be plain relative paths: nothing absolute, no `..`, no control characters. */
function checkName(name: string, path: string): void {
  const bad =
    name === '' ||
    name.length > 4096 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /^[A-Za-z]:/.test(name) ||
    name.split('/').includes('..') ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
    /[\u0000-\u001f\u007f]/.test(name);
  if (bad) throw new CeranaError('INPUT', `${path}: unsafe entry name ${JSON.stringify(name.slice(0, 200))}`);
}

function safeNumber(value: bigint, fail: (message: string) => never): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail('zip64 value out of range');
  return Number(value);
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0)
      throw new CeranaError('INPUT', 'zip archive is truncated', { hint: 'download it again' });
    done += bytesRead;
  }
  return buffer;
}
