import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cerana } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'cerana-cli-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dockerfile = join(work, 'Dockerfile');
writeFileSync(dockerfile, 'FROM debian:latest\nRUN curl -k https://example.com/install.sh | sh\n');
const pod = join(work, 'pod.yaml');
writeFileSync(
  pod,
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers:\n    - name: c\n      image: nginx@sha256:' +
    `${'a'.repeat(64)}\n`,
);

describe('cerana config (built CLI)', () => {
  it('reports Dockerfile and Kubernetes findings with positions and exits with --exit-code', async () => {
    const result = await cerana(['config', work, '--format', 'json', '--exit-code', '4']);
    expect(result.code).toBe(4);
    const { findings } = JSON.parse(result.stdout) as {
      findings: { id: string; location: { path: string; line?: number } }[];
    };
    const paths = new Set(findings.map((f) => f.location.path));
    expect(paths).toEqual(new Set([dockerfile, pod]));
    expect(findings.every((f) => typeof f.location.line === 'number')).toBe(true);
  });

  it('filters by severity and writes SARIF 2.1.0', async () => {
    const result = await cerana(['config', pod, '--severity', 'HIGH,CRITICAL', '-f', 'sarif']);
    expect(result.code).toBe(0);
    const sarif = JSON.parse(result.stdout) as { version: string; runs: { results: { level: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0]?.results ?? [];
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.level === 'error')).toBe(true);
  });

  it('rejects bad flags with exit code 2', async () => {
    expect((await cerana(['config'])).code).toBe(2);
    expect((await cerana(['config', work, '--type', 'nope'])).code).toBe(2);
    expect((await cerana(['config', work, '--severity', 'SEVERE'])).code).toBe(2);
  });
});
