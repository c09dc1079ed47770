import { CeranaError } from '../../../common/errors.js';
import { DockerEngine, resolveSocket } from '../../../image/source/docker-daemon/engine.js';
import { Assembler } from '../../enrich/assembler.js';
import { ContainerDirectory, type DockerApi } from '../../enrich/containers.js';
import { scanProcesses } from '../../enrich/proc-scan.js';
import { ProcessTable } from '../../enrich/process-table.js';
import { AccountDirectory } from '../../enrich/users.js';
import type { ContainerInfo, RuntimeEvent } from '../../event/types.js';
import { OK_FIELD, type SensorRecord } from '../records.js';
import { ReorderBuffer } from '../reorder.js';
import type { Sensor, SensorStats } from '../sensor.js';
import { BpftraceParser } from './parse.js';
import { checkPrerequisites, type PreflightOptions } from './preflight.js';
import { DEFAULT_STRING_PIECES, DEFAULT_STRLEN, generateProgram } from './program.js';
import { BpftraceRunner } from './runner.js';

export interface BpftraceSensorOptions {
  /** Also report the calls of host processes (by default only processes in containers). */
  readonly includeHost?: boolean;
  /** Which containers' events are wanted (default: every container). */
  readonly wants?: (container: ContainerInfo | undefined) => boolean;
  /** Docker Engine API to attribute containers with; `false` for none (default: the local daemon). */
  readonly docker?: DockerApi | false;
  readonly dockerSocket?: string;
  readonly preflight?: PreflightOptions;
  /** Kernel stack size (x86_64: 16 KiB; 32 KiB with KASAN). */
  readonly threadSize?: number;
  /** How long records are held to restore time order across CPUs (default 50 ms). */
  readonly reorderWindowMs?: number;
  /** Per-CPU output buffer, in pages (bpftrace's BPFTRACE_PERF_RB_PAGES; default 1024). */
  readonly bufferPages?: number;
  /** Records waiting for processing beyond this are dropped (counted in stats). */
  readonly maxQueued?: number;
  readonly onWarning?: (message: string) => void;
}

/** Exited processes stay in the table this long, for late events and their children. */
const EXITED_GRACE_MS = 30_000;
const HOUSEKEEPING_MS = 5000;
const TICK_MS = 10;

/** Kernel monotonic clock now (CLOCK_MONOTONIC, as bpf_ktime_get_ns). */
const monoNow = (): number => Number(process.hrtime.bigint());

/**
 * The bpftrace backend: generates the program for this kernel, runs bpftrace, decodes its
 * lines, restores time order, attributes containers and assembles runtime events.
 */
export class BpftraceSensor implements Sensor {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private rejectFinished!: (err: Error) => void;
  private runner: BpftraceRunner | undefined;
  private readonly parser = new BpftraceParser(DEFAULT_STRLEN);
  private readonly reorder: ReorderBuffer<SensorRecord>;
  private queue: SensorRecord[] = [];
  private qhead = 0;
  private drainRunning = false;
  private drainDone: Promise<void> = Promise.resolve();
  private assembler: Assembler | undefined;
  private table: ProcessTable | undefined;
  private containers: ContainerDirectory | undefined;
  private readonly accounts = new AccountDirectory();
  private onEvent: ((e: RuntimeEvent) => void) | undefined;
  private tick: NodeJS.Timeout | undefined;
  private housekeeping: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private counts = { records: 0, events: 0, lost: 0, dropped: 0, unreadableArgs: 0 };
  private warnedArgs = false;

  constructor(private readonly o: BpftraceSensorOptions = {}) {
    this.reorder = new ReorderBuffer((o.reorderWindowMs ?? 50) * 1_000_000);
    this.finished = new Promise<void>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    // Observed through stop() or start() by callers; a rejection must not go unhandled meanwhile.
    this.finished.catch(() => undefined);
  }

  /** The bpftrace process id while running. */
  get pid(): number | undefined {
    return this.runner?.pid;
  }

  stats(): SensorStats {
    return { ...this.counts, malformed: this.parser.malformed };
  }

