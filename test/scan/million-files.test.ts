import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A layer of a million tiny files must not cost a million objects: the scan runs in a child
 * process (the test runner's own memory would blur the figure) and reports its peak RSS.
 * The bound here is generous; the 300 MB target is tracked by bench/layer-read.
 */
describe('a layer of 1,000,000 tiny files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cerana-test-million-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is scanned with bounded memory', async () => {
    const bundle = join(dir, 'child.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'support/million-files-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: bundle,
      logLevel: 'error',
    });
    const output = execFileSync(process.execPath, [bundle, '1000000'], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const result = JSON.parse(output) as {
      visible: number;
      probeSize: number;
      peakRssMb: number;
      ms: number;
    };
    console.log(`1,000,000 files: ${result.ms.toFixed(0)} ms, peak RSS ${result.peakRssMb.toFixed(0)} MB`);
    expect(result.visible).toBe(1_001_000);
    expect(result.probeSize).toBe(15);
    expect(result.peakRssMb).toBeLessThan(600);
  });
});
