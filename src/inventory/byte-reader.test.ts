import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteReader, readAll, TooLargeError } from './byte-reader.js';

const source = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('ByteReader', () => {
  it('reads, peeks and skips across chunk boundaries, tracking the position', async () => {
    const reader = new ByteReader(source('ab', 'cdef', '', 'g', 'hij'));
    expect((await reader.peek(3)).toString()).toBe('abc');
    expect((await reader.read(3)).toString()).toBe('abc');
    expect(reader.position).toBe(3);
    expect(await reader.skip(4)).toBe(4);
    expect((await reader.read(2)).toString()).toBe('hi');
    expect((await reader.read(5)).toString()).toBe('j');
    expect(await reader.atEnd()).toBe(true);
    expect(reader.position).toBe(10);
    expect(await reader.skip(3)).toBe(0);
  });

  it('hands out the rest chunk by chunk after a partial read', async () => {
    const reader = new ByteReader(source('abcd', 'ef'));
    await reader.read(1);
    const rest: string[] = [];
    for await (const chunk of reader.rest()) rest.push(chunk.toString());
    expect(rest).toEqual(['bcd', 'ef']);
    expect(reader.position).toBe(6);
  });
});

describe('readAll', () => {
  it('returns the body, or refuses it once it is over the limit', async () => {
    expect((await readAll(source('ab', 'c'), 3)).toString()).toBe('abc');
    await expect(readAll(source('ab', 'cd'), 3)).rejects.toThrow(TooLargeError);
  });
});
