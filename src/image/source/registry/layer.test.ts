import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DigestVerifier } from '../verify.js';
import { verifiedTarStream } from './layer.js';

const content = Buffer.alloc(300_000);
for (let i = 0; i < content.length; i++) content[i] = (i * 7919) % 251;

const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

function digestOf(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A blob as the registry client hands it over: bytes flowing through a verifier for `expected`. */
function blob(served: Buffer, expected: Buffer): { stream: DigestVerifier; source: Readable } {
  const source = Readable.from(
    (function* () {
      for (let i = 0; i < served.length; i += 16_384) yield served.subarray(i, i + 16_384);
    })(),
  );
  const stream = new DigestVerifier({
    digest: digestOf(expected),
    size: expected.length,
    maxBytes: 1e9,
    what: 'layer x',
    origin: 'registry',
  });
  return { stream: source.pipe(stream), source };
}

/** Opens and reads a layer; altered content may fail while opening or while reading, depending on timing. */
async function tarOf(served: Buffer, expected: Buffer, mediaType = GZIP_LAYER): Promise<Buffer> {
  return readAll(await verifiedTarStream(blob(served, expected).stream, mediaType, 'l'));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('verifiedTarStream', () => {
  it('decompresses a verified gzip blob', async () => {
    const gz = gzipSync(content);
    expect((await tarOf(gz, gz)).equals(content)).toBe(true);
  });

  it('passes a plain tar through', async () => {
    expect((await tarOf(content, content, 'application/vnd.oci.image.layer.v1.tar')).equals(content)).toBe(
      true,
    );
  });

  it('verifies the bytes after the end of the gzip stream before ending', async () => {
    const padded = Buffer.concat([gzipSync(content), Buffer.alloc(100_000)]);
    expect((await tarOf(padded, padded)).equals(content)).toBe(true);
  });

  it('never ends when a valid gzip was swapped in: the consumer sees the digest mismatch', async () => {
    const genuine = Buffer.concat([gzipSync(content), Buffer.alloc(100_000)]);
    const other = Buffer.from(content);
    other[5] = 0xff;
    const swapped = gzipSync(other);
    const padded = Buffer.concat([swapped, Buffer.alloc(genuine.length - swapped.length)]);
    await expect(tarOf(padded, genuine)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('reports altered bytes as a digest mismatch rather than a corrupt stream', async () => {
    const gz = gzipSync(content);
    const altered = Buffer.from(gz);
    for (let i = 1000; i < 1100; i++) altered[i] = 0;
    await expect(tarOf(altered, gz)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('rejects an empty blob with the digest error', async () => {
    const gz = gzipSync(content);
    await expect(tarOf(Buffer.alloc(0), gz)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('stops downloading when the consumer gives up', async () => {
    const gz = gzipSync(randomBytes(4 * 1024 * 1024));
    const { stream, source } = blob(gz, gz);
    const tar = await verifiedTarStream(stream, GZIP_LAYER, 'l');
    for await (const _ of tar) break;
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.destroyed).toBe(true);
    expect(source.readableEnded).toBe(false);
  });
});
