import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { DigestAlgorithm } from './digest.js';
import { createStreamHash, MAX_QUEUED_SLABS, type StreamHash } from './stream-hash.js';

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

const slab = Buffer.alloc(MiB, 7);

/** Adds a MiB at a time, without waiting, until the hash asks its producer to wait: how many it took. */
function fillUntilAsked(hash: StreamHash): number {
  for (let added = 1; added <= 4 * MAX_QUEUED_SLABS; added++) if (hash.update(slab)) return added;
  throw new Error('never asked to wait');
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
    expect(fillUntilAsked(hash)).toBeLessThanOrEqual(MAX_QUEUED_SLABS);
    await hash.digest();
  });

  it('bounds what all hashes of a worker queue together', async () => {
    const first = createStreamHash('sha256', -1, true);
    const second = createStreamHash('sha256', -1, true);
    const queued = fillUntilAsked(first);
    // The worker's queue is full: the second hash waits at once, though it has queued nothing.
    const waiting = second.update(slab);
    expect(waiting).toBeInstanceOf(Promise);
    await waiting;
    const digests = await Promise.all([first.digest(), second.digest()]);
    expect(digests).toEqual([expected('sha256', Array(queued).fill(slab)), expected('sha256', [slab])]);
  });

  it('queues deeper once the worker ran dry waiting for a producer that had outpaced it', async () => {
    // A module of its own: a new worker, which starts with the shallowest queue.
    vi.resetModules();
    const fresh = await import('./stream-hash.js');
    const hash = fresh.createStreamHash('sha256', -1, true);
    const depths: number[] = [];
    for (let round = 0; round < 4; round++) {
      depths.push(fillUntilAsked(hash));
      // A burst of other work: the worker hashes everything queued and waits.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(depths[1]).toBe(2 * (depths[0] as number));
    expect(depths.at(-1)).toBe(fresh.MAX_QUEUED_SLABS);
    expect(await hash.digest()).toBe(expected('sha256', Array(depths.reduce((a, b) => a + b)).fill(slab)));
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
