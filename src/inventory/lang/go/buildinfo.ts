import type { Readable } from 'node:stream';
import {
  ELF_HEADER_BYTES,
  type ElfSegment,
  fileOffsetOf,
  isElf,
  isZeroFilled,
  PF_W,
  PT_LOAD,
  parseElfHeader,
  parseSegments,
  programHeadersEnd,
} from '../../binary/elf.js';
import { findRange, RangeCapture } from '../../binary/range-capture.js';
import { ByteReader } from '../../byte-reader.js';

/**
 * Go build information, read from an ELF binary while it streams past (no seeking).
 *
 * The linker writes a 32-byte header, `\xff Go buildinf:` + pointer size + flags, at a 16-byte
 * aligned spot of the writable data (the `.go.buildinfo` section, which `go version` looks up;
 * its section header sits at the end of the file, so here the data segments — known from the
 * program headers at the start — are searched instead). Since Go 1.18 (flag 0x2) the Go version
 * and module information follow inline as varint-length strings. Before, the header holds two
 * pointers to Go string headers (pointer, length) in the data segment, whose bytes lie in
 * read-only data earlier in the file: so while streaming, the writable segments are kept, and
 * so is every `go1.` string and every block opened by the module information's start sentinel,
 * to be looked up by address once the pointers are known.
 */

export interface GoBuildInfo {
  /** As the binary records it, e.g. `go1.21.5` or `go1.22.0 X:boringcrypto`. */
  goVersion: string;
  /** The module information text (`path`, `mod`, `dep`, `=>`, `build` lines), sentinels removed. */
  modinfo: string;
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER = 32;
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_INLINE = 0x2;
/** Module information sentinels (cmd/go/internal/modload), around the text in the binary. */
const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const GO_PREFIX = Buffer.from('go1.', 'latin1');

/** Bounds: what a real binary needs, far below what a hostile one could claim. */
const MAX_PROGRAM_HEADERS_END = 1024 * 1024;
const MAX_INFO_BYTES = 2 * 1024 * 1024;
const MAX_RETAINED_DATA = 16 * 1024 * 1024;
const MAX_CANDIDATES = 256;
const VERSION_CANDIDATE_BYTES = 64;
/** Bytes carried from one chunk to the next so that patterns split across chunks are found. */
const CARRY = 64;

export class GoBuildInfoError extends Error {}

/**
 * Reads the build information of a Go ELF binary from its streamed body. Resolves undefined for
 * anything that is not a Go ELF binary; rejects when a Go binary's build information is damaged.
 */
export async function readGoBuildInfo(body: Readable, size: number): Promise<GoBuildInfo | undefined> {
  const reader = new ByteReader(body);
  const head = await reader.peek(ELF_HEADER_BYTES);
  if (!isElf(head)) return undefined;
  let segments: ElfSegment[];
  try {
    const header = parseElfHeader(head);
    const end = programHeadersEnd(header);
    if (end > MAX_PROGRAM_HEADERS_END) return undefined;
    segments = parseSegments(await reader.peek(Math.max(end, ELF_HEADER_BYTES)), header);
  } catch {
    // Not an ELF file we can map: it cannot be a Go binary `go version` reads either.
    return undefined;
  }
  const writable = segments.filter((s) => s.type === PT_LOAD && (s.flags & PF_W) !== 0 && s.filesz > 0);
  if (writable.length === 0) return undefined;

  const retained: RangeCapture[] = [];
  let retainedBytes = 0;
  for (const segment of writable) {
    const length = Math.min(segment.filesz, size - segment.offset, MAX_RETAINED_DATA - retainedBytes);
    if (length <= 0) continue;
    retained.push(new RangeCapture(segment.offset, length));
    retainedBytes += length;
  }
  const strings: RangeCapture[] = [];
  let info: RangeCapture | undefined;

  let carry: Buffer = Buffer.alloc(0);
  let position = 0;
  for await (const chunk of reader.rest()) {
    const windowStart = position - carry.length;
    const window = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    for (const capture of retained) capture.offer(chunk, position);
    for (const capture of strings) capture.offer(chunk, position);
    if (info === undefined) {
      const at = findHeader(window, windowStart, writable);
      if (at !== undefined) {
        info = new RangeCapture(at, Math.min(HEADER + MAX_INFO_BYTES, size - at));
        info.offer(window, windowStart);
      }
    } else {
      info.offer(chunk, position);
    }
    if (info !== undefined && info.filled >= HEADER && ((info.data[15] as number) & FLAG_INLINE) !== 0) {
      const inline = decodeInline(info);
      if (inline !== undefined) return inline;
    } else if (strings.length < MAX_CANDIDATES) {
      collectCandidates(window, windowStart, size, strings);
    }
    position += chunk.length;
    carry = window.subarray(Math.max(0, window.length - CARRY));
  }

  if (info === undefined) return undefined;
  if (info.filled < HEADER) throw new GoBuildInfoError('build information header is truncated');
  if (((info.data[15] as number) & FLAG_INLINE) !== 0) {
    throw new GoBuildInfoError('build information strings run past the end of the file');
  }
  return decodePointers(info, segments, [info, ...retained, ...strings]);
}

/** The file offset of the first build information header in a writable segment, 16-byte aligned. */
function findHeader(
  window: Buffer,
  windowStart: number,
  writable: readonly ElfSegment[],
): number | undefined {
  for (let i = window.indexOf(MAGIC); i >= 0; i = window.indexOf(MAGIC, i + 1)) {
    const offset = windowStart + i;
    if (offset % 16 !== 0) continue;
    if (writable.some((s) => offset >= s.offset && offset + HEADER <= s.offset + s.filesz)) return offset;
  }
  return undefined;
}

/** Remembers where `go1.` strings and module-information blocks start (pre-1.18 binaries point at them). */
function collectCandidates(window: Buffer, windowStart: number, size: number, strings: RangeCapture[]): void {
  for (const [pattern, length] of [
    [GO_PREFIX, VERSION_CANDIDATE_BYTES],
    [INFO_START, MAX_INFO_BYTES],
  ] as const) {
    for (let i = window.indexOf(pattern); i >= 0; i = window.indexOf(pattern, i + 1)) {
      const offset = windowStart + i;
      if (strings.some((s) => s.start === offset)) continue;
      if (strings.length >= MAX_CANDIDATES) return;
      const capture = new RangeCapture(offset, Math.min(length, size - offset));
      capture.offer(window, windowStart);
      strings.push(capture);
    }
  }
}

/** Go ≥ 1.18: two uvarint-length strings after the header; undefined until all their bytes are here. */
function decodeInline(info: RangeCapture): GoBuildInfo | undefined {
  const available = info.data.subarray(0, info.filled);
  const version = readVarBytes(available, HEADER);
  if (version === undefined) return undefined;
  const mod = readVarBytes(available, version.next);
  if (mod === undefined) return undefined;
  return { goVersion: version.bytes.toString('utf8'), modinfo: stripSentinels(mod.bytes) };
}

function readVarBytes(data: Buffer, at: number): { bytes: Buffer; next: number } | undefined {
  let length = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const byte = data[i++];
    if (byte === undefined) return undefined;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 35) throw new GoBuildInfoError('string length is not a valid varint');
  }
  if (length > MAX_INFO_BYTES) throw new GoBuildInfoError(`build information string of ${length} bytes`);
  if (i + length > data.length) return undefined;
  return { bytes: data.subarray(i, i + length), next: i + length };
}

