/**
 * Hashing a large stream on another core. Checking a layer against its digest is a sha256 of
 * every byte (about 0.45 ns/byte with SHA-NI): on an uncompressed layer that is more work than
 * reading and walking the tar, and done inline it doubles the time of a cold scan. A worker
 * thread hashes copies of the bytes while the caller parses them; the copy costs a fraction
 * of the hash. The copies go into reused SharedArrayBuffer slabs: posting a transferred
 * ArrayBuffer copied it once more, and a fresh buffer per message made the garbage collector
 * run all the time. Small streams, and machines with one core, hash inline.
 */
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DigestAlgorithm } from './digest.js';
import { CeranaError } from './errors.js';

export interface StreamHash {
  /** Adds bytes. A returned promise asks the caller to wait before adding more (the worker is behind). */
  update(chunk: Buffer): Promise<void> | undefined;
  /** The hex digest of everything added; the hash cannot be used afterwards. */
  digest(): Promise<string>;
  /** Drops the hash without a digest (the stream failed). */
  abandon(): void;
}

/** Below this many bytes a worker round trip costs more than it saves. */
export const OFF_THREAD_MIN_BYTES = 8 << 20;

/**
 * A hash for a stream of about `expectedBytes` (negative when unknown, which counts as large).
 * `offThread` overrides the choice (tests, and callers that know better).
 */
export function createStreamHash(
  algorithm: DigestAlgorithm,
  expectedBytes: number,
  offThread = availableParallelism() > 1 && (expectedBytes < 0 || expectedBytes >= OFF_THREAD_MIN_BYTES),
): StreamHash {
  if (!offThread) return new InlineHash(algorithm);
  try {
    return new OffThreadHash(algorithm);
  } catch {
    // No thread to be had (a resource limit): hashing inline is slower, never wrong.
    return new InlineHash(algorithm);
  }
}

class InlineHash implements StreamHash {
  private readonly hash: Hash;

  constructor(algorithm: DigestAlgorithm) {
    this.hash = createHash(algorithm);
  }

  update(chunk: Buffer): undefined {
    this.hash.update(chunk);
  }

  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }

  abandon(): void {}
}

/** Bytes copied per message: large enough that messaging costs little, small enough to pipeline. */
const SLAB_BYTES = 1 << 20;
/**
 * Slabs a worker may have queued, from all its hashes, before their producers wait; a producer
 * then waits until half the queue is hashed. The bound is per worker, so the slabs' memory does
 * not grow with the number of layers read at once. It starts low and grows as bursts show:
 * - The producers, tar walkers, work in bursts (a jar inflated, a garbage collection, catalog
 *   parsing run while they wait: see IdleWork). The queue is what the worker hashes meanwhile.
 * - When the worker runs dry waiting for a producer that had outpaced it, a burst outlasted the
 *   queue, and the bound doubles, up to MAX_QUEUED_SLABS.
 * Measured: bench/inventory with every cataloger ran dry about six times per scan with 16 MiB,
 * and read its image 3–5% faster with 64 MiB than with 16 or 32. The million-file layer of
 * bench/layer-read never runs dry with 16 MiB; a fixed 64 cost it 41 MB more peak RSS.
 */
const MIN_QUEUED_SLABS = 16;
export const MAX_QUEUED_SLABS = 64;

/**
 * Slabs are shared with the worker once, when made; messages then name them by index, which
 * keeps each post to a few numbers.
 */
type ToWorker =
  | { register: number; slab: SharedArrayBuffer }
  | { id: number; algorithm: DigestAlgorithm; slab: number; length: number }
  | { id: number; algorithm: DigestAlgorithm; end: true }
  | { id: number; drop: true };
type FromWorker = { id: number; slab: number } | { id: number; digest: string } | { failure: string };

