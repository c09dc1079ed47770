import { describe, expect, it } from 'vitest';
import { IdleWork } from './idle-work.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
}

const elapsed = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('IdleWork', () => {
  it('runs queued tasks while the wait lasts and leaves the rest for the next wait', async () => {
    const idle = new IdleWork();
    let ran = 0;
    for (let i = 0; i < 200; i++) {
      idle.add(() => {
        busy(0.2);
        ran++;
      });
    }
    await idle.during(elapsed(10));
    // 40 ms of tasks, a 10 ms wait: the wait ends the running, between two one-millisecond slices.
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThan(200);
    await idle.during(elapsed(200));
    expect(ran).toBe(200);
  });

  it('lets the event loop run between slices', async () => {
    const idle = new IdleWork();
    const order: string[] = [];
    for (let i = 0; i < 20; i++) idle.add(() => busy(0.5));
    setImmediate(() => order.push('event loop'));
    idle.add(() => order.push('last task'));
    await idle.during(elapsed(100));
    expect(order).toEqual(['event loop', 'last task']);
  });

  it('settles as the wait does, and a failing task stops nothing', async () => {
    const idle = new IdleWork();
    let ran = 0;
    idle.add(() => {
      throw new Error('broken');
    });
    idle.add(() => ran++);
    await expect(
      idle.during(elapsed(5).then(() => Promise.reject(new Error('read failed')))),
    ).rejects.toThrow('read failed');
    expect(ran).toBe(1);
    await expect(idle.during(Promise.resolve())).resolves.toBeUndefined();
  });
});
