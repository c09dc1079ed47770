#!/usr/bin/env node
/**
 * Runtime rule-engine benchmark: the stock Falco rules against a recorded synthetic stream.
 *
 *   npm run build && node bench/runtime-engine/run.mjs [--events 500000] [--runs 3] [--rate 100000]
 *                                                      [--realtime] [--json]
 *
 * A first child process generates the stream and records it to a temporary file; two more
 * measure, each in a process of its own (so neither inherits the other's heap or the generator's):
 *   - throughput, under `node --single-threaded` (garbage collection and JIT compilation on the
 *     main thread too, so process CPU time is the cost on one core): decode of the binary and the
 *     JSON-lines recording, evaluation of decoded events, replay (binary decode + evaluation; the
 *     ≥ 500,000 events/s target), and a baseline replay with no rules, in the same run;
 *   - latency, under default flags (as an agent runs): the recording's bytes arrive at a steady
 *     --rate in 1 ms slices, as a sensor pipe delivers them, and for each alert the time from the
 *     arrival of the slice completing its event to the alert serialized as Falco JSON is recorded
 *     (p50/p99/max, target p99 < 5 ms), with the time each alerting event took on its own and the
 *     garbage-collection pauses seen meanwhile. --realtime runs this child under `chrt -f 10`
 *     (root), so other work on a shared machine cannot preempt it: latency then measures the
 *     engine rather than the scheduler.
 *
 * See README.md in this folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const argValue = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const COUNT = Number(argValue('events', 500_000));
const RUNS = Number(argValue('runs', 3));
const RATE = Number(argValue('rate', 100_000));
const PHASE = argValue('phase', undefined);
const RECORDING = argValue('recording', undefined);
const STOCK = fileURLToPath(new URL('../../../shared/falco/falco_rules.yaml', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/runtime/engine/index.js', import.meta.url));

if (PHASE === undefined) {
  if (!existsSync(DIST)) {
    console.error(
      'dist/ is missing: run `npm run build` first (npm run build && node bench/runtime-engine/run.mjs)',
    );
    process.exit(2);
  }
  if (!existsSync(STOCK)) {
    console.error(`missing ${STOCK} (Falco's stock rules, ../shared/falco/falco_rules.yaml from the repo)`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cerana-bench-runtime-'));
  const recording = join(dir, 'stream.bin');
  const args = [
    '--events',
    String(COUNT),
    '--runs',
    String(RUNS),
    '--rate',
    String(RATE),
    '--recording',
    recording,
  ];
  const child = (flags, phase, prefix = []) => {
    const [cmd, ...pre] = prefix.length > 0 ? prefix : [process.execPath];
    const argv = [
      ...pre,
      ...(prefix.length > 0 ? [process.execPath] : []),
      ...flags,
      SELF,
      '--phase',
      phase,
      ...args,
    ];
    const r = spawnSync(cmd, argv, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 << 20,
    });
    if (r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      process.exit(r.status ?? 1);
    }
    return JSON.parse(r.stdout);
  };
  try {
    const recorded = child([], 'record');
    const throughput = child(['--single-threaded', '--expose-gc'], 'throughput');
    const realtime = process.argv.includes('--realtime');
    const latency = child(['--expose-gc'], 'latency', realtime ? ['chrt', '-f', '10'] : []);
    report({
      ...recorded,
      ...throughput,
      ...latency,
      realtime,
      loadAverage: loadavg()[0],
      cores: availableParallelism(),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const { Engine, alertToJson, loadRules } = await import('../../dist/runtime/engine/index.js');
const { createRecordingReader, encodeRecording } = await import('../../dist/runtime/event/recording.js');

if (PHASE === 'record') {
  const { generateStream } = await import('./stream.mjs');
  const t0 = performance.now();
  const events = generateStream(COUNT);
  const generateMs = Math.round(performance.now() - t0);
  const mix = new Map();
  for (const e of events) mix.set(e.type, (mix.get(e.type) ?? 0) + 1);
  writeFileSync(RECORDING, encodeRecording(events, 'binary'));
  const jsonBytes = encodeRecording(events, 'json').length;
  console.log(
    JSON.stringify({
      generateMs,
      jsonBytes,
      mix: [...mix.entries()].sort((a, b) => b[1] - a[1]).map(([t, n]) => [t, n / COUNT]),
    }),
  );
  process.exit(0);
}

const CHUNK = 64 * 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let sink = 0;

const tLoad = performance.now();
const loaded = loadRules([STOCK], { hostname: 'bench' });
const loadMs = performance.now() - tLoad;
if (!loaded.ok) {
  console.error('stock rules failed to load');
  process.exit(1);
}
const engine = new Engine(loaded.ruleSet);
const binary = readFileSync(RECORDING);

/** Median events per CPU-second and per wall-clock second of `fn`, after a warm-up run. */
function rate(fn) {
  fn();
  const cpu = [];
  const wall = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const n = fn();
    const c = process.cpuUsage(c0);
    wall.push(n / ((performance.now() - t0) / 1000));
    cpu.push(n / ((c.user + c.system) / 1e6));
  }
  return { cpu: Math.round(median(cpu)), wall: Math.round(median(wall)) };
}

