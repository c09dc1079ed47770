import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { digestHex } from '../../common/digest.js';
import { type EntryColumns, EntryTable } from './entry-table.js';
import type { FileVisitor, LayerFact, LayerFacts, ScanLimits, SkippedFile } from './types.js';

/**
 * LayerFacts on disk, one file per (layer diffId, visitor set): a shared base layer is read
 * once, ever. Binary, because a layer of a million entries must load in milliseconds: a magic,
 * a JSON header, the entry columns as raw little-endian arrays (8-byte aligned, so they are
 * viewed in place, not parsed), captured file bytes, and a trailing sha256 over all of it.
 * A file that fails any check is ignored (and rewritten by the next cold read); writes go
 * to a temporary file renamed into place, so readers never see half a file.
 */
export const SCANNER_FORMAT_VERSION = 1;

const MAGIC = Buffer.from('CERANALF', 'latin1');
const PREFIX = 16; // magic, format version, header length
const TRAILER = 32;

interface CacheHeader {
  /** The verified digest the entry is keyed by (the diffId, or a source-verified blob digest). */
  content: string;
  count: number;
  pathBytes: number;
  linkBytes: number;
  bytes: number;
  whiteouts: string[];
  opaqueDirs: string[];
  facts: LayerFact[];
  captured: [path: string, length: number][];
  skipped: SkippedFile[];
  skippedCount: number;
  warnings: string[];
}

/**
 * What decides a layer's facts besides its content: the scanner format, every visitor's name
 * and version, and the capture limits (a different limit captures different files).
 */
export function cacheKey(visitors: readonly FileVisitor[], limits: ScanLimits): string {
  const parts = {
    format: SCANNER_FORMAT_VERSION,
    endianness: endianness(),
    visitors: visitors
      .map((v) => [v.name, v.version])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    captureFile: limits.maxCaptureFileBytes,
    captureLayer: limits.maxCapturedBytesPerLayer,
    reported: limits.maxReportedSkips,
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

/** The cache file of a layer's content (a verified digest of it) for one visitor set. */
export function cacheFile(cacheDir: string, content: string, key: string): string {
  return join(cacheDir, 'layers', `${digestHex(content)}-${key}.facts`);
}

/**
 * Loads cached facts, or undefined when there are none or the file is damaged. The facts are
 * labelled with the diffId of the layer asking (the same content may be listed under another).
 */
export async function loadFacts(
  file: string,
  content: string,
  diffId: string,
): Promise<LayerFacts | undefined> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch {
    return undefined;
  }
  try {
    return decode(data, content, diffId);
  } catch {
    return undefined;
  }
}

export async function storeFacts(file: string, content: string, facts: LayerFacts): Promise<void> {
  const parts = encode(content, facts);
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writev(parts);
    await handle.close();
    await rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}

function encode(content: string, facts: LayerFacts): Buffer[] {
  const c = facts.entries.columns;
  const captured: Buffer[] = [];
  const header: CacheHeader = {
    content,
    count: c.count,
    pathBytes: c.pathOffsets[c.count] ?? 0,
    linkBytes: c.linkOffsets[c.count] ?? 0,
    bytes: facts.bytes,
    whiteouts: facts.whiteouts,
    opaqueDirs: facts.opaqueDirs,
    facts: facts.facts,
    captured: [...facts.captured].map(([path, data]) => {
      captured.push(data);
      return [path, data.length];
    }),
    skipped: facts.skipped,
    skippedCount: facts.skippedCount,
    warnings: facts.warnings,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(SCANNER_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);

  const parts: Buffer[] = [prefix, json];
  let length = PREFIX + json.length;
  const add = (bytes: ArrayBufferView): void => {
    const pad = (8 - (length % 8)) % 8;
    if (pad > 0) parts.push(Buffer.alloc(pad));
    parts.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    length += pad + bytes.byteLength;
  };
  const n = c.count;
  add(c.sizes.subarray(0, n));
  add(c.mtimes.subarray(0, n));
  add(c.pathOffsets.subarray(0, n + 1));
  add(c.linkOffsets.subarray(0, n + 1));
  add(c.modes.subarray(0, n));
  add(c.uids.subarray(0, n));
  add(c.gids.subarray(0, n));
  add(c.types.subarray(0, n));
  add(c.pathBytes.subarray(0, header.pathBytes));
  add(c.linkBytes.subarray(0, header.linkBytes));
  for (const data of captured) add(data);

  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  parts.push(hash.digest());
  return parts;
}

function decode(file: Buffer, content: string, diffId: string): LayerFacts | undefined {
  if (file.length < PREFIX + TRAILER || !file.subarray(0, 8).equals(MAGIC)) return undefined;
  if (file.readUInt32LE(8) !== SCANNER_FORMAT_VERSION) return undefined;
  const body = file.subarray(0, file.length - TRAILER);
  const expected = file.subarray(file.length - TRAILER);
  if (!createHash('sha256').update(body).digest().equals(expected)) return undefined;

  // Typed-array views need aligned offsets; a pooled small buffer may not be (Buffer.alloc never pools).
  const data = file.byteOffset % 8 === 0 ? file : Buffer.alloc(file.length, file);
  const jsonLength = data.readUInt32LE(12);
  const header = JSON.parse(data.toString('utf8', PREFIX, PREFIX + jsonLength)) as CacheHeader;
  if (header.content !== content) return undefined;

  let offset = PREFIX + jsonLength;
  const take = (byteLength: number): { buffer: ArrayBufferLike; byteOffset: number } => {
    offset += (8 - (offset % 8)) % 8;
    if (offset + byteLength > body.length) throw new Error('truncated');
    const at = { buffer: data.buffer, byteOffset: data.byteOffset + offset };
    offset += byteLength;
    return at;
  };
  const f64 = (n: number): Float64Array => {
    const at = take(n * 8);
    return new Float64Array(at.buffer, at.byteOffset, n);
  };
  const u32 = (n: number): Uint32Array => {
    const at = take(n * 4);
    return new Uint32Array(at.buffer, at.byteOffset, n);
  };
  const bytes = (n: number): Buffer => {
    const at = take(n);
    return Buffer.from(at.buffer, at.byteOffset, n);
  };
  const n = header.count;
  const columns: EntryColumns = {
    count: n,
    sizes: f64(n),
    mtimes: f64(n),
    pathOffsets: u32(n + 1),
    linkOffsets: u32(n + 1),
    modes: u32(n),
    uids: u32(n),
    gids: u32(n),
    types: bytes(n),
    pathBytes: bytes(header.pathBytes),
    linkBytes: bytes(header.linkBytes),
  };
  const captured = new Map<string, Buffer>();
  for (const [path, length] of header.captured) captured.set(path, bytes(length));
  if (offset !== body.length) return undefined;
  return {
    diffId,
    entries: EntryTable.fromColumns(columns),
    whiteouts: header.whiteouts,
    opaqueDirs: header.opaqueDirs,
    captured,
    facts: header.facts,
    skipped: header.skipped,
    skippedCount: header.skippedCount,
    warnings: header.warnings,
    bytes: header.bytes,
  };
}
