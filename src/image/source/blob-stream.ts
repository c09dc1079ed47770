/**
 * Turning a stored blob into what `Layer.open()` promises: checked against its digest where
 * the format names one, then decompressed according to what its first bytes say.
 */
import { pipeline, type Readable } from 'node:stream';
import { decompressLayer, sniffCompression } from '../decompress.js';
import { MediaType } from '../manifest.js';
import { DigestVerifier } from './verify.js';

/** The OCI layer media type for what a stored blob's first bytes show it is. */
export function sniffLayerMediaType(head: Buffer): string {
  const compression = sniffCompression(head);
  if (compression === 'gzip') return MediaType.ociLayerGzip;
  if (compression === 'zstd') return MediaType.ociLayerZstd;
  return MediaType.ociLayer;
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
    const check = new DigestVerifier({
      digest: blob.digest,
      size: blob.size,
      maxBytes: Number.POSITIVE_INFINITY,
      what: blob.what,
      origin: 'file',
    });
    pipeline(raw, check, () => {
      // The error reaches the reader through `check`, which pipeline destroys with it.
    });
    stream = check;
  }
  return decompressLayer(stream, { mediaType: blob.mediaType, label: blob.what });
}
