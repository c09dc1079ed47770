import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type DigestAlgorithm, digestAlgorithm } from '../../common/digest.js';
import { CeranaError } from '../../common/errors.js';
import { createStreamHash, type StreamHash } from '../../common/stream-hash.js';

function digestOf(algorithm: DigestAlgorithm, data: Buffer): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Where altered content came from, for the hint of a mismatch. */
export type ContentOrigin = 'registry' | 'file';

const ALTERED: Record<ContentOrigin, string> = {
  registry: 'the registry or something between it and us altered the content',
  file: 'the image is damaged or was altered',
};

export interface VerifyOptions {
  /** The digest the content must hash to. */
  digest: string;
  /** Exact size the descriptor declares, or -1 when unknown. */
  size: number;
  /** Hard cap whatever the descriptor claims. */
  maxBytes: number;
  /** Names the content in errors: `layer sha256:...`. */
  what: string;
  origin: ContentOrigin;
  onBytes?: (bytes: number) => void;
}

/**
 * Hashes what flows through and fails at end-of-stream when the digest or size is wrong, so a
 * consumer that reads to the end always sees the error instead of silently accepting the data.
 * Content that grows past its declared size fails as soon as it does. Large content is hashed
 * on another core (see stream-hash.ts).
 */
export class DigestVerifier extends Transform {
  private readonly hash: StreamHash;
  private readonly algorithm: DigestAlgorithm;
  private received = 0;
  private digested = false;

  constructor(private readonly options: VerifyOptions) {
    super();
    this.algorithm = digestAlgorithm(options.digest, 'expected digest');
    this.hash = createStreamHash(this.algorithm, options.size);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    const { size, maxBytes, what } = this.options;
    if (size >= 0 && this.received > size) {
      callback(
        new CeranaError(
          'DIGEST_MISMATCH',
          `${what} is larger than the ${size} bytes its descriptor declares`,
        ),
      );
      return;
    }
    if (this.received > maxBytes) {
      callback(new CeranaError('LIMIT', `${what} is larger than the limit of ${maxBytes} bytes`));
      return;
    }
    this.options.onBytes?.(chunk.length);
    const hashing = this.hash.update(chunk);
    if (hashing === undefined) callback(null, chunk);
    else hashing.then(() => callback(null, chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    const { size, digest, what, origin } = this.options;
    if (size >= 0 && this.received !== size) {
      callback(
        new CeranaError(
          'DIGEST_MISMATCH',
          `${what} has ${this.received} bytes, its descriptor declares ${size}`,
          { hint: `truncated or altered content: ${ALTERED[origin]}` },
        ),
      );
      return;
    }
    this.digested = true;
    this.hash.digest().then((hex) => {
      const actual = `${this.algorithm}:${hex}`;
      if (actual === digest) callback();
      else {
        callback(
          new CeranaError('DIGEST_MISMATCH', `${what} does not match its digest: got ${actual}`, {
            hint: ALTERED[origin],
          }),
        );
      }
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.digested) this.hash.abandon();
    callback(error);
  }
}

/** Checks bytes already in memory (manifests, configs) against their digest. */
export function verifyBytes(data: Buffer, digest: string, what: string, origin: ContentOrigin): void {
  const actual = digestOf(digestAlgorithm(digest, 'expected digest'), data);
  if (actual !== digest) {
    throw new CeranaError('DIGEST_MISMATCH', `${what} does not match its digest ${digest}: got ${actual}`, {
      hint: ALTERED[origin],
    });
  }
}
