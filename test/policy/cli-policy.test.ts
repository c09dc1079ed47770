import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/command.js';
import {
  POLICY_GATE_OPTIONS,
  policyCommand,
  policyGateContext,
  runPolicyGate,
} from '../../src/cli/policy.js';
import { runCommand } from './run-command.js';
import { scan, secret, vuln } from './scan-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'cerana-test-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const pinned = {
  'org.opencontainers.image.base.name': 'docker.io/library/debian:12',
  'org.opencontainers.image.base.digest': `sha256:${'b'.repeat(64)}`,
};

function write(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

describe('cerana policy', () => {
  const policy = join(dir, 'policy.yaml');

  it('init writes the starter policy and refuses to overwrite it', async () => {
    const result = await runCommand(policyCommand, ['init', '-o', policy]);
    expect(result).toEqual({ code: 0, stdout: `wrote ${policy}\n`, stderr: '' });
    expect(readFileSync(policy, 'utf8')).toContain('no-critical-fixable');
    await expect(runCommand(policyCommand, ['init', '-o', policy])).rejects.toThrow(/exists/);
    expect((await runCommand(policyCommand, ['check', policy])).stdout).toMatch(
      /policy baseline is valid: ci \(7 rules/,
    );
  });

  it('test prints the verdict table and exits 1 on deny', async () => {
    const clean = write('clean.json', scan({ labels: pinned }));
    const leaky = write(
      'leaky.json',
      scan({
        ref: 'registry.example/app/api:2',
        labels: pinned,
        findings: [secret('aws-access-key', '/app/.env')],
      }),
    );
    const ok = await runCommand(policyCommand, ['test', policy, clean, '--stage', 'production']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.split('\n')[0]).toBe(
      'registry.example/app/web:1.0: stage production: ALLOW (score 100.00, minimum 80)',
    );
    const denied = await runCommand(policyCommand, [
      'test',
      policy,
      clean,
      leaky,
      '--stage',
      'ci',
      '--explain-score',
    ]);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain('registry.example/app/api:2: stage ci: DENY (score 75.00, minimum 0)');
    expect(denied.stdout).toMatch(/no-secrets\s+DENY\s+deny\s+aws-access-key \(\/app\/\.env\)/);
    expect(denied.stdout).toMatch(/-25\.00\s+aws-access-key\s+\/app\/\.env\s+secret/);
  });

  it('uses KEV and EPSS files and writes JSON', async () => {
    const doc = write(
      'kev.json',
      scan({
        labels: pinned,
        vulns: [vuln('CVE-2024-3094', 'CRITICAL', 'xz-utils', '5.6.0', { fixed: '5.6.1' })],
      }),
    );
    const result = await runCommand(policyCommand, [
      'test',
      policy,
      doc,
      '--stage',
      'registry',
      '-f',
      'json',
      '--kev',
      join(fixtures, 'kev.json'),
      '--epss',
      join(fixtures, 'epss.csv'),
    ]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.stage).toBe('registry');
    const verdicts = Object.fromEntries(
      json.results[0].verdicts.map((v: { rule: string; result: string }) => [v.rule, v.result]),
    );
    expect(verdicts['no-known-exploited']).toBe('fail');
    expect(verdicts['no-critical-fixable']).toBe('fail');
    expect(json.results[0].scoreBreakdown.breakdown.map((e: { factor: string }) => e.factor)).toEqual([
      'severity',
      'kev',
      'epss',
      'fix-available',
    ]);
  });

  it('reports bad policies and inputs as one clear error', async () => {
    const bad = write('bad.yaml', readFileSync(policy, 'utf8').replace('f.kev)', 'f.known_exploited)'));
    await expect(runCommand(policyCommand, ['check', bad])).rejects.toThrow(
      /bad\.yaml:\d+:\d+: rule no-known-exploited: type error: No such key: known_exploited/,
    );
    const notScan = write('x.json', { hello: 1 });
    await expect(runCommand(policyCommand, ['test', policy, notScan])).rejects.toThrow(
      /not a Cerana scan result/,
    );
    const clean = write('plain.json', scan({}));
    await expect(runCommand(policyCommand, ['test', policy, clean, '--stage', 'qa'])).rejects.toThrow(
      /has no stage "qa"/,
    );
    await expect(runCommand(policyCommand, ['frobnicate'])).rejects.toThrow(/unknown subcommand/);
  });

  it('runPolicyGate explains the score without a policy (cerana image --explain-score)', () => {
    const parsed = parseCommandArgs(
      'image',
      ['--explain-score', '--kev', join(fixtures, 'kev.json')],
      POLICY_GATE_OPTIONS,
    );
    const context = policyGateContext(parsed);
    const doc = scan({ user: 'root', vulns: [vuln('CVE-2023-4911', 'HIGH', 'libc6', '2.36-9')] });
    const outcome = runPolicyGate(doc, context, new PassThrough());
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text.split('\n')[0]).toBe('Risk score 73.00/100 (cerana-risk/2): 27.00 points lost');
    expect(outcome.json.verdicts).toBeUndefined();
    expect((outcome.json.scoreBreakdown as { score: number }).score).toBe(73);
  });
});
