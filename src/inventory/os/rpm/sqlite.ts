/**
 * Reads one table of an SQLite database file held in memory: enough of the file format
 * (https://www.sqlite.org/fileformat.html) to walk a rowid table's b-tree and decode its records.
 * rpm's `rpmdb.sqlite` keeps each header as a blob in table `Packages`; reading it this way
 * needs no native module and works on the bytes the layer scanner already holds.
 *
 * Every page number, cell offset and payload length is checked; cycles and excessive depth are
 * errors. A database in WAL mode is read as of its last checkpoint (the `-wal` file is not applied).
 */

export type SqliteValue = null | number | bigint | string | Buffer;

export class SqliteFormatError extends Error {}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const LEAF_TABLE = 0x0d;
const INTERIOR_TABLE = 0x05;
const MAX_DEPTH = 64;

export function isSqlite(data: Buffer): boolean {
  return data.length >= 16 && data.subarray(0, 16).equals(MAGIC);
}

export class SqliteFile {
  private readonly pageSize: number;
  private readonly usable: number;
  private readonly pageCount: number;

  constructor(private readonly data: Buffer) {
    if (!isSqlite(data)) throw new SqliteFormatError('not an SQLite 3 database');
    if (data.length < 100)
      throw new SqliteFormatError(`truncated: ${data.length} bytes is less than a header`);
    const raw = data.readUInt16BE(16);
    this.pageSize = raw === 1 ? 65536 : raw;
    if (this.pageSize < 512 || (this.pageSize & (this.pageSize - 1)) !== 0) {
      throw new SqliteFormatError(`invalid page size ${raw}`);
    }
    this.usable = this.pageSize - (data[20] as number);
    if (this.usable < 480) throw new SqliteFormatError('reserved space leaves pages too small');
    if (data.readUInt32BE(56) > 1) throw new SqliteFormatError('text encoding is not UTF-8');
    this.pageCount = Math.floor(data.length / this.pageSize);
  }

  /** Root page of a table, from the schema table on page 1. */
  tableRoot(name: string): number | undefined {
    for (const { values } of this.rows(1)) {
      if (values[0] === 'table' && values[1] === name && typeof values[3] === 'number') return values[3];
    }
    return undefined;
  }

  /** Every row of the table whose b-tree starts at `root`, in rowid order. */
  *rows(root: number): Generator<{ rowid: bigint; values: SqliteValue[] }> {
    const seen = new Set<number>();
    const stack: { page: number; depth: number }[] = [{ page: root, depth: 0 }];
    while (stack.length > 0) {
      const { page, depth } = stack.pop() as { page: number; depth: number };
      if (depth > MAX_DEPTH) throw new SqliteFormatError('b-tree is deeper than any real database');
      const base = this.pageOffset(page);
      if (seen.has(page)) throw new SqliteFormatError(`page ${page} is linked twice`);
      seen.add(page);
      const header = page === 1 ? base + 100 : base;
      const type = this.data[header];
      const cells = this.data.readUInt16BE(header + 3);
      if (type === INTERIOR_TABLE) {
        const pointers = header + 12;
        this.checkRange(pointers, cells * 2, page);
        // Children pushed right to left so that the leftmost is read first.
        stack.push({ page: this.data.readUInt32BE(header + 8), depth: depth + 1 });
        for (let i = cells - 1; i >= 0; i--) {
          const cell = base + this.data.readUInt16BE(pointers + i * 2);
          this.checkRange(cell, 4, page);
          stack.push({ page: this.data.readUInt32BE(cell), depth: depth + 1 });
        }
      } else if (type === LEAF_TABLE) {
        const pointers = header + 8;
        this.checkRange(pointers, cells * 2, page);
        for (let i = 0; i < cells; i++) {
          yield this.leafCell(page, base + this.data.readUInt16BE(pointers + i * 2));
        }
      } else {
        throw new SqliteFormatError(`page ${page} is not a table b-tree page (type ${type})`);
      }
    }
  }

  private leafCell(page: number, offset: number): { rowid: bigint; values: SqliteValue[] } {
    this.checkRange(offset, 1, page);
    const [payloadSize, afterSize] = this.varint(offset, page);
    const [rowid, afterRowid] = this.varint(afterSize, page);
    const payload = this.payload(page, afterRowid, Number(payloadSize));
    return { rowid, values: decodeRecord(payload) };
  }

