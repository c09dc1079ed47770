import type { Readable } from 'node:stream';
import { type ChunkParser, feedParsers, HeadBuffer, readElfStart } from '../../binary/chunk-parser.js';
import {
  type ElfHeader,
  type ElfSegment,
  fileOffsetOf,
  isZeroFilled,
  PF_W,
  PF_X,
  PT_LOAD,
  PT_NOTE,
  parseNotes,
} from '../../binary/elf.js';
import { findRange, RangeCapture } from '../../binary/range-capture.js';

/**
 * Go build information, read from an ELF binary while it streams past (no seeking).
 *
 * The linker writes a 32-byte header, `\xff Go buildinf:` + pointer size + flags, at a 16-byte
 * aligned spot of the writable data (the `.go.buildinfo` section, which `go version` looks up;
 * its section header sits at the end of the file, so here the data segments — known from the
 * program headers at the start — are searched instead, and the stream is left once they are
 * past). Since Go 1.18 (flag 0x2) the Go version and module information follow inline as
 * varint-length strings. Before, the header holds two pointers to Go string headers (pointer,
 * length) in the data segment, whose bytes lie in read-only data earlier in the file: so while
 * streaming, the writable segments are kept, and — in binaries whose first page carries the Go
 * build ID note, as every binary `go build` links does — so is their read-only data, as views
 * of the chunks that are dropped once an inline header shows they are not needed. Where the
 * read-only data is too big to keep, every `go1.` string and every block opened by the module
 * information's start sentinel in it is kept instead, to be looked up by address once the
 * pointers are known; searching for them costs more than the rest of the parse. Other
 * executables cost a look at their headers and a search of their data segments only.
 */

export interface GoBuildInfo {
  /** As the binary records it, e.g. `go1.21.5` or `go1.22.0 X:boringcrypto`. */
  goVersion: string;
  /** The module information text (`path`, `mod`, `dep`, `=>`, `build` lines), sentinels removed. */
  modinfo: string;
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER = 32;
/** The linker aligns the header to 16 bytes; `go version` looks nowhere else. */
const HEADER_ALIGNMENT = 16;
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_INLINE = 0x2;
/** Module information sentinels (cmd/go/internal/modload), around the text in the binary. */
const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const GO_PREFIX = Buffer.from('go1.', 'latin1');

/** Bounds: what a real binary needs, far below what a hostile one could claim. */
/** Notes are looked for in the file's first bytes only (they sit right after the program headers). */
const NOTES_WITHIN = 64 * 1024;
const NOTE_GO_BUILD_ID = 4;
const MAX_INFO_BYTES = 2 * 1024 * 1024;
const MAX_RETAINED_DATA = 16 * 1024 * 1024;
/** Read-only data kept whole up to this size (dockerd has 23 MiB); bigger is searched for candidates. */
export const MAX_RETAINED_READ_ONLY = 48 * 1024 * 1024;
const MAX_CANDIDATES = 256;
const VERSION_CANDIDATE_BYTES = 64;
/** Bytes carried from one chunk to the next so that patterns split across chunks are found. */
const CARRY = 64;

export class GoBuildInfoError extends Error {}

/**
 * Reads the build information of a Go ELF binary from its streamed body. Resolves undefined for
 * anything that is not a Go ELF binary; rejects when a Go binary's build information is damaged.
 */
export async function readGoBuildInfo(
  body: Readable,
  size: number,
  maxRetainedReadOnly = MAX_RETAINED_READ_ONLY,
): Promise<GoBuildInfo | undefined> {
  const parser = new GoBuildInfoParser(size, maxRetainedReadOnly);
  await feedParsers(body, [parser]);
  return parser.result();
}

/** The push parser behind readGoBuildInfo: feed it the file's chunks, then ask for the result. */
export class GoBuildInfoParser implements ChunkParser {
  private readonly head = new HeadBuffer();
  private state: 'head' | 'scan' | 'done' = 'head';
  private outcome: GoBuildInfo | undefined;
  private failure: Error | undefined;
  private segments: ElfSegment[] = [];
  private writable: ElfSegment[] = [];
  /** Read-only segments too big to keep: searched for pre-1.18 string candidates instead. */
  private searchedReadOnly: ElfSegment[] = [];
  private dataEnd = 0;
  private readonly retained: RangeCapture[] = [];
  /** The pre-1.18 string candidates found in searchedReadOnly. */
  private readonly strings: RangeCapture[] = [];
  private info: RangeCapture | undefined;
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    private readonly size: number,
    private readonly maxRetainedReadOnly = MAX_RETAINED_READ_ONLY,
  ) {}

