import { describe, expect, it } from 'vitest';
import { daemonRules } from './rules/index.js';
import { scanDockerDaemon } from './scan.js';

describe('Docker daemon rules (CIS Docker section 2)', () => {
  for (const rule of daemonRules) {
    const { id } = rule.meta;
    describe(`${id} ${rule.meta.title}`, () => {
      rule.meta.examples.fail.forEach((text, n) => {
        it(`flags fail example ${n + 1}`, () => {
          expect(scanDockerDaemon('daemon.json', text).some((f) => f.id === id)).toBe(true);
        });
      });
      rule.meta.examples.pass.forEach((text, n) => {
        it(`accepts pass example ${n + 1}`, () => {
          expect(scanDockerDaemon('daemon.json', text).filter((f) => f.id === id)).toEqual([]);
        });
      });
    });
  }

  it('reads the same settings from dockerd flags, with positions', () => {
    const unit =
      '[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375 --icc=false --insecure-registry r.local:5000 --live-restore\n';
    const findings = scanDockerDaemon('docker.service', unit);
    const ids = new Set(findings.map((f) => f.id));
    expect(ids.has('CER-DD-006')).toBe(true);
    expect(ids.has('CER-DD-004')).toBe(true);
    expect(ids.has('CER-DD-001')).toBe(false);
    expect(ids.has('CER-DD-012')).toBe(false);
    const tcp = findings.find((f) => f.id === 'CER-DD-006');
    expect(tcp?.location).toMatchObject({ line: 2, column: 28 });
  });

  it('rejects daemon.json that is not an object', () => {
    expect(() => scanDockerDaemon('daemon.json', '[1]')).toThrow(/must be a JSON object/);
    expect(() => scanDockerDaemon('daemon.json', '{"icc": ')).toThrow(/daemon\.json:1:/);
  });
});
