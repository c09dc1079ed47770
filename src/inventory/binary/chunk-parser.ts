import { Readable } from 'node:stream';
import {
  ELF_HEADER_BYTES,
  type ElfHeader,
  type ElfSegment,
  isElf,
  parseElfHeader,
  parseSegments,
  programHeadersEnd,
} from './elf.js';

/**
 * A parser fed one file's chunks in order, synchronously: several of them share one pass over
 * a streamed executable. `feed` returns false once the parser needs no more of the file.
 */
export interface ChunkParser {
  feed(chunk: Buffer, at: number): boolean;
}

/** Streams a body through parsers until the file ends or none wants more. */
export async function feedParsers(
  body: Readable | AsyncIterable<Buffer>,
  parsers: readonly ChunkParser[],
): Promise<void> {
  let active = [...parsers];
  let position = 0;
  // Leaving a stream's own iterator early destroys the stream with an AbortError, whose stack
  // Node formats at once: 10 ms of a scan's main thread, over the executables of an image.
  // Stopping early is no error here.
  const stream = body instanceof Readable ? body : undefined;
  const chunks = stream?.iterator({ destroyOnReturn: false }) ?? body;
  for await (const chunk of chunks as AsyncIterable<Buffer>) {
    active = active.filter((parser) => parser.feed(chunk, position));
    position += chunk.length;
    if (active.length === 0) {
      stream?.destroy();
      return;
    }
  }
}

/** Program headers must end within this many bytes (they follow the file header). */
const MAX_PROGRAM_HEADERS_END = 1024 * 1024;

export type ElfStart = { header: ElfHeader; segments: ElfSegment[] } | 'more' | 'not-elf';

/**
 * The ELF header and program headers from a file's first bytes: 'more' while they are not all
 * there yet, 'not-elf' for anything that is not an ELF file these parsers can map.
 */
export function readElfStart(head: Buffer): ElfStart {
  if (head.length < 4) return 'more';
  if (!isElf(head)) return 'not-elf';
  if (head.length < ELF_HEADER_BYTES) return 'more';
  try {
    const header = parseElfHeader(head);
    const end = programHeadersEnd(header);
    if (end > MAX_PROGRAM_HEADERS_END) return 'not-elf';
    if (head.length < end) return 'more';
    return { header, segments: parseSegments(head, header) };
  } catch {
    return 'not-elf';
  }
}

/** Collects a file's first chunks until a parser has the bytes it needs to start. */
export class HeadBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private joined: Buffer | undefined;

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.joined = undefined;
  }

  /** Everything collected so far, as one buffer. */
  get data(): Buffer {
    this.joined ??=
      this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.bytes);
    return this.joined;
  }

  /** The collected chunks with their file offsets, handed back once (the buffer is emptied). */
  drain(): [Buffer, number][] {
    const out: [Buffer, number][] = [];
    let at = 0;
    for (const chunk of this.chunks) {
      out.push([chunk, at]);
      at += chunk.length;
    }
    this.chunks = [];
    this.bytes = 0;
    this.joined = undefined;
    return out;
  }
}