  feed(chunk: Buffer, at: number): boolean {
    try {
      if (this.state === 'head') {
        this.head.add(chunk);
        if (this.start()) for (const [part, offset] of this.head.drain()) this.scan(part, offset);
      } else if (this.state === 'scan') {
        this.scan(chunk, at);
      }
    } catch (error) {
      this.failure = error as Error;
      this.state = 'done';
    }
    return this.state !== 'done';
  }

  /** Once the file ended or feed() returned false: the build information, or undefined. Throws when damaged. */
  result(): GoBuildInfo | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.state !== 'scan') return this.outcome;
    const info = this.info;
    if (info === undefined) return undefined;
    if (info.filled < HEADER) throw new GoBuildInfoError('build information header is truncated');
    if (isInline(info)) throw new GoBuildInfoError('build information strings run past the end of the file');
    return decodePointers(info, this.segments, [info, ...this.retained, ...this.strings]);
  }

  /** Waits for the ELF and program headers and the first notes, then sets up the scan (true once started). */
  private start(): boolean {
    const head = this.head.data;
    const start = readElfStart(head);
    if (start === 'more') return false;
    if (start === 'not-elf') {
      this.state = 'done';
      return false;
    }
    const { header, segments } = start;
    const writable = segments.filter((s) => s.type === PT_LOAD && (s.flags & PF_W) !== 0 && s.filesz > 0);
    if (writable.length === 0) {
      this.state = 'done';
      return false;
    }
    const notes = segments.filter((s) => s.type === PT_NOTE && s.offset + s.filesz <= NOTES_WITHIN);
    if (head.length < Math.max(0, ...notes.map((s) => s.offset + s.filesz))) return false;
    this.segments = segments;
    this.writable = writable;
    this.dataEnd = Math.max(...writable.map((s) => s.offset + s.filesz));
    this.retainSegments(writable, MAX_RETAINED_DATA);
    // Read-only data (not text) of a Go binary: where pre-1.18 strings can be.
    if (hasGoBuildIdNote(head, header, notes)) {
      const readOnly = segments.filter(
        (s) => s.type === PT_LOAD && (s.flags & (PF_W | PF_X)) === 0 && s.filesz > 0,
      );
      const readOnlyBytes = readOnly.reduce((sum, s) => sum + s.filesz, 0);
      if (readOnlyBytes <= this.maxRetainedReadOnly) this.retainSegments(readOnly, readOnlyBytes);
      else this.searchedReadOnly = readOnly;
    }
    this.state = 'scan';
    return true;
  }

  /** Keeps the segments' bytes as they stream past, at most `budget` of them. */
  private retainSegments(segments: readonly ElfSegment[], budget: number): void {
    let left = budget;
    for (const segment of segments) {
      const length = Math.min(segment.filesz, this.size - segment.offset, left);
      if (length <= 0) continue;
      this.retained.push(new RangeCapture(segment.offset, length));
      left -= length;
    }
  }

  private scan(chunk: Buffer, position: number): void {
    for (const capture of this.retained) capture.offer(chunk, position);
    for (const capture of this.strings) capture.offer(chunk, position);
    this.info?.offer(chunk, position);
    // Patterns are searched in the chunk itself and, for those straddling the previous chunk's
    // end, in the seam: the carried tail of that chunk joined to this one's head.
    const views: View[] = [{ bytes: chunk, start: position, before: Number.POSITIVE_INFINITY }];
    if (this.carry.length > 0) {
      const seam = Buffer.concat([this.carry, chunk.subarray(0, CARRY)]);
      views.unshift({ bytes: seam, start: position - this.carry.length, before: position });
    }
    const feed = (capture: RangeCapture, view: View) => {
      capture.offer(view.bytes, view.start);
      if (view.bytes !== chunk) capture.offer(chunk, position);
    };
    for (const view of views) {
      if (this.info === undefined) {
        const at = findHeader(view, this.writable);
        if (at !== undefined) {
          this.info = new RangeCapture(at, Math.min(HEADER + MAX_INFO_BYTES, this.size - at));
          feed(this.info, view);
        }
      }
      if (!isInline(this.info) && this.searchedReadOnly.length > 0) {
        collectCandidates(view, this.searchedReadOnly, this.size, this.strings, (capture) =>
          feed(capture, view),
        );
      }
    }
    if (this.info !== undefined && isInline(this.info)) {
      this.outcome = decodeInline(this.info);
      if (this.outcome !== undefined) {
        this.state = 'done';
        return;
      }
    }
    // Past every data segment without a header: not a Go binary (or one `go version` cannot read).
    if (this.info === undefined && position + chunk.length >= this.dataEnd) {
      this.state = 'done';
      return;
    }
    this.carry = Buffer.from(
      chunk.length >= CARRY
        ? chunk.subarray(chunk.length - CARRY)
        : Buffer.concat([this.carry, chunk]).subarray(-CARRY),
    );
  }
}

