import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ChunkParser, feedParsers } from './chunk-parser.js';

/** Takes `wanted` chunks, recording where each started. */
function taking(wanted: number): ChunkParser & { seen: number[] } {
  const seen: number[] = [];
  return {
    seen,
    feed(_chunk, at) {
      seen.push(at);
      return seen.length < wanted;
    },
  };
}

const body = (): Readable => Readable.from([Buffer.alloc(3), Buffer.alloc(5), Buffer.alloc(7)]);

describe('feedParsers', () => {
  it('feeds each parser the chunks and their offsets until it has enough', async () => {
    const short = taking(1);
    const long = taking(10);
    await feedParsers(body(), [short, long]);
    expect(short.seen).toEqual([0]);
    expect(long.seen).toEqual([0, 3, 8]);
  });

  it('leaves a stream it no longer needs destroyed, without an error', async () => {
    const stream = body();
    await feedParsers(stream, [taking(2)]);
    expect(stream.destroyed).toBe(true);
    expect(stream.errored).toBeNull();
  });
});
