import { closeSync, openSync, writeSync } from 'node:fs';
import { CeranaError } from '../../common/errors.js';
import { createRecordingWriter, type RecordingFormat, type RecordingWriter } from '../event/recording.js';
import type { RuntimeEvent } from '../event/types.js';

/** Events buffered before they are written out (they are also written every `flushMs`). */
const FLUSH_EVENTS = 4096;

/** Writes events to a recording file (`--record`), in the compact format by default. */
export class EventRecorder {
  private readonly fd: number;
  private readonly writer: RecordingWriter;
  private pendingEvents = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  bytes = 0;

  constructor(
    readonly path: string,
    format: RecordingFormat = 'binary',
    flushMs = 200,
  ) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new CeranaError('INPUT', `cannot write the recording ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.writer = createRecordingWriter(format);
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  write(e: RuntimeEvent): void {
    this.writer.write(e);
    if (++this.pendingEvents >= FLUSH_EVENTS) this.flush();
  }

  flush(): void {
    if (this.closed) return;
    this.pendingEvents = 0;
    const data = this.writer.take();
    if (data.length === 0) return;
    // Synchronous on purpose: a watch that outruns its disk fails loudly instead of leaving holes.
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    this.bytes += data.length;
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
