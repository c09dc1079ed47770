import { inflateRawSync } from 'node:zlib';
import type { ByteReader } from '../../byte-reader.js';

/**
 * Reads a zip archive front to back from a stream, by its local file headers (APPNOTE 4.3.7),
 * never seeking: the central directory at the end is not needed and not read, so a jar is
 * parsed while the layer streams past and a nested jar while its bytes are inflated.
 *
 * Entries written with a data descriptor (flag bit 3: sizes unknown in the local header, as
 * Java's ZipOutputStream and the `jar` tool write deflated entries) end where a descriptor
 * whose compressed size equals the bytes read so far sits: 'PK\x07\x08' + crc + sizes (32- or
 * 64-bit), or, without the optional signature, crc + sizes right before the next header.
 *
 * Differences from a central-directory reader, by design: entries the central directory does
 * not list (deleted by appending) are still seen; bytes before the first local header (a
 * launcher script on an executable jar) are skipped, up to MAX_PREFIX_BYTES.
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  /** Uncompressed size, when the local header knows it. */
  size?: number;
}

/** Per entry: the most uncompressed bytes to deliver, or undefined to skip the entry. */
export type EntryFilter = (entry: ZipEntry) => number | undefined;

export class ZipFormatError extends Error {}
export class ZipLimitError extends Error {}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const DESCRIPTOR = 0x08074b50;
const LOCAL_SIG = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const STORED = 0;
const DEFLATED = 8;
const FLAG_ENCRYPTED = 0x1;
const FLAG_DESCRIPTOR = 0x8;
const MAX_PREFIX_BYTES = 1024 * 1024;
const SCAN_WINDOW = 64 * 1024;

export interface ZipReadOptions {
  /** Entries per archive, counting skipped ones. */
  maxEntries: number;
}

/**
 * Walks the archive, handing the content of every entry the filter wants to `onData`
 * (inflated, at most the filter's byte count; larger ones are reported, not delivered).
 * Returns warnings about entries it could not deliver; throws on a broken archive structure.
 */
export async function readZipStream(
  reader: ByteReader,
  filter: EntryFilter,
  onData: (entry: ZipEntry, data: Buffer) => Promise<void> | void,
  options: ZipReadOptions,
): Promise<string[]> {
  const warnings: string[] = [];
  let entries = 0;
  for (;;) {
    const head = reader.headNow();
    const signature = head.length >= 4 ? head : await reader.peek(4);
    if (signature.length < 4) {
      if (entries === 0) throw new ZipFormatError('not a zip archive (empty)');
      throw new ZipFormatError(
        `archive ends after ${entries} entries without its central directory (truncated)`,
      );
    }
    const value = signature.readUInt32LE(0);
    if (value === CENTRAL || value === END || value === ZIP64_END || value === ZIP64_LOCATOR) return warnings;
    if (value !== LOCAL) {
      if (entries > 0) throw new ZipFormatError(`unexpected bytes at offset ${reader.position}`);
      await skipPrefix(reader);
      continue;
    }
    if (++entries > options.maxEntries) {
      throw new ZipLimitError(`more than ${options.maxEntries} entries`);
    }
    const taken = takeBufferedEntry(reader, filter);
    const warning =
      taken === undefined
        ? await readEntry(reader, filter, onData)
        : taken.data === undefined
          ? taken.warning
          : await deliver(taken.header, taken.limit, taken.data, onData);
    if (warning !== undefined) warnings.push(warning);
  }
}

/** Bytes before the first local header (executable jars start with a shell script). */
async function skipPrefix(reader: ByteReader): Promise<void> {
  while (reader.position < MAX_PREFIX_BYTES) {
    const window = await reader.peek(SCAN_WINDOW);
    if (window.length < 4) break;
    const at = window.indexOf(LOCAL_SIG, 1);
    if (at > 0) {
      await reader.skip(at);
      return;
    }
    await reader.skip(window.length - 3);
  }
  throw new ZipFormatError('not a zip archive (no local file header)');
}

interface LocalHeader {
  entry: ZipEntry;
  /** The local header with its name and extra field. */
  length: number;
  compressedSize: number;
  zip64: boolean;
  sizeKnown: boolean;
  hasDescriptor: boolean;
}

/** 30 fixed bytes, then the name and the extra field. */
function localHeaderLength(fixed: Buffer): number {
  return 30 + fixed.readUInt16LE(26) + fixed.readUInt16LE(28);
}

