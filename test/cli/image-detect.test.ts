import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { cerana } from '../support/cli.js';
import { buildTestImage } from '../support/images.js';
import { dockerAvailable, requireIntegration } from '../support/integration.js';

const it = requireIntegration('Docker', dockerAvailable);

interface Report {
  findings: {
    kind: string;
    id: string;
    location: { path?: string; object?: string; layer?: string };
    evidence?: string;
  }[];
  policy?: { verdict?: unknown };
}

describe('cerana image: detectors and the policy gate', () => {
  let work = '';
  let tag = '';
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cerana-cli-detect-'));
    if (dockerAvailable) tag = await buildTestImage('cli-secrets');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('finds secrets in ENV and in a file deleted by a later layer, redacted, with --scanners secret', async () => {
    const result = await cerana([
      'image',
      `docker:${tag}`,
      '--scanners',
      'secret',
      '-f',
      'json',
      '--cache-dir',
      join(work, 'cache'),
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    // Findings never carry the secret itself (the raw config and history are the image's own data).
    const findings = JSON.stringify(report.findings);
    expect(findings).not.toContain('Wq8v2LrT5nXz');
    expect(findings).not.toContain('correct-horse-battery-staple-42');
    expect(report.findings.some((f) => f.location.object?.startsWith('history'))).toBe(true);
    expect(report.findings.every((f) => f.kind === 'secret')).toBe(true);
    expect(report.findings.some((f) => f.location.object?.startsWith('config:Env'))).toBe(true);
    const deleted = report.findings.find((f) => f.location.path === 'srv/app/.env');
    expect(deleted?.evidence).toContain('deleted in a later layer');
    expect(deleted?.location.layer).toMatch(/^sha256:/);
  });

  it('gates on a policy: exit 1 on deny, with the verdict and the score explanation', async () => {
    const policy = join(work, 'policy.yaml');
    await writeFile(
      policy,
      [
        'apiVersion: cerana.io/v1',
        'kind: Policy',
        'metadata:',
        '  name: no-secrets',
        'rules:',
        '  - id: no-secrets',
        '    description: No credentials in the image',
        '    expr: findings.exists(f, f.kind == "secret")',
        '    action: deny',
        'stages:',
        '  ci:',
        '    minScore: 0',
        '',
      ].join('\n'),
    );
    const args = ['image', `docker:${tag}`, '--scanners', 'secret', '--cache-dir', join(work, 'cache')];
    const denied = await cerana([...args, '--policy', policy, '--stage', 'ci', '--explain-score']);
    expect(denied.stderr).toBe('');
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(/stage ci: DENY/);
    expect(denied.stdout).toMatch(/Risk score [\d.]+\/100/);
    const bad = await cerana([...args, '--policy', join(work, 'missing.yaml')]);
    expect(bad.code).toBe(2);
    expect((await cerana([...args.slice(0, 2), '--scanners', 'virus'])).code).toBe(2);
  });

  it('writes the binary portrait with --portrait -o, and adds it to the CycloneDX SBOM', async () => {
    const file = join(work, 'portrait.json');
    const args = [
      'image',
      `docker:${tag}`,
      '--scanners',
      'malware,hygiene',
      '--cache-dir',
      join(work, 'cache'),
    ];
    expect((await cerana([...args, '--portrait'])).code).toBe(2);
    const result = await cerana([...args, '--portrait', '-o', file, '-f', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.findings.some((f) => f.id === 'CER-IMG-002')).toBe(true);
    const portrait = JSON.parse(await readFile(file, 'utf8')) as {
      executables: { path: string; sha256: string; package?: { name: string } }[];
    };
    const bash = portrait.executables.find((e) => e.path === '/usr/bin/bash');
    expect(bash?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(bash?.package?.name).toBe('bash');
  });
});
