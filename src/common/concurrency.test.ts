import { describe, expect, it } from 'vitest';
import { forEachLimited } from './concurrency.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('forEachLimited', () => {
  it('runs every item once, never more than the limit at a time, starting them in order', async () => {
    const started: number[] = [];
    let running = 0;
    let most = 0;
    await forEachLimited([10, 11, 12, 13, 14, 15, 16], 3, async (item, index) => {
      expect(item).toBe(10 + index);
      started.push(index);
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });

  it('rejects with the first failure', async () => {
    await expect(
      forEachLimited([1, 2, 3], 2, async (item) => {
        await tick();
        if (item === 2) throw new Error('item 2 failed');
      }),
    ).rejects.toThrow('item 2 failed');
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await forEachLimited([], 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });
});
