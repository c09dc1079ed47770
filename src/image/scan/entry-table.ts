import { CeranaError } from '../../common/errors.js';
import type { EntryType, TarHeader } from '../types.js';

/**
 * A layer's entries as columns: typed arrays plus one UTF-8 byte table for paths and one for
 * link targets. A layer of a million files costs ~40 bytes per entry plus its path bytes and
 * no per-entry objects, and the columns are written to (and mapped back from) the facts cache
 * as they are.
 */
const TYPES: readonly EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo', 'other'];
const TYPE_CODE: Readonly<Record<EntryType, number>> = {
  file: 0,
  dir: 1,
  symlink: 2,
  hardlink: 3,
  char: 4,
  block: 5,
  fifo: 6,
  other: 7,
};
export const TYPE_DIR = TYPE_CODE.dir;
export const TYPE_SYMLINK = TYPE_CODE.symlink;
export const TYPE_HARDLINK = TYPE_CODE.hardlink;
export const TYPE_FILE = TYPE_CODE.file;

const MAX_ID = 0xffffffff;

/** The columns, exactly `count` long (offset columns `count + 1`). */
export interface EntryColumns {
  count: number;
  pathOffsets: Uint32Array;
  linkOffsets: Uint32Array;
  types: Uint8Array;
  modes: Uint32Array;
  uids: Uint32Array;
  gids: Uint32Array;
  sizes: Float64Array;
  mtimes: Float64Array;
  pathBytes: Buffer;
  linkBytes: Buffer;
}

export class EntryTable {
  private c: EntryColumns;
  private capacity: number;
  private pathUsed = 0;
  private linkUsed = 0;
  private maxStringBytes = MAX_ID;

  private constructor(columns: EntryColumns, capacity: number) {
    this.c = columns;
    this.capacity = capacity;
    this.pathUsed = columns.pathOffsets[columns.count] ?? 0;
    this.linkUsed = columns.linkOffsets[columns.count] ?? 0;
  }

  /** An empty, growable table. `maxStringBytes` bounds path plus link bytes (LIMIT error beyond). */
  static create(maxStringBytes = MAX_ID, initialCapacity = 1024): EntryTable {
    const table = new EntryTable(allocate(initialCapacity, 64 * initialCapacity, 1024), initialCapacity);
    table.maxStringBytes = Math.min(maxStringBytes, MAX_ID);
    return table;
  }

  /** A read-only table over stored columns (the facts cache). */
  static fromColumns(columns: EntryColumns): EntryTable {
    return new EntryTable(columns, columns.count);
  }

  get length(): number {
    return this.c.count;
  }

  add(header: TarHeader): number {
    const c = this.c;
    const i = c.count;
    if (i === this.capacity) this.grow();
    const columns = this.c;
    const pathEnd = this.writeString('path', header.path);
    const linkEnd = header.linkname === '' ? this.linkUsed : this.writeString('link', header.linkname);
    columns.pathOffsets[i + 1] = pathEnd;
    columns.linkOffsets[i + 1] = linkEnd;
    columns.types[i] = TYPE_CODE[header.type];
    columns.modes[i] = header.mode;
    columns.uids[i] = header.uid > MAX_ID ? MAX_ID : header.uid;
    columns.gids[i] = header.gid > MAX_ID ? MAX_ID : header.gid;
    columns.sizes[i] = header.size;
    columns.mtimes[i] = header.mtime;
    columns.count = i + 1;
    return i;
  }

  /**
   * The columns cut to their used length. Views, not copies: copying a million-entry table
   * would double the scan's peak memory for a moment, to save at most the growth slack.
   */
  seal(): EntryColumns {
    const c = this.c;
    const n = c.count;
    this.c = {
      count: n,
      pathOffsets: c.pathOffsets.subarray(0, n + 1),
      linkOffsets: c.linkOffsets.subarray(0, n + 1),
      types: c.types.subarray(0, n),
      modes: c.modes.subarray(0, n),
      uids: c.uids.subarray(0, n),
      gids: c.gids.subarray(0, n),
      sizes: c.sizes.subarray(0, n),
      mtimes: c.mtimes.subarray(0, n),
      pathBytes: c.pathBytes.subarray(0, this.pathUsed),
      linkBytes: c.linkBytes.subarray(0, this.linkUsed),
    };
    this.capacity = n;
    return this.c;
  }

