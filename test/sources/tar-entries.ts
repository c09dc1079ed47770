/**
 * Lists a tar stream's entries (path, type, size, mode, link target, content hash), so tests
 * can compare what different sources yield for the same layer, byte for byte.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  BLOCK,
  decodeHeader,
  isZeroBlock,
  paddingFor,
  parsePax,
} from '../../src/image/source/tar-headers.js';

export interface TarEntryInfo {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  /** sha256 of the content, for files. */
  sha256?: string;
}

const TYPES: Record<string, TarEntryInfo['type']> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

/** Pulls exact byte counts out of a chunked stream without copying more than needed. */
class Bytes {
  private chunks: Buffer[] = [];
  private available = 0;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(stream: Readable) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async fill(n: number): Promise<boolean> {
    while (this.available < n) {
      const next = await this.iterator.next();
      if (next.done) return false;
      this.chunks.push(next.value);
      this.available += next.value.length;
    }
    return true;
  }

  /** Feeds `n` bytes to `sink` (or drops them); false at a premature end. */
  async consume(n: number, sink?: (chunk: Buffer) => void): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill(1))) return false;
      const head = this.chunks[0] as Buffer;
      const take = Math.min(left, head.length);
      sink?.(head.subarray(0, take));
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
      this.available -= take;
      left -= take;
    }
    return true;
  }

  async read(n: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    return (await this.consume(n, (chunk) => parts.push(chunk))) ? Buffer.concat(parts, n) : undefined;
  }

  async drain(): Promise<void> {
    while (!(await this.iterator.next()).done) {
      // Reading to the end lets digest and diffId checks in the stream run.
    }
  }
}

function clean(path: string): string {
  return path
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
}

export async function listTarEntries(
  stream: Readable,
  options: { hash?: boolean } = {},
): Promise<TarEntryInfo[]> {
  const bytes = new Bytes(stream);
  const entries: TarEntryInfo[] = [];
  let pax: Map<string, string> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await bytes.read(BLOCK);
    if (!block || isZeroBlock(block)) break;
    const header = decodeHeader(block, `after ${entries.length} entries`);
    const extension = ['x', 'g', 'L', 'K'].includes(header.typeflag);
    const size = pax?.has('size') && !extension ? Number(pax.get('size')) : header.size;
    if (extension) {
      const body = await bytes.read(size);
      if (!body) throw new Error('truncated extension header');
      await bytes.consume(paddingFor(size));
      if (header.typeflag === 'x') pax = parsePax(body);
      if (header.typeflag === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
      if (header.typeflag === 'K') longLink = body.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    const hash = options.hash !== false ? createHash('sha256') : undefined;
    const type = TYPES[header.typeflag] ?? 'other';
    if (!(await bytes.consume(size, type === 'file' && hash ? (chunk) => hash.update(chunk) : undefined))) {
      throw new Error('truncated tar stream');
    }
    await bytes.consume(paddingFor(size));
    const entry: TarEntryInfo = {
      path: clean(pax?.get('path') ?? longName ?? header.name),
      type,
      size,
      mode: header.mode & 0o7777,
      uid: Number(pax?.get('uid') ?? header.uid),
      gid: Number(pax?.get('gid') ?? header.gid),
      linkname: pax?.get('linkpath') ?? longLink ?? header.linkname,
    };
    if (type === 'hardlink') entry.linkname = clean(entry.linkname);
    if (type === 'file' && hash) entry.sha256 = hash.digest('hex');
    entries.push(entry);
    pax = undefined;
    longName = undefined;
    longLink = undefined;
  }
  await bytes.drain();
  return entries;
}
