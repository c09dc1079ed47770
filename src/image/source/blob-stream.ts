/**
 * Turning a stored blob into what `Layer.open()` promises: checked against its digest where
 * the format names one, then decompressed according to what its first bytes say.
 */
import { createHash, type Hash } from 'node:crypto';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { assertDigest } from '../../common/digest.js';
import { CeranaError } from '../../common/errors.js';
import { decompressLayer, sniffCompression } from '../decompress.js';
import { MediaType } from '../manifest.js';

/** The OCI layer media type for what a stored blob's first bytes show it is. */
export function sniffLayerMediaType(head: Buffer): string {
  const compression = sniffCompression(head);
  if (compression === 'gzip') return MediaType.ociLayerGzip;
  if (compression === 'zstd') return MediaType.ociLayerZstd;
  return MediaType.ociLayer;
}

function algorithmOf(digest: string): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

function mismatch(what: string, digest: string, actual: string): CeranaError {
  return new CeranaError('DIGEST_MISMATCH', `${what} does not match its digest ${digest}`, {
    hint: `its content hashes to ${actual}: the image is damaged or was altered`,
  });
}

/**
 * Hashes what flows through; at the end of the stream a wrong size or digest becomes an
 * error, so a consumer that reads to the end can never take altered content for good.
 */
class DigestCheck extends Transform {
  private readonly hash: Hash;
  private received = 0;

  constructor(
    private readonly digest: string,
    private readonly size: number,
    private readonly what: string,
  ) {
    super();
    assertDigest(digest, what);
    this.hash = createHash(algorithmOf(digest));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.size >= 0 && this.received !== this.size) {
      callback(
        new CeranaError('DIGEST_MISMATCH', `${this.what} has ${this.received} bytes, ${this.size} expected`),
      );
      return;
    }
    const actual = `${algorithmOf(this.digest)}:${this.hash.digest('hex')}`;
    callback(actual === this.digest ? null : mismatch(this.what, this.digest, actual));
  }
}

export function verifyBytes(data: Buffer, digest: string, what: string): void {
  assertDigest(digest, what);
  const actual = `${algorithmOf(digest)}:${createHash(algorithmOf(digest)).update(data).digest('hex')}`;
  if (actual !== digest) throw mismatch(what, digest, actual);
}

export interface LayerBlob {
  /** Digest the stored blob is named by, if the format names one. */
  digest?: string;
  /** The layer's diffId: the scanner hashes the decompressed tar against it. */
  diffId: string;
  size: number;
  mediaType: string;
  what: string;
}

/**
 * Chains raw blob → digest check → decompression. An uncompressed blob named by its diffId
 * is not hashed here: the scanner hashes the very same bytes against the diffId, and a second
 * hash of a gigabyte layer is pure cost. Errors anywhere surface on the returned stream, and
 * destroying it releases the file underneath.
 */
export function openLayerBlob(raw: Readable, blob: LayerBlob): Promise<Readable> {
  let stream = raw;
  if (blob.digest && blob.digest !== blob.diffId) {
    const check = new DigestCheck(blob.digest, blob.size, blob.what);
    pipeline(raw, check, () => {
      // The error reaches the reader through `check`, which pipeline destroys with it.
    });
    stream = check;
  }
  return decompressLayer(stream, { mediaType: blob.mediaType, label: blob.what });
}