  /** Read access to the raw columns (for indexes and the cache writer). Do not mutate. */
  get columns(): EntryColumns {
    return this.c;
  }

  path(i: number): string {
    const o = this.c.pathOffsets;
    return this.c.pathBytes.toString('utf8', o[i], o[i + 1]);
  }

  linkname(i: number): string {
    const o = this.c.linkOffsets;
    const start = o[i] as number;
    const end = o[i + 1] as number;
    return start === end ? '' : this.c.linkBytes.toString('utf8', start, end);
  }

  typeCode(i: number): number {
    return this.c.types[i] as number;
  }

  type(i: number): EntryType {
    return TYPES[this.c.types[i] as number] ?? 'other';
  }

  size(i: number): number {
    return this.c.sizes[i] as number;
  }

  header(i: number): TarHeader {
    const c = this.c;
    return {
      path: this.path(i),
      type: this.type(i),
      size: c.sizes[i] as number,
      mode: c.modes[i] as number,
      uid: c.uids[i] as number,
      gid: c.gids[i] as number,
      mtime: c.mtimes[i] as number,
      linkname: this.linkname(i),
    };
  }

  private writeString(which: 'path' | 'link', value: string): number {
    const used = which === 'path' ? this.pathUsed : this.linkUsed;
    let bytes = which === 'path' ? this.c.pathBytes : this.c.linkBytes;
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const worst = used + value.length * 3;
    if (worst > bytes.length) {
      bytes = this.growBytes(bytes, worst);
      if (which === 'path') this.c.pathBytes = bytes;
      else this.c.linkBytes = bytes;
    }
    const end = used + bytes.write(value, used, 'utf8');
    if (this.pathUsed + this.linkUsed + (end - used) > this.maxStringBytes) {
      throw new CeranaError(
        'LIMIT',
        `layer paths and link targets exceed ${this.maxStringBytes} bytes (after ${this.c.count} entries)`,
        { hint: 'raise maxPathBytesPerLayer if this layer is trusted' },
      );
    }
    if (which === 'path') this.pathUsed = end;
    else this.linkUsed = end;
    return end;
  }

  /**
   * Columns and byte tables grow fourfold. Capacity never written is never resident (large
   * buffers are fresh mappings), while every outgrown buffer stays resident until a full
   * collection: with doubling, the million-file layer peaked 25 MB higher.
   */
  private growBytes(bytes: Buffer, needed: number): Buffer {
    let size = Math.max(bytes.length * 4, 1024);
    while (size < needed) size *= 4;
    // Growth stops at the offset columns' 4 GiB range (unless one string needs more).
    const grown = Buffer.allocUnsafe(Math.min(size, Math.max(needed, MAX_ID)));
    bytes.copy(grown, 0, 0, bytes.length);
    return grown;
  }

  /** See growBytes. */
  private grow(): void {
    const c = this.c;
    const capacity = this.capacity * 4;
    const next = allocate(capacity, 0, 0);
    next.pathOffsets.set(c.pathOffsets);
    next.linkOffsets.set(c.linkOffsets);
    next.types.set(c.types);
    next.modes.set(c.modes);
    next.uids.set(c.uids);
    next.gids.set(c.gids);
    next.sizes.set(c.sizes);
    next.mtimes.set(c.mtimes);
    next.count = c.count;
    next.pathBytes = c.pathBytes;
    next.linkBytes = c.linkBytes;
    this.c = next;
    this.capacity = capacity;
  }
}

function allocate(capacity: number, pathBytes: number, linkBytes: number): EntryColumns {
  return {
    count: 0,
    pathOffsets: new Uint32Array(capacity + 1),
    linkOffsets: new Uint32Array(capacity + 1),
    types: new Uint8Array(capacity),
    modes: new Uint32Array(capacity),
    uids: new Uint32Array(capacity),
    gids: new Uint32Array(capacity),
    sizes: new Float64Array(capacity),
    mtimes: new Float64Array(capacity),
    pathBytes: Buffer.allocUnsafe(pathBytes),
    linkBytes: Buffer.allocUnsafe(linkBytes),
  };
}
