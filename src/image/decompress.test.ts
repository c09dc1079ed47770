import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CeranaError } from '../common/errors.js';
import { decompressLayer, sniffCompression } from './decompress.js';

function source(data: Buffer, chunkSize = 1000): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** A zstd frame built by hand from raw and RLE blocks (RFC 8878), window 2^windowLog. */
function zstdFrame(blocks: ({ raw: Buffer } | { rle: number; size: number })[], windowLog = 20): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (windowLog - 10) << 3])];
  blocks.forEach((block, i) => {
    const last = i === blocks.length - 1 ? 1 : 0;
    const header = Buffer.alloc(3);
    if ('raw' in block) {
      header.writeUIntLE(last | (0 << 1) | (block.raw.length << 3), 0, 3);
      parts.push(header, block.raw);
    } else {
      header.writeUIntLE(last | (1 << 1) | (block.size << 3), 0, 3);
      parts.push(header, Buffer.from([block.rle]));
    }
  });
  return Buffer.concat(parts);
}

describe('decompressLayer', () => {
  const text = Buffer.from('tar bytes '.repeat(10_000));

  it('sniffs compression from magic bytes', () => {
    expect(sniffCompression(gzipSync('x'))).toBe('gzip');
    expect(sniffCompression(zstdFrame([{ raw: Buffer.from('x') }]))).toBe('zstd');
    expect(sniffCompression(Buffer.from('BZh91AY'))).toBe('bzip2');
    expect(sniffCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))).toBe('xz');
    expect(sniffCompression(Buffer.from('usr/'))).toBe('none');
  });

  it('passes plain tar through, even when tiny or empty', async () => {
    expect((await collect(await decompressLayer(source(text, 3)))).equals(text)).toBe(true);
    expect((await collect(await decompressLayer(source(Buffer.from('ab'))))).toString()).toBe('ab');
    expect((await collect(await decompressLayer(source(Buffer.alloc(0))))).length).toBe(0);
  });

  it('gunzips, including concatenated gzip members, whatever the media type says', async () => {
    const two = Buffer.concat([gzipSync(text), gzipSync(text)]);
    const out = await collect(
      await decompressLayer(source(two, 1), { mediaType: 'application/vnd.oci.image.layer.v1.tar' }),
    );
    expect(out.equals(Buffer.concat([text, text]))).toBe(true);
  });

  it('reports a truncated or corrupt gzip stream as an input error', async () => {
    const gz = gzipSync(text);
    const truncated = await collect(
      await decompressLayer(source(gz.subarray(0, gz.length - 40)), { label: 'L' }),
    ).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(CeranaError);
    expect((truncated as CeranaError).message).toMatch(/^L: corrupt gzip stream: unexpected end of file/);
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 20, 60);
    const error = await collect(await decompressLayer(source(corrupt))).catch((e: unknown) => e);
    expect((error as CeranaError).code).toBe('INPUT');
  });

  it('refuses encrypted, bzip2 and xz layers clearly', async () => {
    await expect(
      decompressLayer(source(text), { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip+encrypted' }),
    ).rejects.toThrow(/encrypted layers .* cannot be scanned/);
    await expect(decompressLayer(source(Buffer.from('BZh91AY&SY')))).rejects.toThrow(
      /bzip2-compressed layers are not supported/,
    );
  });

  // The runtime's decoder is native on Node >= 22.15 and fzstd before; both must agree.
  for (const forcePureJsZstd of [true, false]) {
    it(`decodes zstd frame after frame (${forcePureJsZstd ? 'pure JS' : 'runtime'} decoder)`, async () => {
      const frames = Buffer.concat([
        zstdFrame([{ raw: Buffer.from('hello ') }, { rle: 0x41, size: 5000 }]),
        // A skippable frame between data frames.
        Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]),
        zstdFrame([{ raw: Buffer.from(' world') }]),
      ]);
      const out = await collect(await decompressLayer(source(frames, 1), { forcePureJsZstd }));
      expect(out.toString()).toBe(`hello ${'A'.repeat(5000)} world`);
      const truncated = await collect(
        await decompressLayer(source(frames.subarray(0, 20)), { forcePureJsZstd, label: 'Z' }),
      ).catch((e: unknown) => e);
      expect((truncated as CeranaError).code).toBe('INPUT');
      expect((truncated as CeranaError).message).toMatch(/^Z: zstd stream is truncated/);
      // A compressed block of garbage.
      const corrupt = Buffer.concat([
        Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50, (1 | (2 << 1) | (8 << 3)) & 0xff, 0, 0]),
        Buffer.alloc(8, 0xff),
      ]);
      const bad = await collect(
        await decompressLayer(source(corrupt), { forcePureJsZstd, label: 'Z' }),
      ).catch((e: unknown) => e);
      expect((bad as CeranaError).code).toBe('INPUT');
      expect((bad as CeranaError).message).toMatch(/^Z: corrupt zstd stream/);
      const huge = zstdFrame([{ raw: Buffer.from('x') }], 31);
      const limit = await collect(await decompressLayer(source(huge), { forcePureJsZstd })).catch(
        (e: unknown) => e,
      );
      expect((limit as CeranaError).code).toBe('LIMIT');
    });
  }

  it('refuses zstd frames that declare oversized windows, before allocating them', async () => {
    const huge = zstdFrame([{ raw: Buffer.from('x') }], 31);
    const error = await collect(
      await decompressLayer(source(huge), { forcePureJsZstd: true, maxZstdWindowBytes: 128 * 1024 * 1024 }),
    ).catch((e: unknown) => e);
    expect((error as CeranaError).code).toBe('LIMIT');
    expect((error as CeranaError).message).toMatch(/zstd frame needs a 2147483648-byte window/);
  });

  it('reports truncated zstd streams', async () => {
    const frame = zstdFrame([{ raw: Buffer.from('hello world') }]);
    const error = await collect(
      await decompressLayer(source(frame.subarray(0, 12)), { forcePureJsZstd: true }),
    ).catch((e: unknown) => e);
    expect((error as CeranaError).message).toMatch(/zstd stream is truncated/);
  });

  it('decodes a zstd bomb in bounded steps: memory stays flat while the consumer reads slowly', async () => {
    // 100,000 RLE blocks of 128 KiB: 400 KB compressed, 13 GB decompressed.
    const blocks = Array.from({ length: 100_000 }, () => ({ rle: 0, size: 128 * 1024 }));
    const bomb = zstdFrame(blocks, 20);
    const before = process.memoryUsage().rss;
    const stream = await decompressLayer(source(bomb, 64 * 1024), { forcePureJsZstd: true });
    let read = 0;
    let peak = 0;
    for await (const chunk of stream) {
      read += (chunk as Buffer).length;
      peak = Math.max(peak, process.memoryUsage().rss - before);
      if (read > 256 * 1024 * 1024) break;
    }
    expect(read).toBeGreaterThan(256 * 1024 * 1024);
    expect(peak).toBeLessThan(200 * 1024 * 1024);
  });
});
