import { createHash } from 'node:crypto';
import type {
  Fact,
  FileVisitor,
  ImageFiles,
  JsonValue,
  LocatedFact,
  StreamedFile,
} from '../../image/scan/index.js';
import type { TarHeader } from '../../image/types.js';

/** What the file-hash visitor records about one regular file, in every layer. */
export interface FileHash {
  /** Hex SHA-256 of the content; absent when the file is over the hashing cap. */
  sha256?: string;
  /** Starts with the ELF magic `\x7fELF`. */
  elf?: true;
  /** Starts with `#!`. */
  script?: true;
}

export const FILE_HASH_VISITOR = 'file-hash';
export const FILE_HASH_FACT = 'file-hash';

/** Default largest file hashed. Bigger files are still sniffed for their magic, not hashed. */
export const DEFAULT_MAX_HASH_BYTES = 1024 ** 3;

const FORMAT = 1;
const ELF_MAGIC = 0x7f454c46;
const HEAD_BYTES = 4;

export interface FileHashOptions {
  maxHashBytes?: number;
}

/**
 * Hashes every regular file of every layer while the layer streams past (one read, one hash per
 * file), and notes whether it starts with the ELF magic or `#!`. Malware hash lists and the binary
 * portrait both read these facts, so no file is ever read or hashed twice; the facts are cached
 * with the layer, so a cached layer costs nothing.
 */
export class FileHashVisitor implements FileVisitor {
  readonly name = FILE_HASH_VISITOR;
  readonly version: number;
  readonly maxHashBytes: number;

  constructor(options: FileHashOptions = {}) {
    const cap = options.maxHashBytes ?? DEFAULT_MAX_HASH_BYTES;
    if (!Number.isSafeInteger(cap) || cap < 0 || cap >= 2 ** 40) {
      throw new RangeError(`maxHashBytes must be an integer in [0, 2^40), got ${cap}`);
    }
    this.maxHashBytes = cap;
    // The cap changes which facts exist, so it is part of the cache key (exact, below 2^53).
    this.version = FORMAT * 2 ** 40 + cap;
  }

  wants(_path: string, header: TarHeader): 'stream' | false {
    return header.type === 'file' ? 'stream' : false;
  }

  onStream(file: StreamedFile): Promise<Fact[]> {
    const hash = file.header.size <= this.maxHashBytes ? createHash('sha256') : undefined;
    const head = Buffer.alloc(HEAD_BYTES);
    let headFilled = 0;
    const body = file.body;
    return new Promise((resolve, reject) => {
      body.on('data', (chunk: Buffer) => {
        if (headFilled < HEAD_BYTES) headFilled += chunk.copy(head, headFilled, 0, HEAD_BYTES - headFilled);
        hash?.update(chunk);
      });
      body.once('error', reject);
      body.once('end', () => {
        const data: Record<string, JsonValue> = {};
        if (hash !== undefined) data.sha256 = hash.digest('hex');
        if (headFilled === HEAD_BYTES && head.readUInt32BE(0) === ELF_MAGIC) data.elf = true;
        else if (headFilled >= 2 && head[0] === 0x23 && head[1] === 0x21) data.script = true;
        resolve([{ kind: FILE_HASH_FACT, data }]);
      });
    });
  }
}

/** A file's hash facts, looked up by the layer and path of the entry holding its content. */
export class FileHashes {
  private readonly byLocation = new Map<string, FileHash>();

  constructor(readonly facts: readonly LocatedFact[]) {
    for (const fact of facts) {
      if (fact.kind === FILE_HASH_FACT)
        this.byLocation.set(key(fact.layerIndex, fact.path), fact.data as FileHash);
    }
  }

  /** Every fact, including files a later layer deleted or replaced. */
  static of(files: ImageFiles, visitor: string = FILE_HASH_VISITOR): FileHashes {
    return new FileHashes(files.facts(visitor, { includeHidden: true }));
  }

  get size(): number {
    return this.byLocation.size;
  }

  at(layerIndex: number, path: string): FileHash | undefined {
    return this.byLocation.get(key(layerIndex, path));
  }
}

function key(layerIndex: number, path: string): string {
  return `${layerIndex}\0${path}`;
}
