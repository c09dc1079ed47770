/**
 * Where an OCI image layout's files live: a directory (`oci:`) or a tar of one (`oci-archive:`,
 * and the OCI half of newer `docker save` archives). The layout logic reads through this
 * interface only, so both are read the same way and neither is ever extracted.
 */
import { constants, createReadStream } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { digestAlgorithm, digestHex } from '../../../common/digest.js';
import { CeranaError } from '../../../common/errors.js';
import { type ArchiveIndex, READ_CHUNK } from '../archive-index.js';

export interface BlobStore {
  /** Names the layout in messages. */
  readonly location: string;
  /** A top-level file (`index.json`, `oci-layout`), or undefined when absent. */
  readFile(name: string, max: number): Promise<Buffer | undefined>;
  /** Size of a blob, or undefined when the layout lacks it. */
  blobSize(digest: string): Promise<number | undefined>;
  readBlob(digest: string, max: number): Promise<Buffer>;
  openBlob(digest: string): Readable;
}

function blobPath(digest: string): string {
  // digestHex validates the digest, so the name cannot carry path separators.
  return `blobs/${digestAlgorithm(digest)}/${digestHex(digest)}`;
}

function tooLarge(what: string, max: number): CeranaError {
  return new CeranaError('LIMIT', `${what} is larger than ${max} bytes`);
}

function missingBlob(digest: string, location: string): CeranaError {
  return new CeranaError('INPUT', `blob ${digest} is missing from ${location}`, {
    hint: 'the image layout is incomplete',
  });
}

async function readRegularFile(path: string, what: string, max: number): Promise<Buffer | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // Neither a symlink out of the layout nor a FIFO that would block the read.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CeranaError('INPUT', `cannot read ${what}: ${(error as NodeJS.ErrnoException).code}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new CeranaError('INPUT', `${what} is not a regular file`);
    if (stats.size > max) throw tooLarge(what, max);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export class DirectoryStore implements BlobStore {
  constructor(readonly root: string) {}

  get location(): string {
    return `image layout ${this.root}`;
  }

  readFile(name: string, max: number): Promise<Buffer | undefined> {
    return readRegularFile(join(this.root, name), `${name} of ${this.location}`, max);
  }

  async blobSize(digest: string): Promise<number | undefined> {
    try {
      const stats = await lstat(join(this.root, blobPath(digest)));
      return stats.isFile() ? stats.size : undefined;
    } catch {
      return undefined;
    }
  }

  async readBlob(digest: string, max: number): Promise<Buffer> {
    const data = await readRegularFile(join(this.root, blobPath(digest)), `blob ${digest}`, max);
    if (!data) throw missingBlob(digest, this.location);
    return data;
  }

  openBlob(digest: string): Readable {
    return createReadStream(join(this.root, blobPath(digest)), { highWaterMark: READ_CHUNK });
  }
}

export class ArchiveStore implements BlobStore {
  constructor(private readonly archive: ArchiveIndex) {}

  get location(): string {
    return `archive ${this.archive.path}`;
  }

  async readFile(name: string, max: number): Promise<Buffer | undefined> {
    if (!this.archive.has(name)) return undefined;
    return this.archive.read(name, name, max);
  }

  async blobSize(digest: string): Promise<number | undefined> {
    const name = blobPath(digest);
    return this.archive.has(name) ? this.archive.entry(name, 'blob').size : undefined;
  }

  async readBlob(digest: string, max: number): Promise<Buffer> {
    const name = blobPath(digest);
    if (!this.archive.has(name)) throw missingBlob(digest, this.location);
    return this.archive.read(name, `blob ${digest}`, max);
  }

  openBlob(digest: string): Readable {
    const name = blobPath(digest);
    if (!this.archive.has(name)) {
      const stream = new Readable({ read() {} });
      stream.destroy(missingBlob(digest, this.location));
      return stream;
    }
    return this.archive.stream(this.archive.entry(name, 'blob'));
  }
}
