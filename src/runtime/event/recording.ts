import { BINARY_MAGIC, BinaryRecordReader, BinaryRecordWriter } from './binary-codec.js';
import { JsonRecordReader, JsonRecordWriter } from './json-codec.js';
import type { RuntimeEvent } from './types.js';

/**
 * Event recordings: `binary` (compact, fast to decode: the default) or `json` (JSON lines,
 * readable). Both keep every field of every event, so a replay evaluates exactly as live.
 */
export type RecordingFormat = 'binary' | 'json';

export interface RecordingWriter {
  write(event: RuntimeEvent): void;
  /** Bytes produced since the last call, to append to the file or stream. */
  take(): Buffer;
}

export interface RecordingReader {
  /** Decodes what `chunk` completes, in order; chunks may split records anywhere. */
  push(chunk: Uint8Array, onEvent: (e: RuntimeEvent) => void): void;
  /** Flushes the end of input; throws when the recording stops mid-record. */
  end(onEvent: (e: RuntimeEvent) => void): void;
  /** Snapshots held for later references; forget records keep this bounded. */
  readonly tableSizes: { processes: number; fds: number; containers: number };
}

export function createRecordingWriter(format: RecordingFormat): RecordingWriter {
  return format === 'binary' ? new BinaryRecordWriter() : new JsonRecordWriter();
}

export function createRecordingReader(format: RecordingFormat): RecordingReader {
  return format === 'binary' ? new BinaryRecordReader() : new JsonRecordReader();
}

/** The format of a recording from its first bytes (binary ones start with a magic header). */
export function detectRecordingFormat(head: Uint8Array): RecordingFormat {
  const prefix = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, BINARY_MAGIC.length));
  return prefix.equals(BINARY_MAGIC.subarray(0, prefix.length)) && prefix.length > 0 ? 'binary' : 'json';
}

/** Decodes a whole in-memory recording. */
export function decodeRecording(data: Uint8Array): RuntimeEvent[] {
  const reader = createRecordingReader(detectRecordingFormat(data));
  const events: RuntimeEvent[] = [];
  const push = (e: RuntimeEvent) => events.push(e);
  reader.push(data, push);
  reader.end(push);
  return events;
}

/** Encodes events into one in-memory recording. */
export function encodeRecording(events: Iterable<RuntimeEvent>, format: RecordingFormat = 'binary'): Buffer {
  const writer = createRecordingWriter(format);
  for (const e of events) writer.write(e);
  return writer.take();
}
