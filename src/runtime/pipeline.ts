import { type Alert, alertToJson, Engine, type EngineOptions, type RuleSet } from './engine/index.js';
import type { RecordingFormat } from './event/recording.js';
import type { ContainerInfo, RuntimeEvent } from './event/types.js';
import { BpftraceSensor, type BpftraceSensorOptions } from './sensor/bpftrace/sensor.js';
import { EventRecorder } from './sensor/recorder.js';
import { ReplaySensor } from './sensor/replay.js';
import type { Sensor, SensorStats } from './sensor/sensor.js';

/**
 * The runtime pipeline: a sensor (live bpftrace, or a recording) → container filter →
 * recording → rules → alerts. Live and replayed events go through the same detector, so a
 * recording replays into exactly the alerts the live run raised.
 */

export type AlertFormat = 'json' | 'text';

export interface DetectionOptions {
  /** Loaded rules (`loadRules` from the engine). */
  readonly rules: RuleSet;
  readonly engine?: EngineOptions;
  /** `all` containers (default), or container ids (full or prefix) and names. */
  readonly containers?: 'all' | readonly string[];
  /** Also watch processes outside containers. */
  readonly includeHost?: boolean;
  /** How `onAlert`'s line is written: Falco's JSON (default) or its text output. */
  readonly format?: AlertFormat;
  readonly onAlert?: (alert: Alert, line: string) => void;
  /** Every event that passed the container filter (before rules). */
  readonly onEvent?: (e: RuntimeEvent) => void;
}

export interface WatchOptions extends DetectionOptions {
  /** Write every event to this file (replay it with `replay`). */
  readonly record?: string;
  readonly recordFormat?: RecordingFormat;
  /** Aborting stops the watch (wire SIGINT/SIGTERM to it). */
  readonly signal?: AbortSignal;
  readonly onWarning?: (message: string) => void;
  /** Backend settings (Docker socket, buffer sizes...). */
  readonly sensor?: Omit<BpftraceSensorOptions, 'includeHost' | 'wants' | 'onWarning'>;
}

export interface WatchSummary {
  readonly events: number;
  readonly alerts: number;
  readonly sensor: SensorStats;
  /** Bytes written to the recording, when recording. */
  readonly recordedBytes?: number;
}

export interface WatchHandle {
  /** The bpftrace process. */
  readonly pid: number | undefined;
  /** Stops the sensor (its child processes included) after delivering what it observed. */
  stop(): Promise<WatchSummary>;
  /** Settles when the watch ends: stopped, aborted, or failed (the sensor died). */
  readonly done: Promise<WatchSummary>;
}

export function formatAlert(alert: Alert, format: AlertFormat): string {
  return format === 'text' ? alert.output : alertToJson(alert);
}

/** Which events a watch keeps, by the container they come from (undefined: the host). */
export function containerFilter(
  containers: 'all' | readonly string[] = 'all',
  includeHost = false,
): (c: ContainerInfo | undefined) => boolean {
  if (containers === 'all') return (c) => c !== undefined || includeHost;
  const wanted = containers.map((s) => s.toLowerCase());
  return (c) => {
    if (c === undefined) return includeHost;
    return wanted.some((w) => c.name === w || (w.length >= 4 && c.fullId.startsWith(w)));
  };
}

/** Container filter, recording, then rules; runtime setup events are recorded but never judged. */
class Detector {
  events = 0;
  alerts = 0;
  private readonly engine: Engine;
  private readonly wants: (c: ContainerInfo | undefined) => boolean;

  constructor(
    private readonly o: DetectionOptions,
    private readonly recorder?: EventRecorder,
  ) {
    this.engine = new Engine(o.rules, o.engine);
    this.wants = containerFilter(o.containers, o.includeHost);
  }

  handle(e: RuntimeEvent): void {
    if (!this.wants(e.proc.container)) return;
    this.events++;
    this.recorder?.write(e);
    this.o.onEvent?.(e);
    if (e.proc.runtimeSetup === true) return;
    const alerts = this.engine.process(e);
    for (const alert of alerts) {
      this.alerts++;
      this.o.onAlert?.(alert, formatAlert(alert, this.o.format ?? 'json'));
    }
  }
}

function summary(d: Detector, sensor: Sensor, recorder?: EventRecorder): WatchSummary {
  return {
    events: d.events,
    alerts: d.alerts,
    sensor: sensor.stats(),
    ...(recorder === undefined ? {} : { recordedBytes: recorder.bytes }),
  };
}

/**
 * Starts watching containers with the bpftrace sensor. Rejects with a CeranaError when the
 * sensor cannot start (not root, bpftrace or tracefs missing...).
 */
export async function startWatch(o: WatchOptions): Promise<WatchHandle> {
  const recorder = o.record === undefined ? undefined : new EventRecorder(o.record, o.recordFormat);
  const detector = new Detector(o, recorder);
  const sensor = new BpftraceSensor({
    ...o.sensor,
    includeHost: o.includeHost === true,
    wants: containerFilter(o.containers, o.includeHost),
    ...(o.onWarning === undefined ? {} : { onWarning: o.onWarning }),
  });
  try {
    await sensor.start((e) => detector.handle(e));
  } catch (err) {
    await sensor.stop().catch(() => undefined);
    recorder?.close();
    throw err;
  }
  let stopped: Promise<WatchSummary> | undefined;
  const stop = (): Promise<WatchSummary> => {
    stopped ??= sensor.stop().then(
      () => {
        recorder?.close();
        return summary(detector, sensor, recorder);
      },
      (err: unknown) => {
        recorder?.close();
        throw err;
      },
    );
    return stopped;
  };
  const onAbort = () => void stop().catch(() => undefined);
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const done = sensor.finished.then(
    () => stop(),
    (err: unknown) => {
      recorder?.close();
      throw err;
    },
  );
  void done.finally(() => o.signal?.removeEventListener('abort', onAbort)).catch(() => undefined);
  return { pid: sensor.pid, stop, done };
}

export interface ReplayResult {
  readonly alerts: Alert[];
  readonly events: number;
}

/** Replays a recording through the same detector as a live watch; resolves with its alerts. */
export async function replay(file: string, o: DetectionOptions): Promise<ReplayResult> {
  const alerts: Alert[] = [];
  const detector = new Detector({
    ...o,
    onAlert: (alert, line) => {
      alerts.push(alert);
      o.onAlert?.(alert, line);
    },
  });
  const sensor = new ReplaySensor(file);
  await sensor.start((e) => detector.handle(e));
  await sensor.finished;
  return { alerts, events: detector.events };
}