  /** A cell's payload: the part on the page, then the overflow chain. */
  private payload(page: number, start: number, size: number): Buffer {
    const u = this.usable;
    const maxLocal = u - 35;
    let local = size;
    if (size > maxLocal) {
      const minLocal = Math.floor(((u - 12) * 32) / 255) - 23;
      const k = minLocal + ((size - minLocal) % (u - 4));
      local = k <= maxLocal ? k : minLocal;
    }
    this.checkRange(start, local, page);
    if (local === size) return this.data.subarray(start, start + size);
    const parts: Buffer[] = [this.data.subarray(start, start + local)];
    let remaining = size - local;
    this.checkRange(start + local, 4, page);
    let next = this.data.readUInt32BE(start + local);
    const seen = new Set<number>();
    while (remaining > 0) {
      if (next === 0 || seen.has(next)) throw new SqliteFormatError('overflow chain is broken');
      seen.add(next);
      const base = this.pageOffset(next);
      const take = Math.min(remaining, u - 4);
      parts.push(this.data.subarray(base + 4, base + 4 + take));
      remaining -= take;
      next = this.data.readUInt32BE(base);
    }
    return Buffer.concat(parts, size);
  }

  private pageOffset(page: number): number {
    if (!Number.isInteger(page) || page < 1 || page > this.pageCount) {
      throw new SqliteFormatError(`page ${page} is outside the file (${this.pageCount} pages)`);
    }
    return (page - 1) * this.pageSize;
  }

  private checkRange(offset: number, length: number, page: number): void {
    const base = (page - 1) * this.pageSize;
    if (offset < base || offset + length > base + this.pageSize) {
      throw new SqliteFormatError(`page ${page} points outside itself`);
    }
  }

  private varint(offset: number, page: number): [bigint, number] {
    const [value, next] = readVarint(this.data, offset);
    this.checkRange(offset, next - offset, page);
    return [value, next];
  }
}

/** SQLite's big-endian varint: 1–9 bytes, 7 bits each, the ninth byte contributing all 8. */
function readVarint(data: Buffer, offset: number): [bigint, number] {
  let value = 0n;
  for (let i = 0; i < 9; i++) {
    const byte = data[offset + i];
    if (byte === undefined) throw new SqliteFormatError('varint runs past the data');
    if (i === 8) return [(value << 8n) | BigInt(byte), offset + 9];
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) return [value, offset + i + 1];
  }
  throw new SqliteFormatError('unreachable varint state');
}

/** A record: a header of serial types, then the values they describe. */
export function decodeRecord(payload: Buffer): SqliteValue[] {
  const [headerSize, afterSize] = readVarint(payload, 0);
  const headerEnd = Number(headerSize);
  if (headerEnd > payload.length || headerEnd < afterSize) throw new SqliteFormatError('bad record header');
  const types: bigint[] = [];
  for (let at = afterSize; at < headerEnd; ) {
    const [type, next] = readVarint(payload, at);
    types.push(type);
    at = next;
  }
  const values: SqliteValue[] = [];
  let at = headerEnd;
  for (const type of types) {
    const size = serialSize(type);
    if (at + size > payload.length) throw new SqliteFormatError('record value runs past its payload');
    values.push(serialValue(type, payload, at, size));
    at += size;
  }
  return values;
}

function serialSize(type: bigint): number {
  if (type >= 12n) return Number((type - 12n) / 2n);
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][Number(type)] as number;
}

function serialValue(type: bigint, data: Buffer, at: number, size: number): SqliteValue {
  if (type === 0n) return null;
  if (type === 8n) return 0;
  if (type === 9n) return 1;
  if (type === 7n) return data.readDoubleBE(at);
  if (type === 10n || type === 11n) throw new SqliteFormatError(`reserved serial type ${type}`);
  if (type < 7n) {
    if (size < 8) return data.readIntBE(at, size);
    const value = data.readBigInt64BE(at);
    const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
    return safe ? Number(value) : value;
  }
  const bytes = data.subarray(at, at + size);
  return type % 2n === 0n ? bytes : bytes.toString('utf8');
}
