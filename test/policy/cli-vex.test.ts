import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { policyCommand } from '../../src/cli/policy.js';
import { vexCommand } from '../../src/cli/vex.js';
import { STARTER_POLICY } from '../../src/policy/starter.js';
import { runCommand } from './run-command.js';
import { scan, secret, vuln } from './scan-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'cerana-test-vex-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const policy = write('policy.yaml', STARTER_POLICY);
const exceptions = write(
  'exceptions.yaml',
  `exceptions:
  - id: CVE-2024-0001
    scope: { image: registry.example/app/web, package: openssl }
    reason: not reachable
    owner: platform@example.com
    expires: 2999-12-31
    vex: { status: not_affected, justification: vulnerable_code_not_in_execute_path }
  - id: old-key
    reason: was a test key
    owner: app@example.com
    expires: 2020-01-01
`,
);
const doc = write(
  'scan.json',
  JSON.stringify(
    scan({
      vulns: [vuln('CVE-2024-0001', 'CRITICAL', 'openssl', '3.0.11-1', { fixed: '3.0.13-1' })],
      findings: [secret('old-key', '/app/key.pem')],
    }),
  ),
);

describe('cerana vex / policy test with exceptions', () => {
  it('vex generate writes OpenVEX that policy test --vex applies', async () => {
    const vexFile = join(dir, 'accepted.vex.json');
    expect((await runCommand(vexCommand, ['generate', '--exceptions', exceptions, '-o', vexFile])).code).toBe(
      0,
    );
    const vex = JSON.parse(readFileSync(vexFile, 'utf8'));
    expect(vex.statements.map((s: { vulnerability: { name: string } }) => s.vulnerability.name)).toEqual([
      'CVE-2024-0001',
    ]);

    const without = await runCommand(policyCommand, ['test', policy, doc, '--stage', 'registry']);
    expect(without.stdout).toMatch(/no-critical-fixable\s+DENY/);
    const withVex = await runCommand(policyCommand, [
      'test',
      policy,
      doc,
      '--stage',
      'registry',
      '--vex',
      vexFile,
      '--show-suppressed',
    ]);
    expect(withVex.stdout).toMatch(/no-critical-fixable\s+PASS/);
    expect(withVex.stdout).toMatch(
      /CVE-2024-0001\s+openssl@3\.0\.11-1\s+vex:\S+accepted\.vex\.json\s+not_affected: vulnerable_code_not_in_execute_path/,
    );
  });

  it('reports expired exceptions and no longer applies them', async () => {
    const result = await runCommand(policyCommand, [
      'test',
      policy,
      doc,
      '--stage',
      'ci',
      '--exceptions',
      exceptions,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('exception old-key (');
    expect(result.stderr).toContain('expired on 2020-01-01: no longer applied');
    expect(result.stdout).toMatch(/no-secrets\s+DENY\s+deny\s+old-key/);
    expect(result.stdout).toContain('1 suppressed findings (--show-suppressed lists them)');
  });
});