function decodeAll(data, format, onEvent) {
  const reader = createRecordingReader(format);
  for (let off = 0; off < data.length; off += CHUNK) reader.push(data.subarray(off, off + CHUNK), onEvent);
  reader.end(onEvent);
}

if (PHASE === 'throughput') {
  const baselineEngine = new Engine(
    loadRules([{ name: 'none.yaml', content: '[]' }], { hostname: 'bench' }).ruleSet,
  );
  const replayWith = (eng) => () => {
    let n = 0;
    decodeAll(binary, 'binary', (e) => {
      n++;
      sink += eng.process(e).length;
    });
    return n;
  };
  // Streaming measurements first; the decoded array the last two need would otherwise be in the heap.
  const decodeBinary = rate(() => {
    let n = 0;
    decodeAll(binary, 'binary', () => n++);
    return n;
  });
  const replay = rate(replayWith(engine));
  const baseline = rate(replayWith(baselineEngine));
  const events = [];
  decodeAll(binary, 'binary', (e) => events.push(e));
  const json = encodeRecording(events, 'json');
  const decodeJson = rate(() => {
    let n = 0;
    decodeAll(json, 'json', () => n++);
    return n;
  });
  const evaluate = rate(() => {
    for (const e of events) sink += engine.process(e).length;
    return events.length;
  });
  console.log(
    JSON.stringify({
      events: events.length,
      rules: engine.ruleNames.length,
      loadMs: Math.round(loadMs),
      recordingBytes: { binary: binary.length, json: json.length },
      decodeBinary,
      decodeJson,
      evaluate,
      replay,
      baseline,
    }),
  );
} else {
  // The recording's bytes as they would arrive each millisecond at RATE events/s; a slice may end
  // inside a record, whose event then completes with the next slice.
  const slice = Math.max(1, Math.round((binary.length / COUNT) * (RATE / 1000)));
  const ticks = [];
  for (let off = 0; off < binary.length; off += slice) ticks.push(binary.subarray(off, off + slice));
  // Warm the engine up on the first 100k events, as a running agent would be.
  {
    const warm = createRecordingReader('binary');
    let n = 0;
    for (let off = 0; off < binary.length && n < 100_000; off += CHUNK) {
      warm.push(binary.subarray(off, off + CHUNK), (e) => {
        n++;
        engine.process(e);
      });
    }
  }
  globalThis.gc?.();
  const gcPauses = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const latencies = [];
  const service = [];
  const byRule = new Map();
  const reader = createRecordingReader('binary');
  let arrived = 0;
  let previous = 0;
  const onEvent = (e) => {
    const out = engine.process(e);
    if (out.length > 0) {
      for (const a of out) {
        sink += alertToJson(a).length;
        byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1);
      }
      const now = performance.now();
      latencies.push(now - arrived);
      service.push(now - previous);
    }
    previous = performance.now();
  };
  const start = performance.now();
  for (let k = 0; k < ticks.length; k++) {
    arrived = start + k;
    // Wait for the batch's arrival time: sleep (yielding the core), then spin the last 0.2 ms.
    const idle = arrived - performance.now();
    if (idle > 0.3) Atomics.wait(sleeper, 0, 0, idle - 0.2);
    while (performance.now() < arrived) {
      // the batch for this millisecond has not arrived yet
    }
    previous = Math.max(performance.now(), arrived);
    reader.push(ticks[k], onEvent);
  }
  reader.end(onEvent);
  // GC entries are delivered asynchronously: let them arrive before reading them.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gcObserver.disconnect();
  const pct = (xs, p) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  };
  console.log(
    JSON.stringify({
      rate: RATE,
      alerts: latencies.length,
      alertsByRule: Object.fromEntries(byRule),
      latencyMs: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: pct(latencies, 100) },
      serviceMs: { p50: pct(service, 50), p99: pct(service, 99), max: pct(service, 100) },
      gc: {
        pauses: gcPauses.length,
        maxMs: Math.max(0, ...gcPauses),
        totalMs: gcPauses.reduce((a, b) => a + b, 0),
      },
    }),
  );
}
if (sink < 0) console.error(sink);

