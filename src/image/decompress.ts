import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress as ZstdDecoder } from 'fzstd';
import { CeranaError } from '../common/errors.js';
import { ZstdWalker } from './decompress/zstd-walker.js';

/**
 * Layer blobs come gzip-compressed, zstd-compressed or as plain tar. The magic bytes decide
 * (registries and daemons are known to mislabel media types); the media type only serves to
 * refuse layers we cannot read (encrypted, bzip2/xz) with a clear message.
 */
export type Compression = 'gzip' | 'zstd' | 'none';

export interface DecompressOptions {
  /** The layer's media type, if known. */
  mediaType?: string;
  /** Names the layer in error messages. */
  label?: string;
  /** Largest zstd window accepted (default 128 MiB, the zstd CLI's own default). */
  maxZstdWindowBytes?: number;
  /** Use the pure-JS zstd decoder even when Node has a native one (tests). */
  forcePureJsZstd?: boolean;
}

export const DEFAULT_MAX_ZSTD_WINDOW_BYTES = 128 * 1024 * 1024;

/**
 * Decompressed bytes per chunk handed on. Every chunk is a round trip to zlib's thread and a pass
 * through the tar walker and the visitors: 1 MiB chunks read a gzip image 15% faster than zlib's
 * 16 KiB default or 128 KiB would (bench/inventory), and match the sources' reads (READ_CHUNK).
 * Also the output per pure-JS zstd decoding step, bounding memory on highly compressed data.
 */
export const DECOMPRESSED_CHUNK = 1024 * 1024;

/**
 * A native decoder runs on libuv's pool and may decompress this far ahead of the tar walker.
 * The walker's work comes in bursts (a jar parsed, a Go binary searched): with one chunk of
 * headroom, decompression stopped at every burst and the core it could have used idled.
 */
const DECOMPRESSED_AHEAD = 8 * DECOMPRESSED_CHUNK;

interface DecoderOptions {
  chunkSize: number;
  readableHighWaterMark: number;
}
const DECODER_OPTIONS: DecoderOptions = {
  chunkSize: DECOMPRESSED_CHUNK,
  readableHighWaterMark: DECOMPRESSED_AHEAD,
};

type NativeZstd = (options: DecoderOptions) => Transform;

/** Node ≥ 22.15 has a native streaming zstd decoder; older versions get fzstd. */
const nativeZstd: NativeZstd | undefined = (zlib as unknown as { createZstdDecompress?: NativeZstd })
  .createZstdDecompress;

export function sniffCompression(head: Uint8Array): Compression | 'bzip2' | 'xz' {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a)
    return 'xz';
  return 'none';
}

/** Returns a readable stream of the decompressed tar, whatever the blob's compression. */
export async function decompressLayer(blob: Readable, options: DecompressOptions = {}): Promise<Readable> {
  const label = options.label ?? 'layer';
  const mediaType = options.mediaType ?? '';
  if (/\+encrypted\b/.test(mediaType)) {
    blob.destroy();
    throw new CeranaError('UNSUPPORTED', `${label}: encrypted layers (${mediaType}) cannot be scanned`);
  }
  const head = await peekHead(blob, 6);
  const compression = sniffCompression(head);
  if (compression === 'bzip2' || compression === 'xz') {
    blob.destroy();
    throw new CeranaError('UNSUPPORTED', `${label}: ${compression}-compressed layers are not supported`, {
      hint: 'OCI layers are gzip, zstd or uncompressed tar',
    });
  }
  switch (compression) {
    case 'gzip':
      return decode(blob, zlib.createGunzip(DECODER_OPTIONS), label, 'gzip');
    case 'zstd':
      if (nativeZstd && !options.forcePureJsZstd) {
        // Node's native decoder ends quietly on a truncated stream: the walker checks the framing.
        const framing = zstdFraming(options.maxZstdWindowBytes ?? DEFAULT_MAX_ZSTD_WINDOW_BYTES, label);
        return decode(blob, nativeZstd(DECODER_OPTIONS), label, 'zstd', framing);
      }
      return Readable.from(
        decodeZstd(blob, options.maxZstdWindowBytes ?? DEFAULT_MAX_ZSTD_WINDOW_BYTES, label),
        {
          objectMode: false,
        },
      );
    default:
      // A plain tar is handed on as it is: no extra stream stage for the bulk of the bytes.
      return head.length === 0 ? Readable.from([], { objectMode: false }) : blob;
  }
}

