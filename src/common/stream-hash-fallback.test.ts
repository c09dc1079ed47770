import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:worker_threads', () => ({
  Worker: class {
    constructor() {
      throw new Error('Resource temporarily unavailable');
    }
  },
}));

describe('createStreamHash without worker threads', () => {
  it('hashes inline when no worker can be started', async () => {
    const { createStreamHash } = await import('./stream-hash.js');
    const hash = createStreamHash('sha256', -1, true);
    const data = Buffer.alloc(3 << 20, 7);
    expect(hash.update(data)).toBeUndefined();
    expect(await hash.digest()).toBe(createHash('sha256').update(data).digest('hex'));
  });
});
