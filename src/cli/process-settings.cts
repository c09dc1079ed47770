import os = require('node:os');
import v8 = require('node:v8');

/**
 * Settings of the CLI's process that must be made before the rest of the CLI loads, so they live
 * in CommonJS: the ESM loader itself starts libuv's thread pool to read modules.
 */

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

/** Sizes the pool unless the user did (UV_THREADPOOL_SIZE); libuv reads it when the pool first runs. */
function sizeThreadPool(): void {
  process.env.UV_THREADPOOL_SIZE ??= String(threadPoolSize());
}

/**
 * Turns off V8's incremental marking. A layer scan allocates buffers at gigabytes per second,
 * nearly all of which die young. In a process whose heap holds some 10–20 MB that stay alive
 * (the CLI with its modules loaded), V8 kept starting incremental marking: about 70 full
 * collections in one scan of a 1.7 GB image, a quarter of the scan's time, where a process with
 * a smaller heap ran none. Without incremental marking V8 collects the old generation when it is
 * actually full. The flag is read at each allocation-limit check, so it may be set at run time,
 * best before much is allocated.
 */
function collectOldGenerationWhenFull(): void {
  v8.setFlagsFromString('--no-incremental-marking');
}

/**
 * Lets V8 optimize a function only after eight times the usual amount of work in it. A scan runs
 * a great deal of code for a short while (a cataloger per ecosystem, parsers of every format
 * an image may hold), and with the default budget V8's optimizing compiler, on helper threads,
 * used about as much CPU as the catalogers themselves. With eight times the budget, `cerana sbom`
 * of bench/inventory's image takes 11% less CPU and 5% less time. The code that matters (the tar
 * walk, hashing, the merge) runs long enough to be optimized still. The budget is read whenever
 * a function's counter is reset, so it may be set at run time.
 */
const INTERRUPT_BUDGET = 8 * 67_584;

function optimizeOnlyLongRunningCode(): void {
  v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}

/** Both V8 settings; benchmarks leave one out to show what it is worth. */
const V8_SETTINGS = { gc: collectOldGenerationWhenFull, jit: optimizeOnlyLongRunningCode };

function tuneV8(except: readonly string[] = []): void {
  for (const [name, apply] of Object.entries(V8_SETTINGS)) if (!except.includes(name)) apply();
}

export = { threadPoolSize, sizeThreadPool, tuneV8 };