/**
 * Resolves with the first `bytes` bytes (fewer if the stream is shorter; none if it is empty)
 * once they are buffered, and leaves them unread for whoever consumes the stream next.
 */
function peekHead(stream: Readable, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      const head = stream.read(bytes) as Buffer | null;
      if (head === null) return;
      done();
      stream.unshift(head);
      resolve(head);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.alloc(0));
    };
    const onError = (error: Error): void => {
      done();
      reject(error);
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

/** Runs a native decoder; its errors become one clear line, a source's own errors pass through. */
function decode(
  blob: Readable,
  decoder: Transform,
  label: string,
  what: string,
  check?: Transform,
): Readable {
  // zlib reports corrupt data by destroying itself with its own error; translate it on the way.
  const destroy = decoder._destroy.bind(decoder);
  decoder._destroy = (error, callback) => destroy(error, (final) => callback(translate(final ?? error)));
  const translate = (error: Error | null | undefined): Error | null => {
    const code = (error as NodeJS.ErrnoException | null)?.code ?? '';
    if (error && /^(Z_|ZSTD_|ERR_ZSTD)/.test(code)) {
      return new CeranaError('INPUT', `${label}: corrupt ${what} stream: ${error.message}`, {
        cause: error,
        hint: 'the layer blob is incomplete or corrupt; pull or save the image again',
      });
    }
    return error ?? null;
  };
  const done = (): void => {
    // Failures reach the consumer through the decoder, which pipeline destroys with them.
  };
  if (check) pipeline(blob, check, decoder, done);
  else pipeline(blob, decoder, done);
  return decoder;
}

/** Passes a zstd stream through unchanged, failing on oversized windows and on truncation. */
function zstdFraming(maxWindowBytes: number, label: string): Transform {
  const walker = new ZstdWalker(maxWindowBytes, label);
  return new PassThroughCheck(
    (chunk) => walker.cut(chunk, 0, Number.POSITIVE_INFINITY),
    () => (walker.atFrameBoundary ? undefined : truncatedZstd(label)),
  );
}

class PassThroughCheck extends Transform {
  constructor(
    private readonly inspect: (chunk: Buffer) => void,
    private readonly atEnd: () => Error | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.inspect(chunk);
      callback(null, chunk);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.atEnd() ?? null);
  }
}

function truncatedZstd(label: string): CeranaError {
  return new CeranaError('INPUT', `${label}: zstd stream is truncated`, {
    hint: 'the layer blob is incomplete; pull or save the image again',
  });
}

async function* decodeZstd(
  chunks: AsyncIterable<Buffer>,
  maxWindowBytes: number,
  label: string,
): AsyncGenerator<Buffer> {
  const walker = new ZstdWalker(maxWindowBytes, label);
  const produced: Uint8Array[] = [];
  const decoder = new ZstdDecoder((data) => {
    if (data.length > 0) produced.push(data);
  });
  const push = (slice: Uint8Array, final: boolean): void => {
    try {
      decoder.push(slice, final);
    } catch (error) {
      throw new CeranaError('INPUT', `${label}: corrupt zstd stream: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  for await (const chunk of chunks) {
    let start = 0;
    while (start < chunk.length) {
      const end = walker.cut(chunk, start, DECOMPRESSED_CHUNK);
      push(chunk.subarray(start, end), false);
      start = end;
      // fzstd hands out freshly allocated blocks, so they can be wrapped without copying.
      for (const data of produced) yield Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      produced.length = 0;
    }
  }
  if (!walker.atFrameBoundary) throw truncatedZstd(label);
  push(new Uint8Array(0), true);
  for (const data of produced) yield Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
