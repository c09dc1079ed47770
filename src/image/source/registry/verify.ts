import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { assertDigest } from '../../../common/digest.js';
import { CeranaError } from '../../../common/errors.js';

export function digestOf(algorithm: 'sha256' | 'sha512', data: Buffer): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

function algorithmOf(digest: string): 'sha256' | 'sha512' {
  assertDigest(digest, 'expected digest');
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

export interface VerifyOptions {
  /** The digest the content must hash to. */
  digest: string;
  /** Exact size the descriptor declares, or -1 when unknown. */
  size: number;
  /** Hard cap whatever the descriptor claims. */
  maxBytes: number;
  /** Names the content in errors: `layer sha256:...`. */
  what: string;
  onBytes?: (bytes: number) => void;
}

/**
 * Hashes what flows through and fails at end-of-stream when the digest or size is wrong, so a
 * consumer that reads to the end always sees the error instead of silently accepting the data.
 * Content that grows past its declared size fails as soon as it does.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private readonly algorithm: 'sha256' | 'sha512';
  private received = 0;

  constructor(private readonly options: VerifyOptions) {
    super();
    this.algorithm = algorithmOf(options.digest);
    this.hash = createHash(this.algorithm);
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
    this.hash.update(chunk);
    this.options.onBytes?.(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { size, digest, what } = this.options;
    if (size >= 0 && this.received !== size) {
      callback(
        new CeranaError(
          'DIGEST_MISMATCH',
          `${what} has ${this.received} bytes, its descriptor declares ${size}`,
          {
            hint: 'the registry sent truncated or altered content',
          },
        ),
      );
      return;
    }
    const actual = `${this.algorithm}:${this.hash.digest('hex')}`;
    if (actual !== digest) {
      callback(
        new CeranaError('DIGEST_MISMATCH', `${what} does not match its digest: got ${actual}`, {
          hint: 'the registry or something between it and us altered the content',
        }),
      );
      return;
    }
    callback();
  }
}

/** Checks bytes already in memory (manifests, configs) against their digest. */
export function verifyBytes(data: Buffer, digest: string, what: string): void {
  const actual = digestOf(algorithmOf(digest), data);
  if (actual !== digest) {
    throw new CeranaError('DIGEST_MISMATCH', `${what} does not match its digest ${digest}: got ${actual}`, {
      hint: 'the registry or something between it and us altered the content',
    });
  }
}
