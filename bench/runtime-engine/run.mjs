#!/usr/bin/env node
/**
 * Runtime rule-engine benchmark: the stock Falco rules against a recorded synthetic stream.
 * Runs node with --single-threaded (garbage collection and compilation on the main thread too),
 * so the process's CPU time is the cost on one core. Measures:
 *   - decode cost of the binary recording and of the JSON-lines one,
 *   - evaluation throughput (events already decoded),
 *   - replay throughput (binary decode + evaluation), the figure the ≥ 500,000 events/s target is about,
 *   - a baseline in the same run: the same replay with no rules loaded (decode + dispatch only),
 *   - event-to-alert latency (p50/p99/max) with the recording arriving at a steady rate
 *     (--rate events/s, in 1 ms batches), from the arrival of an event to its serialized alert.
 * Rates are given per CPU-second (one core, unaffected by other load) and per wall-clock second.
 *
 *   npm run build && node bench/runtime-engine/run.mjs [--events 500000] [--runs 3] [--rate 100000] [--json]
 *
 * See README.md in this folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateStream } from './stream.mjs';

if (!process.execArgv.includes('--single-threaded')) {
  const flags = ['--single-threaded', '--expose-gc'];
  const child = spawnSync(
    process.execPath,
    [...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  process.exit(child.status ?? 1);
}

const dist = fileURLToPath(new URL('../../dist/runtime/engine/index.js', import.meta.url));
if (!existsSync(dist)) {
  console.error(
    'dist/ is missing: run `npm run build` first (npm run build && node bench/runtime-engine/run.mjs)',
  );
  process.exit(2);
}
const { Engine, alertToJson, loadRules } = await import('../../dist/runtime/engine/index.js');
const { createRecordingReader, createRecordingWriter, encodeRecording } = await import(
  '../../dist/runtime/event/recording.js'
);

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const COUNT = arg('events', 500_000);
const RUNS = arg('runs', 3);
const RATE = arg('rate', 100_000);
const CHUNK = 64 * 1024;
const STOCK = fileURLToPath(new URL('../../../shared/falco/falco_rules.yaml', import.meta.url));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtRate = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${Math.round(n / 1e3)} k`);
const fmtRates = (r) => `${fmtRate(r.cpu)} events/CPU-s (${fmtRate(r.wall)}/s wall)`;

/** Median events per CPU-second and per wall-clock second of `fn` over RUNS runs, after a warm-up run. */
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
  return { cpu: median(cpu), wall: median(wall) };
}

function decodeAll(data, format, onEvent) {
  const reader = createRecordingReader(format);
  for (let off = 0; off < data.length; off += CHUNK) reader.push(data.subarray(off, off + CHUNK), onEvent);
  reader.end(onEvent);
}

// --- set-up -----------------------------------------------------------------------------------
if (!existsSync(STOCK)) {
  console.error(`missing ${STOCK} (the stock Falco rules, ../shared/falco/falco_rules.yaml)`);
  process.exit(2);
}
const tLoad = performance.now();
const loaded = loadRules([STOCK], { hostname: 'bench' });
const loadMs = performance.now() - tLoad;
if (!loaded.ok) {
  console.error('stock rules failed to load');
  process.exit(1);
}
const empty = loadRules([{ name: 'none.yaml', content: '[]' }], { hostname: 'bench' });
const engine = new Engine(loaded.ruleSet);
const baselineEngine = new Engine(empty.ruleSet);

const tGen = performance.now();
let events = generateStream(COUNT);
const genMs = performance.now() - tGen;
const binary = encodeRecording(events, 'binary');
let json = encodeRecording(events, 'json');
/** The same recording cut into the batches that arrive each millisecond at RATE events/s. */
const ticks = [];
{
  const perTick = Math.max(1, Math.round(RATE / 1000));
  const writer = createRecordingWriter('binary');
  for (let i = 0; i < events.length; i++) {
    writer.write(events[i]);
    if ((i + 1) % perTick === 0 || i === events.length - 1) ticks.push(writer.take());
  }
}
const jsonBytes = json.length;
const mix = new Map();
for (const e of events) mix.set(e.type, (mix.get(e.type) ?? 0) + 1);

// --- throughput -------------------------------------------------------------------------------
let sink = 0;
const decodeBinary = rate(() => {
  let n = 0;
  decodeAll(binary, 'binary', () => n++);
  return n;
});
const decodeJson = rate(() => {
  let n = 0;
  decodeAll(json, 'json', () => n++);
  return n;
});
const evaluate = rate(() => {
  for (const e of events) sink += engine.process(e).length;
  return events.length;
});
const replay = rate(() => {
  let n = 0;
  decodeAll(binary, 'binary', (e) => {
    n++;
    sink += engine.process(e).length;
  });
  return n;
});
const baseline = rate(() => {
  let n = 0;
  decodeAll(binary, 'binary', (e) => {
    n++;
    sink += baselineEngine.process(e).length;
  });
  return n;
});

