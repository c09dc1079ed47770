import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CeranaError } from '../../../common/errors.js';
import { findExecutable } from './preflight.js';

/**
 * The bpftrace child process: started with the generated program, its JSON lines handed over
 * one by one, and stopped cleanly. It runs in its own process group (a terminal's Ctrl-C
 * reaches only Cerana, which then stops bpftrace after draining it) and, where util-linux's
 * setpriv is available, with a parent-death signal, so it cannot outlive a Cerana that was
 * killed outright.
 */

export interface RunnerOptions {
  readonly bpftrace: string;
  readonly program: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly onLine: (line: string) => void;
  /** A bpftrace diagnostic worth showing (known noise is filtered out). */
  readonly onDiagnostic?: (line: string) => void;
  readonly startTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
}

export interface RunnerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** stderr lines that say nothing useful: bpftrace prints them on every start here. */
const NOISE = [/RLIMIT_MEMLOCK/, /^\s*$/, /Addrspace mismatch/];
const DIAGNOSTICS_KEPT = 20;

export class BpftraceRunner {
  readonly exited: Promise<RunnerExit>;
  private readonly child: ChildProcess;
  private readonly dir: string;
  private exitInfo: RunnerExit | undefined;
  private readonly diagnostics: string[] = [];
  private stopping: Promise<RunnerExit> | undefined;

  private constructor(
    private readonly o: RunnerOptions,
    readyResolve: () => void,
    readyReject: (err: Error) => void,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'cerana-bpftrace-'));
    const file = join(this.dir, 'sensor.bt');
    writeFileSync(file, o.program);
    const setpriv = findExecutable('setpriv');
    const argv = [o.bpftrace, '-f', 'json', '--no-warnings', file];
    const [command, ...args] = setpriv === undefined ? argv : [setpriv, '--pdeathsig', 'KILL', '--', ...argv];
    this.child = spawn(command as string, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, ...o.env },
    });
    let ready = false;
    let pending = '';
    const stdout = this.child.stdout;
    const stderr = this.child.stderr;
    stdout?.setEncoding('utf8');
    stdout?.on('data', (chunk: string) => {
      const text = pending + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const line = text.slice(start, nl);
        start = nl + 1;
        if (!ready && line.startsWith('{"type": "attached_probes"')) {
          ready = true;
          // bpftrace has read its program: nothing is left behind even if Cerana is killed outright.
          this.removeProgram();
          readyResolve();
        }
        o.onLine(line);
      }
      pending = text.slice(start);
    });
    let errPending = '';
    stderr?.setEncoding('utf8');
    stderr?.on('data', (chunk: string) => {
      const lines = (errPending + chunk).split('\n');
      errPending = lines.pop() ?? '';
      for (const line of lines) this.diagnostic(line);
    });
    this.exited = new Promise<RunnerExit>((resolve) => {
      this.child.on('error', (err) => {
        this.diagnostic(err.message);
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
      // 'close' comes after the output pipes drained, so every line was handed over.
      this.child.on('close', (code, signal) => {
        if (pending.length > 0) o.onLine(pending);
        if (errPending.length > 0) this.diagnostic(errPending);
        this.exitInfo = { code, signal };
        this.removeProgram();
        resolve(this.exitInfo);
      });
    });
    void this.exited.then(() => {
      if (!ready) readyReject(this.startFailure());
    });
  }

  /** Starts bpftrace; resolves once its probes are attached. */
  static async start(o: RunnerOptions): Promise<BpftraceRunner> {
    let resolveReady!: () => void;
    let rejectReady!: (err: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    // Settled again after a timeout has already failed the start: nothing left to report.
    ready.catch(() => undefined);
    const runner = new BpftraceRunner(o, resolveReady, rejectReady);
    const timeoutMs = o.startTimeoutMs ?? 180_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CeranaError('INTERNAL', `bpftrace did not attach its probes within ${timeoutMs / 1000} s`, {
              hint: 'the machine may be overloaded; see bpftrace -l to check the tracepoints',
            }),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([ready, timeout]);
    } catch (err) {
      await runner.stop();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return runner;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last diagnostics bpftrace printed. */
  get lastDiagnostics(): readonly string[] {
    return this.diagnostics;
  }

  /** SIGINT (bpftrace detaches its probes and exits), SIGKILL if it does not within the timeout. */
  stop(): Promise<RunnerExit> {
    if (this.exitInfo !== undefined) return Promise.resolve(this.exitInfo);
    this.stopping ??= (async () => {
      this.signal('SIGINT');
      const timeoutMs = this.o.stopTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), timeoutMs);
      });
      const first = await Promise.race([this.exited, late]);
      clearTimeout(timer);
      if (first === 'late') this.signal('SIGKILL');
      return this.exited;
    })();
    return this.stopping;
  }

  private removeProgram(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private signal(sig: NodeJS.Signals): void {
    try {
      this.child.kill(sig);
    } catch {
      // Already gone.
    }
  }

  private diagnostic(line: string): void {
    if (NOISE.some((re) => re.test(line))) return;
    this.diagnostics.push(line);
    if (this.diagnostics.length > DIAGNOSTICS_KEPT) this.diagnostics.shift();
    this.o.onDiagnostic?.(line);
  }

  private startFailure(): CeranaError {
    const detail = this.diagnostics.find((l) => /error/i.test(l)) ?? this.diagnostics[0];
    const how = this.exitInfo?.signal
      ? `was killed by ${this.exitInfo.signal}`
      : `exited with ${this.exitInfo?.code}`;
    return new CeranaError(
      'INTERNAL',
      `bpftrace ${how} before attaching its probes${detail === undefined ? '' : `: ${detail.trim()}`}`,
      {
        hint: 'check that tracefs is mounted and the kernel has BTF; bpftrace --info lists what it supports',
      },
    );
  }
}
