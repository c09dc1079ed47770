import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { DigestAlgorithm } from './digest.js';
import { createStreamHash, MAX_QUEUED_SLABS } from './stream-hash.js';

// Two cores: one hash worker, which every hash of this file shares.
vi.mock('node:os', async (original) => ({
  ...(await original<typeof import('node:os')>()),
  availableParallelism: () => 2,
}));

const MiB = 1 << 20;

function expected(algorithm: DigestAlgorithm, chunks: Buffer[]): string {
  const hash = createHash(algorithm);
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

/** Feeds the chunks as a reader would: waiting whenever the hash asks it to. */
async function feed(algorithm: DigestAlgorithm, chunks: Buffer[], offThread: boolean): Promise<string> {
  const hash = createStreamHash(algorithm, -1, offThread);
  for (const chunk of chunks) {
    const wait = hash.update(chunk);
    if (wait) await wait;
  }
  return hash.digest();
}

function split(data: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

describe('createStreamHash', () => {
  const data = randomBytes(5 * MiB + 12345);

  it.each([
    ['sha256', [65536]],
    ['sha256', [1, 7, 131072, MiB, 3 * MiB, 0]],
    ['sha512', [MiB]],
  ] as const)('hashes %s off the thread exactly as inline (chunks %j)', async (algorithm, sizes) => {
    const chunks = split(data, [...sizes]);
    const want = expected(algorithm, chunks);
    expect(await feed(algorithm, chunks, true)).toBe(want);
    expect(await feed(algorithm, chunks, false)).toBe(want);
  });

  it('hashes nothing, and exact multiples of its copy size', async () => {
    expect(await feed('sha256', [], true)).toBe(expected('sha256', []));
    const whole = data.subarray(0, 4 * MiB);
    expect(await feed('sha256', [whole], true)).toBe(expected('sha256', [whole]));
  });

  it('keeps concurrent hashes apart', async () => {
    const inputs = [0, 1, 2, 3].map(() => randomBytes(3 * MiB + 17));
    const digests = await Promise.all(inputs.map((input) => feed('sha256', split(input, [40000]), true)));
    expect(digests).toEqual(inputs.map((input) => expected('sha256', [input])));
  });

  it('asks a fast producer to wait instead of queueing without bound', async () => {
    const hash = createStreamHash('sha256', -1, true);
    const big = data.subarray(0, MiB);
    // The worker hands slabs back through this thread's event loop, so none comes back meanwhile.
    for (let i = 1; i < MAX_QUEUED_SLABS; i++) expect(hash.update(big)).toBeUndefined();
    expect(hash.update(big)).toBeInstanceOf(Promise);
    await hash.digest();
  });

  it('bounds what all hashes of a worker queue together', async () => {
    const first = createStreamHash('sha256', -1, true);
    const second = createStreamHash('sha256', -1, true);
    const big = data.subarray(0, MiB);
    const half = MAX_QUEUED_SLABS / 2;
    for (let i = 0; i < half; i++) expect(first.update(big)).toBeUndefined();
    for (let i = 1; i < half; i++) expect(second.update(big)).toBeUndefined();
    const waiting = second.update(big);
    expect(waiting).toBeInstanceOf(Promise);
    await waiting;
    const digests = await Promise.all([first.digest(), second.digest()]);
    expect(digests).toEqual([0, 1].map(() => expected('sha256', Array(half).fill(big))));
  });

  it('runs on after a hash is abandoned', async () => {
    const dropped = createStreamHash('sha256', -1, true);
    dropped.update(data);
    dropped.abandon();
    expect(await feed('sha256', [data], true)).toBe(expected('sha256', [data]));
  });

  it('hashes small streams inline unless told otherwise', async () => {
    const small = createStreamHash('sha256', 1000);
    expect(small.update(data.subarray(0, 1000))).toBeUndefined();
    expect(await small.digest()).toBe(expected('sha256', [data.subarray(0, 1000)]));
  });
});
