/**
 * Shared setup of the runtime sensor tests: whether the sensor can run here (root, bpftrace,
 * tracefs, BTF, Docker, gcc), the rules they load, and small Docker helpers.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadRules, type RuleSet } from '../../../src/runtime/engine/index.js';
import { checkPrerequisites } from '../../../src/runtime/sensor/bpftrace/preflight.js';
import { imageExists } from '../../support/images.js';
import { BASE_IMAGE, commandWorks, dockerAvailable } from '../../support/integration.js';

const run = promisify(execFile);

export const STOCK_RULES = fileURLToPath(
  new URL('../../../../shared/falco/falco_rules.yaml', import.meta.url),
);
export const EXTRA_RULES = fileURLToPath(new URL('../rules/cerana-extra.yaml', import.meta.url));

function sensorCanStart(): boolean {
  try {
    checkPrerequisites();
    return true;
  } catch {
    return false;
  }
}

/** Everything a live sensor test needs. */
export const sensorAvailable =
  sensorCanStart() && dockerAvailable && imageExists(BASE_IMAGE) && commandWorks('gcc', ['--version']);

export const SENSOR_COMPONENTS =
  'runtime sensor (root, bpftrace, tracefs, BTF, Docker, the Debian test image, gcc)';

export function loadTestRules(files: readonly string[] = [STOCK_RULES, EXTRA_RULES]): RuleSet {
  const result = loadRules(files);
  if (!result.ok) throw new Error(`rules failed to load: ${JSON.stringify(result.errors.slice(0, 3))}`);
  return result.ruleSet;
}

export async function docker(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('docker', [...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** `docker exec` that also resolves when the command fails (many scenarios are denied on purpose). */
export async function dockerExec(
  container: string,
  command: readonly string[],
  options: readonly string[] = [],
) {
  try {
    return await docker(['exec', ...options, container, ...command]);
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

export async function removeContainers(names: readonly string[]): Promise<void> {
  await run('docker', ['rm', '-f', ...names]).catch(() => undefined);
}

/** Polls `find` until it returns something or the time is up. */
export async function eventually<T>(find: () => T | undefined, timeoutMs = 30_000): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined || Date.now() > until) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}
