import type { Readable } from 'node:stream';

const EMPTY = Buffer.alloc(0);

/**
 * Pull-style reading of a streamed file body: exact reads, skips and peeks over whatever chunk
 * sizes the layer reader delivers. Streaming catalogers (ELF binaries, jars) parse with it.
 */
export class ByteReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private done = false;
  /** Bytes consumed so far (read or skipped): the file offset of the next byte. */
  position = 0;

  constructor(source: AsyncIterable<Buffer> | Readable) {
    this.iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** Exactly n bytes, or fewer when the file ends first. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const take = Math.min(n, this.bufferedBytes);
    const out = this.take(take);
    this.position += take;
    return out;
  }

  /** The next n bytes (fewer at the end) without consuming them. */
  async peek(n: number): Promise<Buffer> {
    await this.fill(n);
    const take = Math.min(n, this.bufferedBytes);
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered, this.bufferedBytes)];
    return (this.buffered[0] ?? EMPTY).subarray(0, take);
  }

  /** Skips n bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      if (this.bufferedBytes === 0 && !(await this.pull())) break;
      const take = Math.min(n - skipped, this.bufferedBytes);
      this.take(take);
      skipped += take;
    }
    this.position += skipped;
    return skipped;
  }

  /** The rest of the file, chunk by chunk, consumed as it is yielded. */
  async *rest(): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.bufferedBytes === 0 && !(await this.pull())) return;
      const chunk = this.take(this.bufferedBytes);
      this.position += chunk.length;
      yield chunk;
    }
  }

  /**
   * The first buffered chunk, without pulling more (empty when nothing is buffered): a parser
   * takes a synchronous path while what it needs lies in it, and awaits only at chunk seams.
   */
  headNow(): Buffer {
    return this.buffered[0] ?? EMPTY;
  }

  /** Consumes n bytes of headNow() (n at most its length). */
  skipNow(n: number): void {
    this.take(n);
    this.position += n;
  }

  /** True once every byte has been consumed. */
  async atEnd(): Promise<boolean> {
    return this.bufferedBytes === 0 && !(await this.pull());
  }

  private async fill(n: number): Promise<void> {
    while (this.bufferedBytes < n && (await this.pull())) {}
  }

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const chunk = next.value;
    if (chunk.length > 0) {
      this.buffered.push(chunk);
      this.bufferedBytes += chunk.length;
    }
    return true;
  }

  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.buffered[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.buffered.shift();
      else this.buffered[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.buffered, this.bufferedBytes);
      out = joined.subarray(0, n);
      this.buffered = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.bufferedBytes -= n;
    return out;
  }
}

export class TooLargeError extends Error {}

/** The whole body, refusing (before holding it all) anything over `limit` bytes. */
export async function readAll(source: AsyncIterable<Buffer> | Readable, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new TooLargeError(`larger than the ${limit}-byte limit for this kind of file`);
    parts.push(chunk);
  }
  return Buffer.concat(parts, total);
}
