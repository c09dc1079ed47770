import os = require('node:os');

/**
 * Threads for libuv's pool, which does the file reads and the gunzip of every layer: one per
 * core, at least two (a slow DNS lookup holds one). Node's default is four on any machine; on two
 * cores, four pool threads beside the hash worker and the main thread read a gzip image 14%
 * slower than two (bench/layer-read), and a machine with more cores than four reads fewer layers
 * at once than the scanner starts.
 */
function threadPoolSize(): number {
  return Math.max(2, os.availableParallelism());
}

/**
 * Sets the pool's size unless the user did (UV_THREADPOOL_SIZE). libuv reads it once, when the
 * pool first runs, and the ESM loader runs it to read modules: only a CommonJS entry comes first.
 */
function sizeThreadPool(): void {
  process.env.UV_THREADPOOL_SIZE ??= String(threadPoolSize());
}

export = { threadPoolSize, sizeThreadPool };
