import { createReadStream, type ReadStream } from 'node:fs';
import { CeranaError } from '../../common/errors.js';
import { createRecordingReader, detectRecordingFormat, type RecordingReader } from '../event/recording.js';
import type { RuntimeEvent } from '../event/types.js';
import type { Sensor, SensorStats } from './sensor.js';

/** Reads a recorded event stream (`--record`, binary or JSON lines) as a sensor. */
export class ReplaySensor implements Sensor {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private rejectFinished!: (err: Error) => void;
  private stream: ReadStream | undefined;
  private events = 0;
  private malformed = 0;

  constructor(private readonly file: string) {
    this.finished = new Promise<void>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    this.finished.catch(() => undefined);
  }

  stats(): SensorStats {
    return {
      records: 0,
      events: this.events,
      lost: 0,
      dropped: 0,
      malformed: this.malformed,
      unreadableArgs: 0,
    };
  }

  start(onEvent: (e: RuntimeEvent) => void): Promise<void> {
    return new Promise<void>((resolveStart, rejectStart) => {
      const stream = createReadStream(this.file, { highWaterMark: 1024 * 1024 });
      this.stream = stream;
      let reader: RecordingReader | undefined;
      const emit = (e: RuntimeEvent) => {
        this.events++;
        onEvent(e);
      };
      const fail = (err: unknown) => {
        this.malformed++;
        const error =
          err instanceof CeranaError
            ? err
            : new CeranaError('INPUT', `cannot read the recording ${this.file}: ${(err as Error).message}`, {
                cause: err,
              });
        stream.destroy();
        rejectStart(error);
        this.rejectFinished(error);
      };
      stream.on('open', () => resolveStart());
      stream.on('error', fail);
      stream.on('data', (chunk: string | Buffer) => {
        const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        try {
          reader ??= createRecordingReader(detectRecordingFormat(data));
          reader.push(data, emit);
        } catch (err) {
          fail(err);
        }
      });
      stream.on('end', () => {
        try {
          if (reader === undefined) throw new CeranaError('INPUT', `the recording ${this.file} is empty`);
          reader.end(emit);
          this.resolveFinished();
        } catch (err) {
          fail(err);
        }
      });
    });
  }

  async stop(): Promise<void> {
    if (this.stream !== undefined && !this.stream.destroyed) {
      this.stream.destroy();
      this.resolveFinished();
    }
    await this.finished.catch(() => undefined);
  }
}
