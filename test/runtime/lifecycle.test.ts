/**
 * Starting and stopping the sensor for real: clear errors when it cannot start (not root,
 * bpftrace or tracefs missing), and no bpftrace left behind however Cerana ends (stopped,
 * SIGINT, SIGTERM, or killed outright).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { startWatch } from '../../src/runtime/pipeline.js';
import { checkPrerequisites } from '../../src/runtime/sensor/bpftrace/preflight.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import {
  eventually,
  loadTestRules,
  SENSOR_COMPONENTS,
  STOCK_RULES,
  sensorAvailable,
} from './support/sensor.js';

const it = requireIntegration(SENSOR_COMPONENTS, sensorAvailable);
const FIXTURE = fileURLToPath(new URL('./fixtures/watch-child.ts', import.meta.url));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CeranaError);
    return err;
  }
  throw new Error('expected an error');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Child {
  readonly process: ChildProcess;
  /** Parsed JSON lines printed so far. */
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

function runChild(command: string, args: string[]): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { process: child, lines, exited };
}

describe('sensor lifecycle', () => {
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    if (!sensorAvailable) return;
    dir = mkdtempSync(join(tmpdir(), 'cerana-test-lifecycle-'));
    // Readable by the unprivileged user one test runs it as.
    chmodSync(dir, 0o755);
    bundle = join(dir, 'watch-child.mjs');
    await build({
      entryPoints: [FIXTURE],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'error',
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    chmodSync(bundle, 0o644);
  }, 120_000);

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('says clearly when it is not root', async () => {
    expect(commandWorks('setpriv', ['--version'])).toBe(true);
    const child = runChild('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      bundle,
      STOCK_RULES,
    ]);
    expect(await child.exited).toBe(2);
    expect(child.lines[0]).toEqual({
      error: 'the runtime sensor must run as root (it loads eBPF programs)',
      code: 'UNSUPPORTED',
    });
  });

  it('says clearly when bpftrace is missing or tracefs is not mounted', async () => {
    expect(thrown(() => checkPrerequisites({ bpftrace: '/nonexistent/bpftrace' }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'bpftrace is not installed (/nonexistent/bpftrace not found)',
    });
    const rules = loadTestRules([STOCK_RULES]);
    await expect(
      startWatch({ rules, sensor: { preflight: { bpftrace: 'cerana-no-such-bpftrace' } } }),
    ).rejects.toThrow(/bpftrace is not installed/);
    const empty = mkdtempSync(join(tmpdir(), 'cerana-test-tracefs-'));
    try {
      expect(() => checkPrerequisites({ tracefs: [empty] })).toThrow(/tracefs is not mounted/);
      await expect(startWatch({ rules, sensor: { preflight: { tracefs: [empty] } } })).rejects.toMatchObject({
        code: 'UNSUPPORTED',
        hint: 'mount it: mount -t tracefs nodev /sys/kernel/tracing',
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    expect(() => checkPrerequisites({ arch: 'arm64' })).toThrow(/x86_64 hosts only/);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} stops the watch and its bpftrace`, async () => {
      const child = runChild(process.execPath, [bundle, STOCK_RULES]);
      const ready = await eventually(() => child.lines.find((l) => l.ready === true), 300_000);
      const pid = ready?.pid as number;
      expect(alive(pid)).toBe(true);
      child.process.kill(signal);
      expect(await child.exited).toBe(0);
      expect(child.lines.at(-1)).toMatchObject({ stopped: true });
      expect(alive(pid)).toBe(false);
    }, 400_000);
  }

  it('a watch whose bpftrace dies ends with a clear error', async () => {
    const watch = await startWatch({ rules: loadTestRules([STOCK_RULES]) });
    process.kill(watch.pid as number, 'SIGKILL');
    await expect(watch.done).rejects.toThrow('bpftrace was killed by SIGKILL');
    await watch.stop();
  }, 400_000);

  it('bpftrace does not outlive a Cerana killed outright (SIGKILL)', async () => {
    const child = runChild(process.execPath, [bundle, STOCK_RULES]);
    const ready = await eventually(() => child.lines.find((l) => l.ready === true), 300_000);
    const pid = ready?.pid as number;
    expect(alive(pid)).toBe(true);
    // The generated program file is gone as soon as bpftrace has read it.
    const program = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).at(-1) as string;
    expect(program).toMatch(/sensor\.bt$/);
    expect(existsSync(program)).toBe(false);
    child.process.kill('SIGKILL');
    await child.exited;
    expect(await eventually(() => (alive(pid) ? undefined : true), 30_000)).toBe(true);
  }, 400_000);
});
