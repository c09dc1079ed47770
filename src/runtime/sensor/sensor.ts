import type { RuntimeEvent } from '../event/types.js';

/**
 * A source of runtime events: a kernel backend (bpftrace now, libbpf/CO-RE later) or a
 * recording being replayed. Everything downstream (recording, rules, alerts) only sees this.
 */
export interface Sensor {
  /** Starts delivering events; resolves once the sensor is running. */
  start(onEvent: (e: RuntimeEvent) => void): Promise<void>;
  /** Stops, delivering what was already observed first; idempotent. */
  stop(): Promise<void>;
  /** Settles when the sensor has stopped (by `stop()`, end of input, or failure: then it rejects). */
  readonly finished: Promise<void>;
  stats(): SensorStats;
}

export interface SensorStats {
  /** Raw records decoded from the backend (0 for replays). */
  readonly records: number;
  readonly events: number;
  /** Records the kernel could not hand over (full buffers). */
  readonly lost: number;
  /** Records dropped because processing fell too far behind. */
  readonly dropped: number;
  /** Lines or records that could not be decoded. */
  readonly malformed: number;
  /** Records whose call arguments could not be read (only the result is known). */
  readonly unreadableArgs: number;
}
