import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { decompressLayer } from '../../src/image/decompress.js';
import { type FileVisitor, scanImage } from '../../src/image/scan/index.js';
import type { Layer } from '../../src/image/types.js';
import { header, imageOf } from './support/tar-writer.js';

const GIB = 1024 ** 3;

/** The tar of one 1 GiB file of zeros, generated in 1 MiB chunks. */
function* zeroTar(): Generator<Buffer> {
  yield header({ name: 'zeros.bin', size: GIB });
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 1024; i++) yield zeros;
  yield header({ name: 'after.txt', body: 'still read' });
  yield Buffer.concat([Buffer.from('still read'), Buffer.alloc(512 - 10), Buffer.alloc(1024)]);
}

describe('a gzip bomb: 1 GiB of zeros in a ~1 MB layer blob', () => {
  let gz: Buffer;
  let diffId: string;
  beforeAll(async () => {
    const hash = createHash('sha256');
    const parts: Buffer[] = [];
    const gzip = createGzip({ level: 1 });
    const done = new Promise<void>((resolve, reject) => {
      gzip.on('data', (chunk: Buffer) => parts.push(chunk));
      gzip.on('end', resolve);
      gzip.on('error', reject);
    });
    for (const chunk of zeroTar()) {
      hash.update(chunk);
      if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
    }
    gzip.end();
    await done;
    gz = Buffer.concat(parts);
    diffId = `sha256:${hash.digest('hex')}`;
  });

  const layer = (): Layer => ({
    digest: diffId,
    diffId,
    size: gz.length,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    open: () => decompressLayer(Readable.from([gz]), { label: 'bomb' }),
  });

  it('is read with capture caps holding and memory flat', async () => {
    expect(gz.length).toBeLessThan(8 * 1024 * 1024);
    let streamed = 0;
    const visitors: FileVisitor[] = [
      { name: 'grab-all', version: 1, wants: () => 'capture' },
      {
        name: 'count',
        version: 1,
        wants: (path) => (path === 'zeros.bin' ? 'stream' : false),
        onStream: async (file) => {
          for await (const chunk of file.body) streamed += (chunk as Buffer).length;
          return [];
        },
      },
    ];
    const before = process.memoryUsage().rss;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss - before);
    }, 5);
    const files = await scanImage(imageOf([layer()]), visitors);
    clearInterval(sampler);
    expect(streamed).toBe(GIB);
    expect(files.skipped()).toEqual([
      { path: 'zeros.bin', size: GIB, reason: 'over-file-limit', layer: diffId },
    ]);
    expect(files.read('zeros.bin')).toBeUndefined();
    expect(files.read('after.txt')?.toString()).toBe('still read');
    expect(files.stats.layers[0]?.bytes).toBeGreaterThan(GIB);
    expect(peak).toBeLessThan(256 * 1024 * 1024);
  });

  it('stops with a LIMIT error once the decompressed size passes maxLayerBytes', async () => {
    const started = Date.now();
    const error = await scanImage(imageOf([layer()]), [], {
      limits: { maxLayerBytes: 64 * 1024 * 1024 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CeranaError);
    expect((error as CeranaError).code).toBe('LIMIT');
    expect((error as CeranaError).message).toMatch(
      /decompressed content exceeds 64 MiB \(possible decompression bomb\)/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
