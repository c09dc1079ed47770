import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { CeranaError } from '../../common/errors.js';
import { DigestVerifier, verifyBytes } from './verify.js';

const data = Buffer.from('hello registry '.repeat(1000));
const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function drain(source: Buffer[], verifier: DigestVerifier): Promise<number> {
  let total = 0;
  await pipeline(Readable.from(source), verifier, async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) total += chunk.length;
  });
  return total;
}

function chunks(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size));
  return out;
}

describe('DigestVerifier', () => {
  it('passes content that matches and reports progress', async () => {
    let progressed = 0;
    const verifier = new DigestVerifier({
      digest,
      size: data.length,
      maxBytes: 1e9,
      what: 'blob',
      origin: 'registry',
      onBytes: (n) => {
        progressed += n;
      },
    });
    expect(await drain(chunks(data, 777), verifier)).toBe(data.length);
    expect(progressed).toBe(data.length);
  });

  it('fails at the end when the content was altered', async () => {
    const altered = Buffer.from(data);
    altered[100] = 0x21;
    const verifier = new DigestVerifier({
      digest,
      size: data.length,
      maxBytes: 1e9,
      what: 'layer x',
      origin: 'registry',
    });
    await expect(drain(chunks(altered, 500), verifier)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringContaining('layer x does not match its digest'),
    });
  });

  it('fails as soon as the content outgrows its declared size, and when it is short', async () => {
    const longer = Buffer.concat([data, Buffer.from('x')]);
    await expect(
      drain(
        chunks(longer, 1000),
        new DigestVerifier({ digest, size: data.length, maxBytes: 1e9, what: 'b', origin: 'registry' }),
      ),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH', message: expect.stringContaining('larger than') });
    await expect(
      drain(
        [data.subarray(0, 10)],
        new DigestVerifier({ digest, size: data.length, maxBytes: 1e9, what: 'b', origin: 'registry' }),
      ),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH', message: expect.stringContaining('has 10 bytes') });
  });

  it('enforces the hard cap when the size is unknown', async () => {
    await expect(
      drain(
        chunks(data, 100),
        new DigestVerifier({ digest, size: -1, maxBytes: 1000, what: 'b', origin: 'registry' }),
      ),
    ).rejects.toMatchObject({ code: 'LIMIT' });
  });

  it('verifies sha512 digests too and rejects malformed ones', async () => {
    const sha512 = `sha512:${createHash('sha512').update(data).digest('hex')}`;
    expect(
      await drain(
        [data],
        new DigestVerifier({ digest: sha512, size: -1, maxBytes: 1e9, what: 'b', origin: 'registry' }),
      ),
    ).toBe(data.length);
    expect(
      () => new DigestVerifier({ digest: 'md5:abc', size: -1, maxBytes: 1, what: 'b', origin: 'registry' }),
    ).toThrow(CeranaError);
  });
});

describe('verifyBytes', () => {
  it('accepts matching bytes and names the content in a mismatch', () => {
    expect(() => verifyBytes(data, digest, 'manifest', 'registry')).not.toThrow();
    expect(() => verifyBytes(Buffer.from('other'), digest, 'manifest latest', 'registry')).toThrow(
      /manifest latest does not match/,
    );
  });
});
