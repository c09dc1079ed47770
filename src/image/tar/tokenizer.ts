import { CeranaError } from '../../common/errors.js';
import type { EntryType, TarHeader } from '../types.js';
import { parseNumeric } from './numeric.js';
import { ESCAPES_ROOT, normalizeEntryPath } from './path.js';
import { parsePaxRecords } from './pax.js';

/**
 * A pull tokenizer over a tar byte stream. The caller pushes chunks as they arrive and pulls
 * events; it can stop (and await) between any two events, which is what lets the layer scanner
 * apply backpressure from streaming visitors without copying. Nothing is buffered except a
 * header that straddles two chunks and the (bounded) bodies of extension headers.
 *
 * Understood: ustar (with prefix), GNU (`L`/`K` long names, old sparse `S`), PAX (`x`, and `g`
 * global records), star prefixes, V7. Base-256 numbers. Header-only types (links, devices,
 * directories, fifos) never carry a body, whatever their size field says — as Go's archive/tar
 * reads them, so an archive cannot hide entries from us that a Docker daemon would extract.
 */
export const TarEvent = {
  /** The pushed chunk is consumed: push the next one (or call finish()). */
  NeedMore: 0,
  /** `header` holds the next entry. Call wantBody() to receive its body. */
  Entry: 1,
  /** `data` holds the next slice of the body (a view into the pushed chunk, not a copy). */
  Data: 2,
  /** The body of an entry whose body was wanted is complete. */
  EntryEnd: 3,
} as const;
export type TarEvent = (typeof TarEvent)[keyof typeof TarEvent];

export interface TarTokenizerOptions {
  /** Names the archive in error messages and warnings (e.g. the layer digest). */
  label: string;
  /** Largest accepted PAX / GNU long-name body (default 1 MiB, as Go's archive/tar). */
  maxExtensionBytes?: number;
  onWarning?: (message: string) => void;
}

const BLOCK = 512;

const HEADER = 0;
const BODY = 1;
const EXTENSION_BODY = 2;
const SPARSE_EXTENSION = 3;
const SECOND_ZERO_BLOCK = 4;
const DONE = 5;

// Extension header kinds (they modify the next real entry).
const PAX_LOCAL = 0x78; // 'x'
const PAX_GLOBAL = 0x67; // 'g'
const GNU_LONG_NAME = 0x4c; // 'L'
const GNU_LONG_LINK = 0x4b; // 'K'

/** PAX keys that describe one file: a global record carrying them is ignored. */
const PER_FILE_PAX_KEYS = new Set(['path', 'linkpath', 'size', 'GNU.sparse.name']);

const EMPTY = Buffer.alloc(0);

export class TarTokenizer {
  /** The entry announced by the last Entry event. */
  header: TarHeader = emptyHeader();
  /** True when the announced entry is a sparse file: its body cannot be read, only skipped. */
  sparse = false;
  /** The body slice announced by the last Data event. */
  data: Buffer = EMPTY;
  /** True once the end-of-archive marker (two zero blocks) was read. */
  ended = false;
  /** Number of entries announced so far. */
  entries = 0;

  private readonly label: string;
  private readonly maxExtensionBytes: number;
  private readonly onWarning: (message: string) => void;

  private chunk: Buffer = EMPTY;
  private pos = 0;
  /** Archive offset of chunk[0]. */
  private chunkOffset = 0;

  private state = HEADER;
  private readonly staging = Buffer.alloc(BLOCK);
  private readonly stagingWords = new Uint32Array(this.staging.buffer, this.staging.byteOffset, BLOCK / 4);
  private staged = 0;
  /** The current header block, and the chunk viewed as 32-bit words when it is 4-byte aligned. */
  private block: Buffer = EMPTY;
  private blockStart = 0;
  private blockWords: Uint32Array | undefined;
  private chunkWords: Uint32Array | undefined;

  /** Body bytes left in the current entry and padding after it. */
  private remaining = 0;
  private padding = 0;
  private emitBody = false;
  private pendingEntryEnd = false;

  private extensionKind = 0;
  private extensionBody: Buffer = EMPTY;
  private extensionFilled = 0;

  private pax: Map<string, string> | undefined;
  private readonly globalPax = new Map<string, string>();
  private longName: string | undefined;
  private longLink: string | undefined;
  /** Sparse entries are announced only after their extension blocks are skipped. */
  private sparseHeader: TarHeader | undefined;
  private sparseBodySize = 0;

