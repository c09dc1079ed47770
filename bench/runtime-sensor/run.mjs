#!/usr/bin/env node
/**
 * Runtime sensor benchmark (bpftrace backend), all in one run on this machine:
 *   - baseline: a tight C loop of open+close, untraced (ns per iteration);
 *   - the same loop while the sensor watches everything (host included): the per-call cost the
 *     probes add, and how many events per second the whole pipeline (kernel → bpftrace → decode
 *     → reorder → process/fd tables → RuntimeEvent) sustains, with the records lost on the way;
 *   - the same loop while the sensor watches containers only (the default): the cost of a probe
 *     that filters the call out in the kernel.
 *
 *   sudo node bench/runtime-sensor/run.mjs [--iterations 1000000] [--runs 3] [--json]
 *
 * Needs root, bpftrace, tracefs and gcc. See README.md in this folder.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const execFileAsync = promisify(execFile);

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITERATIONS = arg('iterations', 1_000_000);
const RUNS = arg('runs', 3);
const JSON_OUT = process.argv.includes('--json');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${Math.round(n / 1e3)} k`);

const work = mkdtempSync(join(tmpdir(), 'cerana-bench-sensor-'));
try {
  const loop = join(work, 'opens');
  execFileSync('gcc', ['-O2', '-o', loop, join(here, 'opens.c')]);
  // The sensor is bundled from the sources, so the benchmark does not depend on a full build.
  const bundle = join(work, 'sensor.mjs');
  await build({
    entryPoints: [join(here, '../../src/runtime/sensor/bpftrace/sensor.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  const { BpftraceSensor } = await import(bundle);

  // Asynchronous on purpose: the sensor must keep reading bpftrace's output while the loop runs.
  const runLoop = async () => {
    const t0 = performance.now();
    const child = execFileAsync(loop, [String(ITERATIONS)], { encoding: 'utf8' });
    const pid = child.child.pid;
    const { stdout } = await child;
    return { pid, nsPerIteration: Number(stdout.trim()), wallMs: performance.now() - t0 };
  };

  await runLoop(); // warm-up
  const baselineRuns = [];
  for (let r = 0; r < RUNS; r++) baselineRuns.push((await runLoop()).nsPerIteration);
  const baseline = median(baselineRuns);

  /**
   * The loop under a running sensor. Events of the loop processes are counted as they arrive;
   * after each run the sensor gets up to 10 s to deliver what the kernel still holds.
   */
  async function traced(includeHost) {
    let events = 0;
    const loopPids = new Set();
    let loopEvents = 0;
    const sensor = new BpftraceSensor({ includeHost, docker: false });
    await sensor.start((e) => {
      events++;
      if (loopPids.has(e.proc.pid) && e.type === 'openat') loopEvents++;
    });
    const ns = [];
    let busyMs = 0;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const child = execFileAsync(loop, [String(ITERATIONS)], { encoding: 'utf8' });
      loopPids.add(child.child.pid);
      const { stdout } = await child;
      ns.push(Number(stdout.trim()));
      let last = -1;
      const t1 = performance.now();
      while (loopEvents !== last && performance.now() - t1 < 10_000) {
        last = loopEvents;
        await new Promise((r) => setTimeout(r, 250));
      }
      busyMs += performance.now() - t0 - 250;
    }
    await sensor.stop();
    return { nsPerIteration: median(ns), events, loopEvents, busyMs, stats: sensor.stats() };
  }

  const all = await traced(true);
  const containersOnly = await traced(false);

  const produced = RUNS * ITERATIONS; // one openat event per iteration (close is filtered in the kernel)
  const seconds = all.busyMs / 1000;
  const result = {
    iterations: ITERATIONS,
    runs: RUNS,
    baselineNsPerIteration: baseline,
    tracedAllNsPerIteration: all.nsPerIteration,
    overheadAllNsPerCall: all.nsPerIteration - baseline,
    slowdownAll: all.nsPerIteration / baseline,
    tracedContainersOnlyNsPerIteration: containersOnly.nsPerIteration,
    overheadFilteredNsPerCall: containersOnly.nsPerIteration - baseline,
    eventsPerSecond: all.loopEvents / seconds,
    allEventsPerSecond: all.events / seconds,
    loopEventsDelivered: all.loopEvents,
    loopEventsProduced: produced,
    recordsLost: all.stats.lost,
    recordsDecoded: all.stats.records,
    stats: all.stats,
  };
  if (JSON_OUT) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(`open+close loop, ${ITERATIONS.toLocaleString()} iterations x ${RUNS} runs (median)`);
    console.log(`  untraced (baseline)            ${baseline.toFixed(0)} ns/iteration`);
    console.log(
      `  traced, all processes          ${all.nsPerIteration.toFixed(0)} ns/iteration  (+${result.overheadAllNsPerCall.toFixed(0)} ns per open, ${result.slowdownAll.toFixed(2)}x baseline)`,
    );
    console.log(
      `  traced, containers only        ${containersOnly.nsPerIteration.toFixed(0)} ns/iteration  (+${result.overheadFilteredNsPerCall.toFixed(0)} ns: probe that filters the call out, ${(containersOnly.nsPerIteration / baseline).toFixed(2)}x baseline)`,
    );
    console.log(`pipeline throughput (kernel → bpftrace → RuntimeEvent), watching everything`);
    console.log(
      `  loop events delivered          ${fmt(result.eventsPerSecond)} events/s sustained over ${seconds.toFixed(1)} s (all processes: ${fmt(result.allEventsPerSecond)} events/s)`,
    );
    console.log(
      `  loop opens delivered           ${all.loopEvents.toLocaleString()} for ${produced.toLocaleString()} iterations (${Math.min(100, (100 * all.loopEvents) / produced).toFixed(1)}%; the loader's own opens count too)`,
    );
    console.log(`  records lost in the kernel     ${all.stats.lost.toLocaleString()}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
