/**
 * Growable byte writer and bounds-checked reader for the binary recording format: LEB128
 * varints (numbers up to 2^53), zigzag for signed values, 64-bit little-endian for bigints.
 */

export class ByteWriter {
  private buf: Buffer;
  pos = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  uvarint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  svarint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(v, this.pos);
    this.pos += 8;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  utf8(s: string): void {
    const max = s.length * 3;
    this.ensure(max);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** The bytes written so far, copied out; the writer starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  reset(): void {
    this.pos = 0;
  }
}

export class TruncatedError extends Error {}

export class ByteReader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** Points the reader at another range, so one reader serves every record. */
  reset(buf: Buffer, start: number, end: number): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  u8(): number {
    if (this.pos >= this.end) throw new TruncatedError('record ends early');
    return this.buf[this.pos++] as number;
  }

  uvarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new TruncatedError('varint longer than 8 bytes');
  }

  svarint(): number {
    const v = this.uvarint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  i64(): bigint {
    if (this.pos + 8 > this.end) throw new TruncatedError('record ends early');
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  f64(): number {
    if (this.pos + 8 > this.end) throw new TruncatedError('record ends early');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new TruncatedError('record ends early');
    const out = new Uint8Array(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  utf8(n: number): string {
    if (this.pos + n > this.end) throw new TruncatedError('record ends early');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}