  constructor(options: TarTokenizerOptions) {
    this.label = options.label;
    this.maxExtensionBytes = options.maxExtensionBytes ?? 1024 * 1024;
    this.onWarning = options.onWarning ?? (() => {});
  }

  /** Hands the tokenizer the next chunk. Only valid after next() returned NeedMore. */
  push(chunk: Buffer): void {
    this.chunkOffset += this.chunk.length;
    this.chunk = chunk;
    this.pos = 0;
    this.chunkWords =
      chunk.byteOffset % 4 === 0
        ? new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length >>> 2)
        : undefined;
  }

  /** Asks for the body of the entry just announced (ignored for sparse files). */
  wantBody(): void {
    if (this.sparse) return;
    this.emitBody = true;
    this.pendingEntryEnd = true;
  }

  /** Archive offset of the next unread byte. */
  get offset(): number {
    return this.chunkOffset + this.pos;
  }

  next(): TarEvent {
    for (;;) {
      switch (this.state) {
        case HEADER: {
          if (!this.takeBlock()) return TarEvent.NeedMore;
          const event = this.onHeader(this.block, this.blockStart);
          if (event !== TarEvent.NeedMore) return event;
          break;
        }
        case BODY: {
          if (this.remaining > 0) {
            const available = this.chunk.length - this.pos;
            if (available === 0) return TarEvent.NeedMore;
            const n = available < this.remaining ? available : this.remaining;
            const start = this.pos;
            this.pos += n;
            this.remaining -= n;
            if (this.emitBody) {
              this.data = this.chunk.subarray(start, start + n);
              return TarEvent.Data;
            }
            break;
          }
          if (this.pendingEntryEnd) {
            this.pendingEntryEnd = false;
            this.emitBody = false;
            this.data = EMPTY;
            return TarEvent.EntryEnd;
          }
          if (!this.skipPadding()) return TarEvent.NeedMore;
          this.state = HEADER;
          break;
        }
        case EXTENSION_BODY: {
          if (this.remaining > 0) {
            const available = this.chunk.length - this.pos;
            if (available === 0) return TarEvent.NeedMore;
            const n = available < this.remaining ? available : this.remaining;
            this.chunk.copy(this.extensionBody, this.extensionFilled, this.pos, this.pos + n);
            this.extensionFilled += n;
            this.pos += n;
            this.remaining -= n;
            if (this.remaining > 0) return TarEvent.NeedMore;
            this.applyExtension();
          }
          if (!this.skipPadding()) return TarEvent.NeedMore;
          this.state = HEADER;
          break;
        }
        case SPARSE_EXTENSION: {
          if (!this.takeBlock()) return TarEvent.NeedMore;
          // Each extension block lists more sparse segments; byte 504 says whether another follows.
          if (this.block[this.blockStart + 504] === 0) {
            const header = this.sparseHeader ?? emptyHeader();
            this.sparseHeader = undefined;
            return this.announce(header, this.sparseBodySize, true);
          }
          break;
        }
        case SECOND_ZERO_BLOCK: {
          if (!this.takeBlock()) return TarEvent.NeedMore;
          if (!isZeroBlock(this.block, this.blockStart)) {
            throw this.corrupt('a zero block is followed by data (only two zero blocks may end an archive)');
          }
          this.ended = true;
          this.state = DONE;
          break;
        }
        default: {
          // After the end-of-archive marker the rest (record padding) is ignored.
          this.pos = this.chunk.length;
          return TarEvent.NeedMore;
        }
      }
    }
  }

  /**
   * Called when the input is exhausted. Throws if it stopped inside an entry; an archive that
   * simply lacks the end-of-archive marker is accepted with a warning.
   */
  finish(): void {
    if (this.state === DONE) return;
    const atBoundary =
      this.state === SECOND_ZERO_BLOCK ||
      (this.state === HEADER && this.staged === 0 && this.pax === undefined && !this.pendingExtension());
    if (atBoundary) {
      if (this.state === HEADER)
        this.onWarning(`${this.label}: archive ends without an end-of-archive marker`);
      this.state = DONE;
      return;
    }
    throw new CeranaError(
      'INPUT',
      `${this.label}: tar archive is truncated (input ended at byte ${this.offset} inside ${this.describeState()})`,
      { hint: 'the layer blob is incomplete or corrupt; pull or save the image again' },
    );
  }

  private pendingExtension(): boolean {
    return this.longName !== undefined || this.longLink !== undefined;
  }

  private describeState(): string {
    switch (this.state) {
      case HEADER:
        return this.staged > 0 ? 'a header' : 'an entry announced by an extension header';
      case BODY:
        return `the body of ${JSON.stringify(this.header.path)}`;
      case EXTENSION_BODY:
        return 'an extension header';
      default:
        return 'a sparse file header';
    }
  }

  /**
   * Makes the next whole 512-byte block available as `block` at `blockStart` (in place when it
   * lies within the chunk, else staged across chunks); false when more input is needed.
   */
  private takeBlock(): boolean {
    const available = this.chunk.length - this.pos;
    if (this.staged === 0 && available >= BLOCK) {
      this.block = this.chunk;
      this.blockWords = this.chunkWords;
      this.blockStart = this.pos;
      this.pos += BLOCK;
      return true;
    }
    const n = Math.min(BLOCK - this.staged, available);
    this.chunk.copy(this.staging, this.staged, this.pos, this.pos + n);
    this.staged += n;
    this.pos += n;
    if (this.staged < BLOCK) return false;
    this.staged = 0;
    this.block = this.staging;
    this.blockWords = this.stagingWords;
    this.blockStart = 0;
    return true;
  }

  private skipPadding(): boolean {
    const available = this.chunk.length - this.pos;
    const n = available < this.padding ? available : this.padding;
    this.pos += n;
    this.padding -= n;
    return this.padding === 0;
  }

  private onHeader(block: Buffer, start: number): TarEvent {
    const stored = parseNumeric(block, start + 148, 8);
    const sum = checksum(block, start, this.blockWords);
    if (sum === CHECKSUM_OF_ZERO_BLOCK && isZeroBlock(block, start)) {
      this.state = SECOND_ZERO_BLOCK;
      return TarEvent.NeedMore;
    }
    if (stored < 0 || (stored !== sum && stored !== signedChecksum(block, start))) {
      throw this.corrupt(`header checksum mismatch at byte ${this.offset - BLOCK}`);
    }

    const typeflag = block[start + 156] ?? 0;
    let size = parseNumeric(block, start + 124, 12);
    if (size < 0) throw this.corrupt(`invalid size field at byte ${this.offset - BLOCK}`);

    if (
      typeflag === PAX_LOCAL ||
      typeflag === PAX_GLOBAL ||
      typeflag === GNU_LONG_NAME ||
      typeflag === GNU_LONG_LINK
    ) {
      if (size > this.maxExtensionBytes) {
        throw new CeranaError(
          'LIMIT',
          `${this.label}: extension header of ${size} bytes at byte ${this.offset - BLOCK} exceeds the ${this.maxExtensionBytes}-byte limit`,
        );
      }
      this.extensionKind = typeflag;
      this.extensionBody = Buffer.allocUnsafe(size);
      this.extensionFilled = 0;
      this.remaining = size;
      this.padding = padOf(size);
      this.state = EXTENSION_BODY;
      if (size === 0) this.applyExtension();
      return TarEvent.NeedMore;
    }

    const pax = this.pax;
    const paxSize = pax?.get('size');
    if (paxSize !== undefined) {
      const n = Number(paxSize);
      if (!Number.isSafeInteger(n) || n < 0)
        throw this.corrupt(`invalid PAX size ${JSON.stringify(paxSize)}`);
      size = n;
    }
    // Links, devices, directories and fifos never have a body, whatever the size field says.
    const bodySize = typeflag >= 0x31 && typeflag <= 0x36 ? 0 : size;
    const header = this.buildHeader(block, start, typeflag, bodySize);
    const paxSparse = pax !== undefined && isPaxSparse(pax);
    this.pax = undefined;
    this.longName = undefined;
    this.longLink = undefined;

    if (typeflag === 0x53 /* 'S': old GNU sparse */) {
      header.type = 'file';
      const realSize = parseNumeric(block, start + 483, 12);
      if (realSize >= 0) header.size = realSize;
      if (block[start + 482] !== 0) {
        this.sparseHeader = header;
        this.sparseBodySize = bodySize;
        this.state = SPARSE_EXTENSION;
        return TarEvent.NeedMore;
      }
      return this.announce(header, bodySize, true);
    }
    if (paxSparse && header.type === 'file') {
      const realSize = Number(pax.get('GNU.sparse.realsize') ?? pax.get('GNU.sparse.size') ?? Number.NaN);
      if (Number.isSafeInteger(realSize) && realSize >= 0) header.size = realSize;
      return this.announce(header, bodySize, true);
    }
    return this.announce(header, bodySize, false);
  }

  /** Emits an Entry event, or drops the entry (with a warning) when its path is unusable. */
  private announce(header: TarHeader, bodySize: number, sparse: boolean): TarEvent {
    this.remaining = bodySize;
    this.padding = padOf(bodySize);
    this.emitBody = false;
    this.pendingEntryEnd = false;
    this.state = BODY;
    if (header.path === '') return TarEvent.NeedMore; // the root directory itself
    if (header.path === REJECTED) return TarEvent.NeedMore;
    this.sparse = sparse;
    if (sparse) this.onWarning(`${this.label}: ${header.path}: sparse file, content not analyzed`);
    this.header = header;
    this.entries++;
    return TarEvent.Entry;
  }

  private buildHeader(block: Buffer, start: number, typeflag: number, bodySize: number): TarHeader {
    const pax = this.pax;
    const global = this.globalPax;
    let rawPath =
      pax?.get('GNU.sparse.name') ?? pax?.get('path') ?? this.longName ?? this.ustarName(block, start);
    let rawLink = pax?.get('linkpath') ?? this.longLink ?? cString(block, start + 157, 100);

    let type = typeOf(typeflag);
    if (typeflag === 0 && rawPath.endsWith('/')) type = 'dir';

    const header: TarHeader = {
      path: '',
      type,
      size: type === 'file' || type === 'other' ? bodySize : 0,
      mode: numberOr(block, start + 100, 8, 0) & 0o7777,
      uid: paxNumber(pax, global, 'uid') ?? numberOr(block, start + 108, 8, 0),
      gid: paxNumber(pax, global, 'gid') ?? numberOr(block, start + 116, 8, 0),
      mtime: paxNumber(pax, global, 'mtime') ?? numberOr(block, start + 136, 12, 0),
      linkname: '',
    };

    if (rawPath.includes('\0')) rawPath = rawPath.slice(0, rawPath.indexOf('\0'));
    if (rawLink.includes('\0')) rawLink = rawLink.slice(0, rawLink.indexOf('\0'));
    const path = normalizeEntryPath(rawPath);
    if (path === ESCAPES_ROOT) {
      this.onWarning(`${this.label}: entry ${JSON.stringify(rawPath)} escapes the image root; ignored`);
      header.path = REJECTED;
      return header;
    }
    header.path = path;
    if (type === 'hardlink') {
      const target = normalizeEntryPath(rawLink);
      if (target === ESCAPES_ROOT || target === '') {
        this.onWarning(
          `${this.label}: hard link ${JSON.stringify(path)} -> ${JSON.stringify(rawLink)} points outside the image root; ignored`,
        );
        header.path = REJECTED;
        return header;
      }
      header.linkname = target;
    } else if (type === 'symlink') {
      header.linkname = rawLink;
    }
    return header;
  }

  private ustarName(block: Buffer, start: number): string {
    const name = cString(block, start, 100);
    // "ustar\0" + "00": POSIX ustar/pax, whose prefix field extends the name. GNU ("ustar  \0")
    // stores other data there.
    const isUstar =
      block[start + 257] === 0x75 &&
      block[start + 258] === 0x73 &&
      block[start + 259] === 0x74 &&
      block[start + 260] === 0x61 &&
      block[start + 261] === 0x72 &&
      block[start + 262] === 0 &&
      block[start + 263] === 0x30 &&
      block[start + 264] === 0x30;
    if (!isUstar || block[start + 345] === 0) return name;
    // star puts "tar\0" at 508 and keeps only 131 bytes of prefix.
    const isStar =
      block[start + 508] === 0x74 &&
      block[start + 509] === 0x61 &&
      block[start + 510] === 0x72 &&
      block[start + 511] === 0;
    const prefix = cString(block, start + 345, isStar ? 131 : 155);
    return `${prefix}/${name}`;
  }

  private applyExtension(): void {
    const body = this.extensionBody;
    this.extensionBody = EMPTY;
    switch (this.extensionKind) {
      case GNU_LONG_NAME:
        this.longName = cString(body, 0, body.length);
        return;
      case GNU_LONG_LINK:
        this.longLink = cString(body, 0, body.length);
        return;
      default: {
        const records = parsePaxRecords(body);
        if (records === undefined) throw this.corrupt(`malformed PAX header ending at byte ${this.offset}`);
        if (this.extensionKind === PAX_GLOBAL) {
          for (const [key, value] of records) {
            if (!PER_FILE_PAX_KEYS.has(key)) this.globalPax.set(key, value);
          }
          return;
        }
        const pending = this.pax ?? new Map<string, string>();
        for (const [key, value] of records) pending.set(key, value);
        this.pax = pending;
      }
    }
  }

  private corrupt(what: string): CeranaError {
    return new CeranaError('INPUT', `${this.label}: corrupt tar archive: ${what}`, {
      hint: 'the layer is damaged or not a tar archive',
    });
  }
}

