import { performance } from 'node:perf_hooks';

/**
 * Longest this thread works on queued tasks before it looks again whether reading may go on.
 * A layer waits for the hash worker only with half its queue (8 MiB or more) still to hash, at
 * least 4 ms of the worker's time: a check every millisecond resumes reading well before the
 * worker runs dry.
 */
const SLICE_MS = 1;

/**
 * Work that may be done ahead, in time the scan would otherwise spend waiting. On an
 * uncompressed layer the hash worker sets the pace: a layer whose hash queue is full stops
 * reading until the worker catches up, and this thread sits idle meanwhile (on the benchmark
 * image, for 40% of the scan). The catalog step that follows the scan runs on this thread alone,
 * after the last layer, so what it can do per captured file is better done in those waits
 * (FileVisitor.prepare). A task is a small pure computation whose result is kept where the
 * later step finds it; tasks never run are simply done later, by that step. Only hash waits are
 * used: while this thread waits for a file read, the hash worker may be waiting for it.
 */
export class IdleWork {
  private tasks: (() => void)[] = [];
  private next = 0;

  add(task: () => void): void {
    this.tasks.push(task);
  }

  /** Runs queued tasks, in slices, until `wait` settles; then settles as it did. */
  async during<T>(wait: Promise<T>): Promise<T> {
    let settled = false;
    const stop = (): void => {
      settled = true;
    };
    wait.then(stop, stop);
    while (!settled && this.next < this.tasks.length) {
      const until = performance.now() + SLICE_MS;
      do this.runNext();
      while (this.next < this.tasks.length && performance.now() < until);
      // The hash worker's messages, which settle `wait`, are taken in the poll phase before this.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.next === this.tasks.length && this.next > 0) {
      this.tasks = [];
      this.next = 0;
    }
    return wait;
  }

  private runNext(): void {
    const task = this.tasks[this.next] as () => void;
    this.tasks[this.next++] = noop;
    try {
      task();
    } catch {
      // A task only computes ahead; the step that needs its result computes it again and reports.
    }
  }
}

function noop(): void {}