/** Go < 1.18: the header points at string headers; follow them through the kept ranges. */
function decodePointers(
  info: RangeCapture,
  segments: readonly ElfSegment[],
  captures: readonly RangeCapture[],
): GoBuildInfo {
  const header = info.data;
  const pointerSize = header[14] as number;
  if (pointerSize !== 4 && pointerSize !== 8) throw new GoBuildInfoError(`pointer size ${pointerSize}`);
  const bigEndian = ((header[15] as number) & FLAG_BIG_ENDIAN) !== 0;
  const readPointer = (bytes: Buffer, at: number): number => {
    if (pointerSize === 4) return bigEndian ? bytes.readUInt32BE(at) : bytes.readUInt32LE(at);
    const value = bigEndian ? bytes.readBigUInt64BE(at) : bytes.readBigUInt64LE(at);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new GoBuildInfoError('pointer beyond 2^53');
    return Number(value);
  };
  const bytesAt = (address: number, length: number, what: string): Buffer => {
    const offset = fileOffsetOf(segments, address);
    const bytes = offset === undefined ? undefined : findRange(captures, offset, length);
    if (bytes === undefined)
      throw new GoBuildInfoError(`${what} at 0x${address.toString(16)} could not be read`);
    return bytes;
  };
  const readString = (address: number, what: string): Buffer => {
    // A string variable the program never set lives in .bss: zero, hence empty (GOPATH builds' modinfo).
    if (isZeroFilled(segments, address)) return Buffer.alloc(0);
    const stringHeader = bytesAt(address, pointerSize * 2, what);
    const data = readPointer(stringHeader, 0);
    const length = readPointer(stringHeader, pointerSize);
    if (length === 0) return Buffer.alloc(0);
    if (length > MAX_INFO_BYTES) throw new GoBuildInfoError(`${what} of ${length} bytes`);
    return bytesAt(data, length, what);
  };
  const goVersion = readString(readPointer(header, 16), 'Go version').toString('utf8');
  const modinfo = readString(readPointer(header, 16 + pointerSize), 'module information');
  return { goVersion, modinfo: stripSentinels(modinfo) };
}

/** The text between the 16-byte sentinels, as `go version` reads it; no sentinels, no text. */
function stripSentinels(bytes: Buffer): string {
  if (bytes.length >= 33 && bytes[bytes.length - 17] === 0x0a) {
    return bytes.toString('utf8', 16, bytes.length - 16);
  }
  return '';
}
