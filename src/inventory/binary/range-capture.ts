/**
 * Keeps one byte range of a file as its chunks stream past, for parsers that learn where
 * something is before (or while) it goes by. Chunks must be offered in file order (overlaps
 * are fine). It holds views of the offered chunks where they are mostly wanted (the layer
 * reader's chunks are fresh buffers from Node streams, never refilled), and copies small
 * pieces: a view of 64 bytes keeps its whole megabyte chunk alive, and a few hundred such
 * candidates per binary kept the garbage collector busy for nothing.
 */
export class RangeCapture {
  /** Bytes [start, start + filled) have been captured. */
  filled = 0;
  private parts: Buffer[] = [];
  private joined: Buffer | undefined;

  constructor(
    readonly start: number,
    readonly length: number,
  ) {}

  get end(): number {
    return this.start + this.length;
  }

  get complete(): boolean {
    return this.filled >= this.length;
  }

  /** The bytes captured so far. */
  get data(): Buffer {
    if (this.joined === undefined || this.joined.length !== this.filled) {
      this.joined = Buffer.concat(this.parts, this.filled);
      this.parts = [this.joined];
    }
    return this.joined;
  }

  /** Takes what it needs from a chunk that starts at file offset `at`. */
  offer(chunk: Buffer, at: number): void {
    const from = Math.max(this.start + this.filled, at);
    const to = Math.min(this.end, at + chunk.length);
    if (to <= from || from !== this.start + this.filled) return;
    const part = chunk.subarray(from - at, to - at);
    this.parts.push(part.length * 2 < chunk.length ? Buffer.from(part) : part);
    this.filled = to - this.start;
  }

  /** The captured bytes [offset, offset + length), if they are all here. */
  slice(offset: number, length: number): Buffer | undefined {
    if (offset < this.start || offset + length > this.start + this.filled) return undefined;
    return this.data.subarray(offset - this.start, offset - this.start + length);
  }
}

/** The first capture holding the whole range. */
export function findRange(
  captures: Iterable<RangeCapture>,
  offset: number,
  length: number,
): Buffer | undefined {
  for (const capture of captures) {
    const bytes = capture.slice(offset, length);
    if (bytes !== undefined) return bytes;
  }
  return undefined;
}
