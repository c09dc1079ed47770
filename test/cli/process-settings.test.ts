import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';

// CommonJS (src/cli/process-settings.cts), which vite does not transform: the build's output.
const settings = createRequire(import.meta.url)('../../dist/cli/process-settings.cjs') as {
  sizeThreadPool(): void;
};

describe('process settings', () => {
  const before = process.env.UV_THREADPOOL_SIZE;
  afterEach(() => {
    if (before === undefined) delete process.env.UV_THREADPOOL_SIZE;
    else process.env.UV_THREADPOOL_SIZE = before;
  });

  it('sizes the thread pool one thread per core, at least two', () => {
    delete process.env.UV_THREADPOOL_SIZE;
    settings.sizeThreadPool();
    expect(process.env.UV_THREADPOOL_SIZE).toBe(String(Math.max(2, availableParallelism())));
  });

  it("keeps the user's own pool size", () => {
    process.env.UV_THREADPOOL_SIZE = '7';
    settings.sizeThreadPool();
    expect(process.env.UV_THREADPOOL_SIZE).toBe('7');
  });
});