/** Parses a whole local header (`bytes` holds at least localHeaderLength of it). */
function parseLocalHeader(bytes: Buffer): LocalHeader {
  const flags = bytes.readUInt16LE(6);
  const method = bytes.readUInt16LE(8);
  let compressedSize = bytes.readUInt32LE(18);
  let size = bytes.readUInt32LE(22);
  const nameLength = bytes.readUInt16LE(26);
  const length = localHeaderLength(bytes);
  const name = bytes.toString('utf8', 30, 30 + nameLength);
  const zip64 = readZip64Sizes(bytes.subarray(30 + nameLength, length));
  if (zip64 !== undefined && (size === 0xffffffff || compressedSize === 0xffffffff)) {
    size = zip64.size;
    compressedSize = zip64.compressedSize;
  }
  const hasDescriptor = (flags & FLAG_DESCRIPTOR) !== 0;
  const sizeKnown = !hasDescriptor || compressedSize > 0;
  const entry: ZipEntry = { name, method, flags };
  if (sizeKnown) entry.size = size;
  return { entry, length, compressedSize, zip64: zip64 !== undefined, sizeKnown, hasDescriptor };
}

/** The most bytes the filter lets through, or undefined for an entry it skips (encrypted ones always). */
function limitOf(header: LocalHeader, filter: EntryFilter): number | undefined {
  return (header.entry.flags & FLAG_ENCRYPTED) === 0 ? filter(header.entry) : undefined;
}

/** Compressed bytes kept for an entry inflating to at most `limit`: deflate grows data by a few bytes per 16 KiB. */
function keptFor(limit: number | undefined): number {
  return limit === undefined ? 0 : limit + Math.ceil(limit / 1024) + 64;
}

/** A wanted entry's compressed data, to deliver; or nothing to deliver, perhaps with a warning. */
type TakenEntry =
  | { header: LocalHeader; limit: number; data: Buffer }
  | { data?: undefined; warning: string | undefined };

function overLimit(name: string, limit: number): string {
  return `${name}: over ${limit} bytes; not read`;
}

/**
 * An entry consumed without awaiting when all of it (header, data, descriptor) lies in the
 * first buffered chunk, as most entries of a jar do: awaiting each read of every entry was
 * most of the cost of reading jars. Undefined, with nothing consumed and the filter not asked,
 * when the entry runs past that chunk: readEntry then takes it.
 */
function takeBufferedEntry(reader: ByteReader, filter: EntryFilter): TakenEntry | undefined {
  const head = reader.headNow();
  if (head.length < 30 || head.length < localHeaderLength(head)) return undefined;
  const header = parseLocalHeader(head);
  let dataEnd: number;
  let end: number;
  if (header.sizeKnown) {
    dataEnd = header.length + header.compressedSize;
    end = dataEnd;
    if (header.hasDescriptor) {
      if (head.length < dataEnd + 4) return undefined;
      end += (head.readUInt32LE(dataEnd) === DESCRIPTOR ? 4 : 0) + (header.zip64 ? 20 : 12);
    }
  } else {
    const found = descriptorIn(head.subarray(header.length), 0);
    if (found === undefined) return undefined;
    dataEnd = header.length + found.dataBytes;
    end = dataEnd + found.descriptorBytes;
  }
  if (head.length < end) return undefined;
  const limit = limitOf(header, filter);
  const data = head.subarray(header.length, dataEnd);
  reader.skipNow(end);
  if (limit === undefined) return { warning: undefined };
  if (data.length > keptFor(limit)) return { warning: overLimit(header.entry.name, limit) };
  return { header, limit, data };
}

async function readEntry(
  reader: ByteReader,
  filter: EntryFilter,
  onData: (entry: ZipEntry, data: Buffer) => Promise<void> | void,
): Promise<string | undefined> {
  const fixed = await reader.peek(30);
  if (fixed.length < 30) throw new ZipFormatError('truncated local file header');
  const length = localHeaderLength(fixed);
  const bytes = await reader.peek(length);
  if (bytes.length < length) throw new ZipFormatError('truncated local file header');
  const header = parseLocalHeader(bytes);
  await reader.skip(length);
  const name = header.entry.name;

  const limit = limitOf(header, filter);
  const keep = keptFor(limit);
  let data: Buffer | undefined;
  let tooLarge = false;
  if (header.sizeKnown) {
    const compressedSize = header.compressedSize;
    if (limit !== undefined && compressedSize <= keep) {
      data = await reader.read(compressedSize);
      if (data.length < compressedSize) throw new ZipFormatError(`${name}: entry data is truncated`);
    } else {
      tooLarge = limit !== undefined;
      if ((await reader.skip(compressedSize)) < compressedSize) {
        throw new ZipFormatError(`${name}: entry data is truncated`);
      }
    }
    if (header.hasDescriptor) await skipDescriptor(reader, header.zip64);
  } else {
    const found = await readUntilDescriptor(reader, keep);
    if (found === undefined) throw new ZipFormatError(`${name}: no data descriptor ends this entry`);
    data = limit === undefined ? undefined : found.data;
    tooLarge = limit !== undefined && found.data === undefined;
  }
  if (limit === undefined) return undefined;
  if (tooLarge) return overLimit(name, limit);
  if (data === undefined) return undefined;
  return deliver(header, limit, data, onData);
}

