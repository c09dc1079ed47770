import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from './reorder.js';

const rec = (ts: number) => ({ ts });

describe('reorder buffer', () => {
  it('releases in time order once the window has passed', () => {
    const b = new ReorderBuffer<{ ts: number }>(10);
    const out: number[] = [];
    const take = (r: { ts: number }) => out.push(r.ts);
    for (const ts of [5, 1, 3, 12, 2, 20]) b.push(rec(ts), take);
    b.releaseUntil(13, take);
    expect(out).toEqual([1, 2, 3]);
    b.releaseUntil(22, take);
    expect(out).toEqual([1, 2, 3, 5, 12]);
    b.drain(take);
    expect(out).toEqual([1, 2, 3, 5, 12, 20]);
    expect(b.size).toBe(0);
  });

  it('releases the oldest when it holds too many', () => {
    const b = new ReorderBuffer<{ ts: number }>(1_000_000, 3);
    const out: number[] = [];
    for (const ts of [4, 3, 2, 1, 0]) b.push(rec(ts), (r) => out.push(r.ts));
    expect(out).toEqual([1, 0]);
    expect(b.size).toBe(3);
  });

  it('keeps memory bounded on a long run', () => {
    const b = new ReorderBuffer<{ ts: number }>(0);
    let n = 0;
    for (let i = 0; i < 100_000; i++) {
      b.push(rec(i), () => n++);
      if (i % 100 === 0) b.releaseUntil(i, () => n++);
    }
    b.drain(() => n++);
    expect(n).toBe(100_000);
  });
});