function report(r) {
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(r));
    return;
  }
  const fmtRate = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${Math.round(n / 1e3)} k`);
  const rates = (x) => `${fmtRate(x.cpu)} events/CPU-s (${fmtRate(x.wall)}/s wall)`;
  const ms = (x) => `${x.toFixed(3)} ms`;
  const { binary } = r.recordingBytes;
  const json = r.jsonBytes;
  console.log(
    `runtime-engine benchmark: ${r.rules} stock rules (loaded in ${r.loadMs} ms), ${r.events.toLocaleString()} events (generated in ${r.generateMs} ms), median of ${RUNS} runs; load average ${r.loadAverage.toFixed(1)} on ${r.cores} cores`,
  );
  console.log(
    `  mix: ${r.mix
      .slice(0, 8)
      .map(([t, f]) => `${t} ${(100 * f).toFixed(0)}%`)
      .join(', ')}`,
  );
  console.log(
    `  recording size       binary ${(binary / r.events).toFixed(1)} B/event, json ${(json / r.events).toFixed(1)} B/event (${(json / binary).toFixed(1)}x larger)`,
  );
  console.log('  throughput on one thread (node --single-threaded):');
  console.log(`  decode binary        ${rates(r.decodeBinary)}`);
  console.log(
    `  decode json          ${rates(r.decodeJson)}   binary decodes ${(r.decodeBinary.cpu / r.decodeJson.cpu).toFixed(1)}x faster`,
  );
  console.log(
    `  evaluate             ${rates(r.evaluate)}   decoding costs ${((100 * r.evaluate.cpu) / r.decodeBinary.cpu).toFixed(0)}% of evaluation (binary), ${((100 * r.evaluate.cpu) / r.decodeJson.cpu).toFixed(0)}% (json)`,
  );
  console.log(
    `  replay (decode+eval) ${rates(r.replay)}   target >= 500 k events/s on one core: ${r.replay.cpu >= 500_000 ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `  baseline (no rules)  ${rates(r.baseline)}   replay with the stock rules runs at ${(r.replay.cpu / r.baseline.cpu).toFixed(2)}x the baseline`,
  );
  console.log(
    `  latency at ${fmtRate(r.rate)} events/s in 1 ms slices (default node flags${r.realtime ? ', chrt -f 10' : ''}):`,
  );
  console.log(
    `  alerts               ${r.alerts}: ${Object.entries(r.alertsByRule)
      .map(([rule, n]) => `${rule} ${n}`)
      .join('; ')}`,
  );
  console.log(
    `  event-to-alert       p50 ${ms(r.latencyMs.p50)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)}   target p99 < 5 ms: ${r.latencyMs.p99 < 5 ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `  one alerting event   decode+evaluate+serialize p50 ${ms(r.serviceMs.p50)}, p99 ${ms(r.serviceMs.p99)}, max ${ms(r.serviceMs.max)}`,
  );
  console.log(
    `  gc during the run    ${r.gc.pauses} pauses, longest ${ms(r.gc.maxMs)}, total ${ms(r.gc.totalMs)}`,
  );
}
