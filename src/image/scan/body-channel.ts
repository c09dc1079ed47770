import { Readable } from 'node:stream';

/**
 * Carries one file's body from the layer reader to one streaming visitor, with backpressure:
 * when the visitor falls behind, write() says so and the reader awaits drained() before
 * reading on. A visitor that settles early (it saw enough) is detached: the rest of the body
 * is dropped instead of piling up.
 */
export class BodyChannel {
  readonly stream: Readable;
  private waiting: (() => void) | undefined;
  private attached = true;

  constructor(highWaterMark = 256 * 1024) {
    this.stream = new Readable({ highWaterMark, read: () => this.wake() });
  }

  /** Returns false when the visitor's buffer is full: await drained() before the next write. */
  write(data: Buffer): boolean {
    if (!this.attached) return true;
    return this.stream.push(data);
  }

  drained(): Promise<void> {
    if (!this.attached) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  end(): void {
    if (this.attached) this.stream.push(null);
  }

  /** The visitor is done with this file (settled): stop feeding it and release what it left. */
  detach(): void {
    this.attached = false;
    this.wake();
    if (!this.stream.readableEnded) this.stream.destroy();
  }

  private wake(): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.();
  }
}