/** Bytes of the file starting at `start`; only matches starting before `before` count. */
interface View {
  bytes: Buffer;
  start: number;
  before: number;
}

/** Whether the header is complete and says the strings follow inline (Go ≥ 1.18). */
function isInline(info: RangeCapture | undefined): boolean {
  return info !== undefined && info.filled >= HEADER && ((info.data[15] as number) & FLAG_INLINE) !== 0;
}

/** The file offset of the first build information header in a writable segment, 16-byte aligned. */
function findHeader(view: View, writable: readonly ElfSegment[]): number | undefined {
  let found: number | undefined;
  forEachMatch(
    view,
    writable,
    MAGIC,
    (offset) => {
      if (!writable.some((s) => offset >= s.offset && offset + HEADER <= s.offset + s.filesz)) return true;
      found = offset;
      return false;
    },
    HEADER_ALIGNMENT,
  );
  return found;
}

/**
 * Calls `onMatch` with the file offset of each occurrence of `pattern` that starts inside one of
 * the segments (and before the view's limit), in file order, until it returns false. With
 * `alignment`, only occurrences at file offsets it divides count.
 */
function forEachMatch(
  view: View,
  segments: readonly ElfSegment[],
  pattern: Buffer,
  onMatch: (offset: number) => boolean,
  alignment?: number,
): void {
  const { bytes, start, before } = view;
  for (const segment of segments) {
    const from = Math.max(start, segment.offset);
    const to = Math.min(
      start + bytes.length,
      segment.offset + segment.filesz + pattern.length - 1,
      before + pattern.length - 1,
    );
    if (to - from < pattern.length) continue;
    const searched = bytes.subarray(from - start, to - start);
    const next =
      alignment === undefined
        ? (after: number) => searched.indexOf(pattern, after)
        : (after: number) => indexOfAligned(searched, pattern, after, from, alignment);
    for (let i = next(0); i >= 0; i = next(i + 1)) {
      const offset = from + i;
      if (offset >= before || offset >= segment.offset + segment.filesz) break;
      if (!onMatch(offset)) return;
    }
  }
}

/**
 * The first index from `after` where `pattern` starts at a file offset (`bytes` starts at
 * `fileOffset`) that `alignment` divides. Every executable's data segments are searched for the
 * header, and looking at aligned offsets only is the faster search: 7 ms against Buffer.indexOf's
 * 27 ms over the 126 MB of writable segments of Debian's /usr/bin and /usr/lib ELF files.
 */
function indexOfAligned(
  bytes: Buffer,
  pattern: Buffer,
  after: number,
  fileOffset: number,
  alignment: number,
): number {
  const first = pattern[0] as number;
  const last = bytes.length - pattern.length;
  const misaligned = (fileOffset + after) % alignment;
  for (let i = misaligned === 0 ? after : after + alignment - misaligned; i <= last; i += alignment) {
    if (bytes[i] !== first) continue;
    let j = 1;
    while (j < pattern.length && bytes[i + j] === pattern[j]) j++;
    if (j === pattern.length) return i;
  }
  return -1;
}

/** Whether one of the PT_NOTE segments in the first bytes holds a Go build ID note. */
function hasGoBuildIdNote(head: Buffer, header: ElfHeader, notes: readonly ElfSegment[]): boolean {
  return notes.some((s) =>
    parseNotes(head.subarray(s.offset, s.offset + s.filesz), header.littleEndian).some(
      (note) => note.name === 'Go' && note.type === NOTE_GO_BUILD_ID,
    ),
  );
}

/** Remembers where `go1.` strings and module-information blocks start (pre-1.18 binaries point at them). */
function collectCandidates(
  view: View,
  readOnly: readonly ElfSegment[],
  size: number,
  strings: RangeCapture[],
  feed: (capture: RangeCapture) => void,
): void {
  for (const [pattern, length] of [
    [GO_PREFIX, VERSION_CANDIDATE_BYTES],
    [INFO_START, MAX_INFO_BYTES],
  ] as const) {
    forEachMatch(view, readOnly, pattern, (offset) => {
      if (strings.length >= MAX_CANDIDATES) return false;
      const capture = new RangeCapture(offset, Math.min(length, size - offset));
      feed(capture);
      strings.push(capture);
      return true;
    });
  }
}

/** Go ≥ 1.18: two uvarint-length strings after the header; undefined until all their bytes are here. */
function decodeInline(info: RangeCapture): GoBuildInfo | undefined {
  const available = info.data;
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