/** Marks an entry dropped for an unusable path (never a valid normalized path: contains NUL). */
const REJECTED = '\0rejected';

const CHECKSUM_OF_ZERO_BLOCK = 8 * 0x20;

function emptyHeader(): TarHeader {
  return { path: '', type: 'other', size: 0, mode: 0, uid: 0, gid: 0, mtime: 0, linkname: '' };
}

function padOf(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

function typeOf(typeflag: number): EntryType {
  switch (typeflag) {
    case 0x30: // '0'
    case 0: // '\0' (old regular file)
    case 0x37: // '7' contiguous file, a regular file to everyone but its inventor
      return 'file';
    case 0x31:
      return 'hardlink';
    case 0x32:
      return 'symlink';
    case 0x33:
      return 'char';
    case 0x34:
      return 'block';
    case 0x35:
    case 0x44: // 'D' GNU dump directory: a directory whose body lists its content
      return 'dir';
    case 0x36:
      return 'fifo';
    default:
      return 'other';
  }
}

/**
 * Unsigned checksum of a header block, the checksum field itself counted as spaces. Headers are
 * read a million times in a big layer, so when the block is 4-byte aligned the bytes are summed
 * four at a time: two 16-bit lanes per word, which cannot overflow over 128 words (128 × 510).
 */
function checksum(block: Buffer, start: number, words: Uint32Array | undefined): number {
  if (words === undefined || (block.byteOffset + start) % 4 !== 0) {
    let sum = 0;
    for (let i = start; i < start + 148; i++) sum += block[i] as number;
    for (let i = start + 156; i < start + BLOCK; i++) sum += block[i] as number;
    return sum + 8 * 0x20;
  }
  let lanes = 0;
  const first = start >>> 2;
  for (let w = first; w < first + 128; w++) {
    // Words 37 and 38 are the checksum field (bytes 148-155).
    if (w === first + 37) {
      w++;
      continue;
    }
    const word = words[w] as number;
    lanes += (word & 0x00ff00ff) + ((word >>> 8) & 0x00ff00ff);
  }
  return (lanes % 0x10000) + Math.floor(lanes / 0x10000) + 8 * 0x20;
}

/** Some old tars summed signed chars; Go's archive/tar accepts both. */
function signedChecksum(block: Buffer, start: number): number {
  let sum = 0;
  for (let i = start; i < start + BLOCK; i++) {
    if (i >= start + 148 && i < start + 156) continue;
    const b = block[i] as number;
    sum += b > 127 ? b - 256 : b;
  }
  return sum + 8 * 0x20;
}

function isZeroBlock(block: Buffer, start: number): boolean {
  for (let i = start; i < start + BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function cString(buffer: Buffer, start: number, length: number): string {
  const limit = Math.min(start + length, buffer.length);
  let end = start;
  while (end < limit && buffer[end] !== 0) end++;
  return end === start ? '' : buffer.toString('utf8', start, end);
}

function numberOr(block: Buffer, start: number, length: number, fallback: number): number {
  const n = parseNumeric(block, start, length);
  return n < 0 ? fallback : n;
}

function paxNumber(
  pax: Map<string, string> | undefined,
  global: Map<string, string>,
  key: string,
): number | undefined {
  const text = pax?.get(key) ?? global.get(key);
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function isPaxSparse(pax: Map<string, string>): boolean {
  return pax.has('GNU.sparse.major') || pax.has('GNU.sparse.map') || pax.has('GNU.sparse.numblocks');
}