  async start(onEvent: (e: RuntimeEvent) => void): Promise<void> {
    if (this.onEvent !== undefined) throw new CeranaError('USAGE', 'the sensor is already started');
    this.onEvent = onEvent;
    const pre = checkPrerequisites(this.o.preflight);
    const docker =
      this.o.docker === false
        ? undefined
        : (this.o.docker ?? new DockerEngine(resolveSocket({ dockerSocket: this.o.dockerSocket })));
    const containers = new ContainerDirectory(docker, pre.hostMntns, {
      ...(this.o.onWarning === undefined ? {} : { onWarning: this.o.onWarning }),
    });
    this.containers = containers;
    const table = new ProcessTable({
      containerOf: (ns) => {
        const c = containers.lookup(ns);
        return c === 'unknown' ? undefined : c;
      },
      accounts: this.accounts,
    });
    this.table = table;
    const wants = this.o.wants ?? (() => true);
    const includeHost = this.o.includeHost === true;
    // Kernel monotonic ns → wall-clock ns, fixed once: both clocks advance together.
    const offset = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
    this.assembler = new Assembler({
      table,
      containers,
      wallClock: (mono) => BigInt(Math.trunc(mono)) + offset,
      wants: (c) => (c !== undefined || includeHost) && wants(c),
    });
    const program = (legacyCapabilities: boolean) =>
      generateProgram({
        selfPid: process.pid,
        ...(includeHost ? {} : { hostMntns: pre.hostMntns }),
        threadSize: this.o.threadSize ?? 16384,
        tracepoints: pre.tracepoints,
        strlen: DEFAULT_STRLEN,
        stringPieces: DEFAULT_STRING_PIECES,
        legacyCapabilities,
      }).text;
    const start = (text: string) =>
      BpftraceRunner.start({
        bpftrace: pre.bpftrace,
        program: text,
        env: {
          BPFTRACE_STRLEN: String(DEFAULT_STRLEN),
          BPFTRACE_PERF_RB_PAGES: String(this.o.bufferPages ?? 1024),
        },
        onLine: (line) => this.line(line),
        ...(this.o.onWarning === undefined
          ? {}
          : { onDiagnostic: (l: string) => this.o.onWarning?.(`bpftrace: ${l}`) }),
      });
    try {
      this.runner = await start(program(false));
    } catch (err) {
      // Capability sets changed shape in Linux 6.3; older kernels get the older expression.
      if (!(err instanceof Error && /field named 'val'/.test(err.message))) throw err;
      this.runner = await start(program(true));
    }
    // Processes that exist already; records that arrived meanwhile wait in the reorder buffer.
    table.seed(scanProcesses());
    void this.runner.exited.then((exit) => {
      if (this.stopping === undefined) {
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.code}`;
        const detail = this.runner?.lastDiagnostics.at(-1);
        this.fail(new CeranaError('INTERNAL', `bpftrace ${how}${detail ? `: ${detail}` : ''}`));
      }
    });
    this.tick = setInterval(() => this.release(monoNow()), TICK_MS);
    this.housekeeping = setInterval(() => this.sweep(), HOUSEKEEPING_MS);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.tick);
      clearInterval(this.housekeeping);
      await this.runner?.stop();
      this.reorder.drain((r) => this.enqueue(r));
      await this.drain();
      this.resolveFinished();
    })();
    return this.stopping;
  }

  private fail(err: Error): void {
    clearInterval(this.tick);
    clearInterval(this.housekeeping);
    this.stopping = Promise.resolve();
    this.rejectFinished(err);
  }

  private line(line: string): void {
    const parsed = this.parser.parse(line);
    if (parsed.type === 'record') {
      this.counts.records++;
      this.assembler?.prefetch(parsed.record);
      this.reorder.push(parsed.record, (r) => this.enqueue(r));
    } else if (parsed.type === 'lost') {
      this.counts.lost += parsed.events;
    }
  }

  private release(now: number): void {
    this.reorder.releaseUntil(now, (r) => this.enqueue(r));
    if (this.queue.length > this.qhead) void this.drain();
  }

  private enqueue(r: SensorRecord): void {
    if (this.queue.length - this.qhead >= (this.o.maxQueued ?? 1_000_000)) {
      this.counts.dropped++;
      return;
    }
    const ok = OK_FIELD[r.kind] ?? -1;
    if (ok >= 0 && r.n[ok] === 0) this.counts.unreadableArgs++;
    this.queue.push(r);
  }

  private drain(): Promise<void> {
    // The loop often finishes without ever awaiting, so the flag (not the promise) says whether it runs.
    if (this.drainRunning) return this.drainDone;
    this.drainRunning = true;
    this.drainDone = (async () => {
      const assembler = this.assembler as Assembler;
      try {
        while (this.qhead < this.queue.length) {
          const r = this.queue[this.qhead] as SensorRecord;
          // A namespace seen for the first time is attributed before anything of it is assembled.
          if (assembler.needsResolution(r)) await assembler.resolve(r);
          this.qhead++;
          const e = assembler.process(r);
          if (e !== undefined) {
            this.counts.events++;
            this.onEvent?.(e);
          }
        }
      } catch (err) {
        // A failing consumer (or a bug here) must not leave bpftrace running unattended.
        this.fail(err instanceof Error ? err : new Error(String(err)));
        void this.runner?.stop();
      } finally {
        this.queue = this.queue.slice(this.qhead);
        this.qhead = 0;
        this.drainRunning = false;
      }
    })();
    return this.drainDone;
  }

  private sweep(): void {
    const { records, unreadableArgs } = this.counts;
    if (!this.warnedArgs && records > 1000 && unreadableArgs > records / 2) {
      this.warnedArgs = true;
      this.o.onWarning?.(
        'system call arguments cannot be read (saved registers not where expected): is the kernel stack size ' +
          `${this.o.threadSize ?? 16384} bytes? (KASAN kernels use 32768: set threadSize)`,
      );
    }
    this.table?.sweep(EXITED_GRACE_MS);
    for (const root of this.containers?.sweep() ?? []) this.accounts.forget(root);
  }
}
