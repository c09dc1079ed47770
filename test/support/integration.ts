import { execFileSync } from 'node:child_process';
import { it } from 'vitest';

/**
 * Integration tests run against real components. Where one is missing they skip, except under
 * CERANA_REQUIRE_INTEGRATION=1 (CI), where a missing component is a failure: a green CI run
 * must mean the tests really ran.
 */
export const integrationRequired = process.env.CERANA_REQUIRE_INTEGRATION === '1';

/** Returns `it` when the component is available, `it.skip` otherwise; throws when integration is required. */
export function requireIntegration(component: string, available: boolean): typeof it {
  if (available) return it;
  if (integrationRequired) {
    throw new Error(`${component} is required (CERANA_REQUIRE_INTEGRATION=1) but is not available`);
  }
  return it.skip as typeof it;
}

/** True when `command args...` runs and exits 0. */
export function commandWorks(command: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

export const dockerAvailable = commandWorks('docker', ['info']);

/** The debootstrapped Debian base every test image builds on (made by .ci/run). */
export const BASE_IMAGE = 'cerana-test/debian:bookworm';