// --- latency: events arrive at RATE per second in 1 ms batches; time from arrival to alert --------
// The decoded stream and the JSON copy are dropped first: an agent's heap holds no such arrays,
// and collecting them would otherwise show up as pauses here.
events = undefined;
json = undefined;
globalThis.gc?.();
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const latencies = [];
let alerts = 0;
const byRule = new Map();
{
  const reader = createRecordingReader('binary');
  let arrived = 0;
  const onEvent = (e) => {
    const out = engine.process(e);
    if (out.length === 0) return;
    for (const a of out) {
      sink += alertToJson(a).length;
      byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1);
    }
    latencies.push(performance.now() - arrived);
    alerts += out.length;
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
    reader.push(ticks[k], onEvent);
  }
  reader.end(onEvent);
}
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;

// --- report -----------------------------------------------------------------------------------
const result = {
  events: COUNT,
  rules: engine.ruleNames.length,
  loadMs: Math.round(loadMs),
  recordingBytes: { binary: binary.length, json: jsonBytes },
  eventsPerCpuSecond: {
    decodeBinary: Math.round(decodeBinary.cpu),
    decodeJson: Math.round(decodeJson.cpu),
    evaluate: Math.round(evaluate.cpu),
    replay: Math.round(replay.cpu),
    baselineNoRules: Math.round(baseline.cpu),
  },
  eventsPerWallSecond: {
    decodeBinary: Math.round(decodeBinary.wall),
    decodeJson: Math.round(decodeJson.wall),
    evaluate: Math.round(evaluate.wall),
    replay: Math.round(replay.wall),
    baselineNoRules: Math.round(baseline.wall),
  },
  alerts,
  latency: { rate: RATE, p50Ms: pct(50), p99Ms: pct(99), maxMs: latencies[latencies.length - 1] ?? 0 },
  loadAverage: loadavg()[0],
};

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  const share = [...mix.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  const { p50Ms, p99Ms, maxMs } = result.latency;
  console.log(
    `runtime-engine benchmark: ${result.rules} stock rules (loaded in ${result.loadMs} ms), ${COUNT.toLocaleString()} events, median of ${RUNS} runs, one thread (load average ${result.loadAverage.toFixed(1)})`,
  );
  console.log(
    `  mix: ${share.map(([t, n]) => `${t} ${((100 * n) / COUNT).toFixed(0)}%`).join(', ')} (generated in ${Math.round(genMs)} ms)`,
  );
  console.log(
    `  recording size       binary ${(binary.length / COUNT).toFixed(1)} B/event, json ${(jsonBytes / COUNT).toFixed(1)} B/event (${(jsonBytes / binary.length).toFixed(1)}x larger)`,
  );
  console.log(`  decode binary        ${fmtRates(decodeBinary)}`);
  console.log(
    `  decode json          ${fmtRates(decodeJson)}   binary decodes ${(decodeBinary.cpu / decodeJson.cpu).toFixed(1)}x faster`,
  );
  console.log(
    `  evaluate             ${fmtRates(evaluate)}   binary decoding costs ${((100 * evaluate.cpu) / decodeBinary.cpu).toFixed(0)}% of evaluation, JSON ${((100 * evaluate.cpu) / decodeJson.cpu).toFixed(0)}%`,
  );
  console.log(
    `  replay (decode+eval) ${fmtRates(replay)}   target >= 500 k/s on one core: ${replay.cpu >= 500_000 ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `  baseline (no rules)  ${fmtRates(baseline)}   replay runs at ${(replay.cpu / baseline.cpu).toFixed(2)}x the baseline rate`,
  );
  console.log(
    `  alerts               ${alerts} (${((100 * alerts) / COUNT).toFixed(2)}% of events): ${[...byRule.entries()].map(([r, n]) => `${r} ${n}`).join('; ')}`,
  );
  console.log(
    `  event-to-alert       at ${fmtRate(RATE)} events/s: p50 ${p50Ms.toFixed(3)} ms, p99 ${p99Ms.toFixed(3)} ms, max ${maxMs.toFixed(3)} ms   target p99 < 5 ms: ${p99Ms < 5 ? 'PASS' : 'FAIL'}`,
  );
}
if (sink < 0) console.log(sink);
