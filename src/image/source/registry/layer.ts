import { PassThrough, type Readable } from 'node:stream';
import { CeranaError } from '../../../common/errors.js';
import { decompressLayer } from '../../decompress.js';

/**
 * Turns a digest-verifying blob stream into the decompressed tar, such that the tar stream never
 * ends before the whole blob has been read and verified:
 * - a decoder may stop early (a gzip member followed by padding), which would let the consumer
 *   accept content whose digest was never checked; the rest of the blob is drained and verified
 *   before the tar stream ends;
 * - when decoding fails, the blob is drained too, so altered content is reported as the digest
 *   mismatch it is rather than as a corrupt stream.
 * Draining is bounded by the blob's declared size, which the verifier enforces.
 */
export async function verifiedTarStream(blob: Readable, mediaType: string, label: string): Promise<Readable> {
  let blobEnded = false;
  let blobError: Error | undefined;
  let abandoned = false;
  const blobSettled = new Promise<void>((resolve) => {
    blob.once('end', () => {
      blobEnded = true;
      resolve();
    });
    blob.once('close', () => resolve());
  });
  const drainBlob = (): Promise<void> => {
    if (!abandoned && !blobEnded && !blob.destroyed) {
      blob.unpipe();
      blob.resume();
    }
    return blobSettled;
  };
  const abandon = (): void => {
    abandoned = true;
    blob.destroy();
  };

  const feed = new PassThrough();
  // Whatever fails the feed is reported through the blob or the decoder; nothing is lost here.
  feed.on('error', () => {});
  blob.on('error', (error) => {
    blobError ??= error;
    feed.destroy(error);
  });
  // The decoder let go of its input before the end: keep reading so the digest still gets checked.
  feed.once('close', () => void drainBlob());
  blob.pipe(feed);

  let tar: Readable;
  try {
    tar = await decompressLayer(feed, { mediaType, label });
  } catch (error) {
    abandon();
    throw blobError ?? error;
  }

  const out = new PassThrough();
  let settled = false;
  const fail = (error: Error): void => {
    if (settled) return;
    settled = true;
    out.destroy(error);
  };
  tar.pipe(out, { end: false });
  blob.once('error', fail);
  tar.once('error', (tarError) => {
    void drainBlob().then(() => fail(blobError ?? tarError));
  });
  tar.once('end', () => {
    void drainBlob().then(() => {
      if (blobError) fail(blobError);
      else if (!blobEnded) fail(new CeranaError('NETWORK', `${label}: the download stopped before its end`));
      else if (!settled) {
        settled = true;
        out.end();
      }
    });
  });
  out.once('close', () => {
    if (settled) return;
    // The consumer gave up: stop downloading instead of verifying what nobody will read.
    settled = true;
    abandon();
    tar.destroy();
  });
  return out;
}