// Plain CommonJS evaluated in the worker, so it runs the same from TypeScript sources and from dist/.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
const slabs = [];
parentPort.on('message', (message) => {
  try {
    if (message.register !== undefined) { slabs[message.register] = new Uint8Array(message.slab); return; }
    if (message.drop) { hashes.delete(message.id); return; }
    let hash = hashes.get(message.id);
    if (hash === undefined) { hash = createHash(message.algorithm); hashes.set(message.id, hash); }
    if (message.end) {
      hashes.delete(message.id);
      parentPort.postMessage({ id: message.id, digest: hash.digest('hex') });
      return;
    }
    hash.update(slabs[message.slab].subarray(0, message.length));
    parentPort.postMessage({ id: message.id, slab: message.slab });
  } catch (error) {
    parentPort.postMessage({ failure: String(error && error.message || error) });
  }
});
`;

interface Job {
  /** While the worker's queue is full: what the job's producer waits on. */
  paused?: { promise: Promise<void>; resume: () => void };
  /** The producer filled the queue since the worker last ran dry waiting for it. */
  outpaced?: boolean;
  finish?: { resolve: (hex: string) => void; reject: (error: Error) => void };
}

/**
 * Worker threads shared by every off-thread hash of the process, one per core but one: the
 * main thread keeps a core for walking tars and running the visitors (with a hash worker on
 * every core the workers took it from the main thread, and the catalogers waited). A new hash
 * goes to an idle worker, or a new one, or the least busy.
 */
const pool: HashWorker[] = [];

function pickWorker(): HashWorker {
  let best: HashWorker | undefined;
  for (const worker of pool) if (best === undefined || worker.load < best.load) best = worker;
  if (best !== undefined && (best.load === 0 || pool.length >= Math.max(1, availableParallelism() - 1)))
    return best;
  const created = new HashWorker();
  pool.push(created);
  return created;
}

/** One hashing thread; kept alive (ref'd) only while it has hashes to finish. */
class HashWorker {
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Job>();
  /** Every slab shared with this worker, by index; the spare ones are free to fill. */
  private readonly slabs: Buffer[] = [];
  private readonly spare: number[] = [];
  /** Slabs sent and not yet handed back. */
  private queued = 0;
  private maxQueued = MIN_QUEUED_SLABS;
  private nextId = 1;
  private failure: CeranaError | undefined;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error) => this.fail(error.message));
    this.worker.on('exit', (code) => this.fail(`exited with code ${code}`));
  }

  get load(): number {
    return this.jobs.size;
  }

  open(): number {
    const id = this.nextId++;
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.set(id, {});
    return id;
  }

  /** A free slab: its index and its bytes. */
  slab(): { index: number; bytes: Buffer } {
    let index = this.spare.pop();
    if (index === undefined) {
      const shared = new SharedArrayBuffer(SLAB_BYTES);
      index = this.slabs.push(Buffer.from(shared)) - 1;
      this.post({ register: index, slab: shared });
    }
    return { index, bytes: this.slabs[index] as Buffer };
  }

  /** A slab taken but not sent. */
  release(index: number): void {
    this.spare.push(index);
  }

  /** Sends a filled slab (untouched until the worker hands it back); resolves once the job may send more. */
  send(id: number, algorithm: DigestAlgorithm, slab: number, length: number): Promise<void> | undefined {
    const job = this.job(id);
    if (this.queued === 0 && job.outpaced) {
      job.outpaced = false;
      this.maxQueued = Math.min(MAX_QUEUED_SLABS, this.maxQueued * 2);
    }
    this.queued++;
    this.post({ id, algorithm, slab, length });
    if (this.queued < this.maxQueued) return undefined;
    job.outpaced = true;
    if (job.paused === undefined) {
      let resume = (): void => {};
      const promise = new Promise<void>((resolve) => {
        resume = resolve;
      });
      job.paused = { promise, resume };
    }
    return job.paused.promise;
  }

  end(id: number, algorithm: DigestAlgorithm): Promise<string> {
    const job = this.job(id);
    return new Promise((resolve, reject) => {
      job.finish = { resolve, reject };
      this.post({ id, algorithm, end: true });
    });
  }

  drop(id: number): void {
    if (!this.jobs.has(id)) return;
    this.close(id);
    this.post({ id, drop: true });
  }

  private job(id: number): Job {
    if (this.failure) throw this.failure;
    const job = this.jobs.get(id);
    if (job === undefined) throw new CeranaError('INTERNAL', `hash ${id} is not running`);
    return job;
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    if ('failure' in message) {
      this.fail(message.failure);
      return;
    }
    const job = this.jobs.get(message.id);
    if ('slab' in message) {
      this.spare.push(message.slab);
      this.queued--;
      // Resume only once the queue is well down: one chunk may fill several slabs at once.
      if (this.queued <= this.maxQueued / 2) {
        for (const waiting of this.jobs.values()) {
          waiting.paused?.resume();
          waiting.paused = undefined;
        }
      }
      return;
    }
    if (job === undefined) return;
    this.close(message.id);
    job.finish?.resolve(message.digest);
  }

  private close(id: number): void {
    this.jobs.delete(id);
    if (this.jobs.size === 0) this.worker.unref();
  }

  /** A dead worker fails every running hash; the next hash starts a new worker. */
  private fail(reason: string): void {
    if (this.failure) return;
    const at = pool.indexOf(this);
    if (at >= 0) pool.splice(at, 1);
    const error = new CeranaError('INTERNAL', `the hashing worker failed: ${reason}`);
    this.failure = error;
    for (const job of this.jobs.values()) {
      job.paused?.resume();
      job.finish?.reject(error);
    }
    this.jobs.clear();
    void this.worker.terminate();
  }
}

class OffThreadHash implements StreamHash {
  private readonly worker = pickWorker();
  private readonly id = this.worker.open();
  private slab: { index: number; bytes: Buffer } | undefined;
  private filled = 0;

  constructor(private readonly algorithm: DigestAlgorithm) {}

  update(chunk: Buffer): Promise<void> | undefined {
    let wait: Promise<void> | undefined;
    let offset = 0;
    while (offset < chunk.length) {
      this.slab ??= this.worker.slab();
      const copied = chunk.copy(this.slab.bytes, this.filled, offset);
      offset += copied;
      this.filled += copied;
      if (this.filled === SLAB_BYTES) wait = this.flush() ?? wait;
    }
    return wait;
  }

  async digest(): Promise<string> {
    if (this.filled > 0) this.flush();
    return this.worker.end(this.id, this.algorithm);
  }

  abandon(): void {
    if (this.slab !== undefined) this.worker.release(this.slab.index);
    this.slab = undefined;
    this.worker.drop(this.id);
  }

  private flush(): Promise<void> | undefined {
    const slab = this.slab as { index: number; bytes: Buffer };
    const wait = this.worker.send(this.id, this.algorithm, slab.index, this.filled);
    this.slab = undefined;
    this.filled = 0;
    return wait;
  }
}
