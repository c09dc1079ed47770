import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { scanConfig } from '../../src/config/index.js';
import { BASE_IMAGE, commandWorks, dockerAvailable, requireIntegration } from '../support/integration.js';

/**
 * Real containers, created (never started) by the Docker engine, inspected and checked by the
 * same workload rules as Compose services and pods.
 */
const test = requireIntegration(
  'docker with the test base image',
  dockerAvailable && commandWorks('docker', ['image', 'inspect', BASE_IMAGE]),
);

describe('docker inspect output as workloads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cerana-test-inspect-'));
  const names: string[] = [];
  afterAll(() => {
    for (const name of names) execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  test('a privileged container with the host PID namespace and the Docker socket is flagged', () => {
    const name = `cerana-test-inspect-${process.pid}`;
    names.push(name);
    execFileSync(
      'docker',
      [
        'create',
        '--name',
        name,
        '--network',
        'none',
        '--privileged',
        '--pid',
        'host',
        '-v',
        '/var/run/docker.sock:/var/run/docker.sock',
        '-e',
        'API_TOKEN=abc123',
        BASE_IMAGE,
        'true',
      ],
      { stdio: 'ignore' },
    );
    const file = join(dir, 'inspect.json');
    writeFileSync(file, execFileSync('docker', ['inspect', name], { encoding: 'utf8' }));
    const r = scanConfig([file]);
    expect(r.files).toEqual([{ path: file, type: 'docker-inspect' }]);
    const ids = new Set(r.findings.map((f) => f.id));
    for (const id of ['CER-PSS-003', 'CER-PSS-002', 'CER-WL-010', 'CER-WL-012', 'CER-WL-003'])
      expect(ids, id).toContain(id);
    const privileged = r.findings.find((f) => f.id === 'CER-PSS-003');
    expect(privileged?.location.object).toBe(`container ${name}`);
    expect(privileged?.location.line).toBeGreaterThan(1);
  });

  test('a hardened container passes the runtime checks', () => {
    const name = `cerana-test-inspect-ok-${process.pid}`;
    names.push(name);
    execFileSync(
      'docker',
      [
        'create',
        '--name',
        name,
        '--network',
        'none',
        '--read-only',
        '--user',
        '10001:10001',
        '--cap-drop',
        'ALL',
        '--security-opt',
        'no-new-privileges',
        '--memory',
        '64m',
        '--cpus',
        '0.5',
        '--pids-limit',
        '100',
        BASE_IMAGE,
        'true',
      ],
      { stdio: 'ignore' },
    );
    const file = join(dir, 'inspect-ok.json');
    writeFileSync(file, execFileSync('docker', ['inspect', name], { encoding: 'utf8' }));
    const ids = scanConfig([file]).findings.map((f) => f.id);
    expect(ids.filter((id) => id.startsWith('CER-PSS'))).toEqual([]);
    for (const id of ['CER-WL-001', 'CER-WL-003', 'CER-WL-010', 'CER-WL-024']) expect(ids).not.toContain(id);
  });
});
