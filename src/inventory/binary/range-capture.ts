/**
 * Keeps one byte range of a file as its chunks stream past, for parsers that learn where
 * something is before (or while) it goes by. Chunks must be offered in file order.
 */
export class RangeCapture {
  readonly data: Buffer;
  /** Bytes [start, start + filled) have been captured. */
  filled = 0;

  constructor(
    readonly start: number,
    length: number,
  ) {
    this.data = Buffer.alloc(Math.max(0, length));
  }

  get end(): number {
    return this.start + this.data.length;
  }

  get complete(): boolean {
    return this.filled >= this.data.length;
  }

  /** Takes what it needs from a chunk that starts at file offset `at`. */
  offer(chunk: Buffer, at: number): void {
    const from = Math.max(this.start + this.filled, at);
    const to = Math.min(this.end, at + chunk.length);
    if (to <= from) return;
    chunk.copy(this.data, from - this.start, from - at, to - at);
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