/** Hands a wanted entry's content to onData: as stored, or inflated up to its limit. */
async function deliver(
  header: LocalHeader,
  limit: number,
  data: Buffer,
  onData: (entry: ZipEntry, data: Buffer) => Promise<void> | void,
): Promise<string | undefined> {
  const { entry } = header;
  const name = entry.name;
  if (entry.method === STORED) {
    if (data.length > limit) return overLimit(name, limit);
    await onData(entry, data);
    return undefined;
  }
  if (entry.method !== DEFLATED)
    return `${name}: compression method ${entry.method} is not supported; not read`;
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(data, { maxOutputLength: Math.max(1, limit) });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      return `${name}: inflates to over ${limit} bytes (a zip bomb?); not read`;
    }
    return `${name}: does not inflate: ${(error as Error).message}`;
  }
  await onData(entry, inflated);
  return undefined;
}

function readZip64Sizes(extra: Buffer): { size: number; compressedSize: number } | undefined {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001 && length >= 16 && at + 4 + 16 <= extra.length) {
      const size = extra.readBigUInt64LE(at + 4);
      const compressedSize = extra.readBigUInt64LE(at + 12);
      if (size > BigInt(Number.MAX_SAFE_INTEGER) || compressedSize > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new ZipFormatError('zip64 sizes beyond 2^53');
      }
      return { size: Number(size), compressedSize: Number(compressedSize) };
    }
    at += 4 + length;
  }
  return undefined;
}

/** The descriptor after an entry whose sizes the local header already gave. */
async function skipDescriptor(reader: ByteReader, zip64: boolean): Promise<void> {
  const head = await reader.peek(4);
  const signed = head.length === 4 && head.readUInt32LE(0) === DESCRIPTOR;
  await reader.skip((signed ? 4 : 0) + (zip64 ? 20 : 12));
}

/**
 * Consumes an entry of unknown size and its descriptor. Keeps the bytes (up to `keep`; beyond,
 * data is undefined) for wanted entries. Undefined when the archive ends first.
 */
async function readUntilDescriptor(
  reader: ByteReader,
  keep: number,
): Promise<{ data: Buffer | undefined } | undefined> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let overflow = false;
  let scanned = 0;
  const consume = async (n: number) => {
    const bytes = await reader.read(n);
    if (keep > 0 && !overflow) {
      if (keptBytes + bytes.length > keep) overflow = true;
      else {
        kept.push(bytes);
        keptBytes += bytes.length;
      }
    }
    scanned += bytes.length;
  };
  for (;;) {
    const window = await reader.peek(SCAN_WINDOW + 28);
    if (window.length < 12) return undefined;
    const end = descriptorIn(window, scanned);
    if (end !== undefined) {
      await consume(end.dataBytes);
      await reader.skip(end.descriptorBytes);
      return { data: keep > 0 && !overflow ? Buffer.concat(kept, keptBytes) : undefined };
    }
    // Keep the last bytes: a descriptor may straddle the window's end.
    const step = window.length - 27;
    if (step <= 0) return undefined;
    await consume(step);
  }
}

/** Where in `window` (which starts `scanned` bytes into the entry's data) a matching descriptor lies. */
function descriptorIn(
  window: Buffer,
  scanned: number,
): { dataBytes: number; descriptorBytes: number } | undefined {
  for (let i = window.indexOf(0x50); i >= 0 && i + 4 <= window.length; i = window.indexOf(0x50, i + 1)) {
    if (window[i + 1] !== 0x4b) continue;
    const signature = window.readUInt32LE(i);
    if (signature === DESCRIPTOR) {
      if (i + 16 <= window.length && window.readUInt32LE(i + 8) === scanned + i) {
        return { dataBytes: i, descriptorBytes: 16 };
      }
      if (i + 24 <= window.length && window.readBigUInt64LE(i + 8) === BigInt(scanned + i)) {
        return { dataBytes: i, descriptorBytes: 24 };
      }
    } else if ((signature === LOCAL || signature === CENTRAL) && i >= 12) {
      // A descriptor without its optional signature: crc, compressed and uncompressed size.
      if (window.readUInt32LE(i - 8) === scanned + i - 12) return { dataBytes: i - 12, descriptorBytes: 12 };
    }
  }
  return undefined;
}
