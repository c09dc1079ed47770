import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../src/cli/plan.js';
import { imageFacts } from '../../src/policy/image-facts.js';
import { baseLayers, buildPlan } from '../../src/policy/plan.js';
import { loadThreatIntel } from '../../src/policy/threat-intel.js';
import { syntheticFleet } from './fleet.js';
import { runCommand } from './run-command.js';
import { scan, vuln } from './scan-fixture.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const intel = loadThreatIntel({ kev: join(fixtures, 'kev.json'), epss: join(fixtures, 'epss.csv') });

describe('fix plan', () => {
  const fleet = syntheticFleet({ size: 2000 });

  it('finds each base image layers as the diffID prefix its images share', () => {
    const bases = baseLayers(fleet.map((doc) => ({ doc, facts: imageFacts(doc) })));
    expect([...bases.keys()].sort()).toEqual([
      'docker.io/library/alpine:3.19',
      'docker.io/library/debian:12',
      'registry.access.redhat.com/ubi9:9.3',
    ]);
    expect(bases.get('docker.io/library/debian:12')?.size).toBe(2);
    expect(bases.get('docker.io/library/alpine:3.19')?.size).toBe(1);
  });

  it('ranks rebuilding on the base first when it removes the most risk', () => {
    const plan = buildPlan(fleet, { intel });
    expect(plan.scans).toBe(2000);
    const first = plan.actions[0];
    expect(first?.kind).toBe('rebuild');
    expect(first?.target).toBe('docker.io/library/debian:12');
    // libc6, 2× openssl, krb5: every debian image; zlib has no fix, so a rebuild does not remove it.
    expect(first?.vulnerabilities).toEqual([
      'CVE-2023-4911',
      'CVE-2024-0727',
      'CVE-2024-2511',
      'CVE-2024-26461',
    ]);
    expect(first?.findings).toBe(first ? first.images.length * 4 : -1);
    for (let i = 1; i < plan.actions.length; i++) {
      expect(plan.actions[i - 1]?.risk).toBeGreaterThanOrEqual(plan.actions[i]?.risk ?? 0);
    }
    const lodash = plan.actions.find((a) => a.target === 'npm:lodash');
    expect(lodash?.title).toMatch(/^upgrade npm lodash to 4\.17\.21 in \d+ image\(s\)$/);
    expect(plan.unfixable.findings).toBe(first?.images.length);
    const sum = plan.actions.reduce((s, a) => s + a.risk, 0) + plan.unfixable.risk;
    expect(sum).toBeCloseTo(plan.totalRisk, 6);
  });

  it('ranks a package upgrade first when it removes more risk than any rebuild', () => {
    const plan = buildPlan(
      syntheticFleet({ size: 2000, everywhere: ['CVE-2024-3094', 'left-pad', '1.0.0', '1.0.1'] }),
      { intel },
    );
    expect(plan.actions[0]?.kind).toBe('upgrade');
    expect(plan.actions[0]?.title).toBe('upgrade npm left-pad to 1.0.1 in 2000 image(s)');
    expect(plan.actions[1]?.target).toBe('docker.io/library/debian:12');
  });

  it('weights exposure and criticality, and picks the highest fixed version by the ecosystem order', () => {
    const exposed = scan({
      ref: 'registry.example/edge/gw:1',
      labels: { 'cerana.io/exposure': 'internet', 'cerana.io/criticality': 'critical' },
      vulns: [vuln('CVE-2024-0002', 'HIGH', 'qs', '6.9.6', { fixed: '6.9.10', type: 'npm' })],
    });
    const internal = [1, 2].map((n) =>
      scan({
        ref: `registry.example/batch/job${n}:1`,
        vulns: [vuln('CVE-2024-0003', 'HIGH', 'minimist', '1.2.5', { fixed: '1.2.9', type: 'npm' })],
      }),
    );
    const plan = buildPlan([...internal, exposed], { intel });
    expect(plan.actions.map((a) => [a.target, a.risk, a.images.length])).toEqual([
      ['npm:qs', 12.5, 1], // (400 + 100 fix) × (1 + 50% internet + 100% critical)
      ['npm:minimist', 10, 2],
    ]);
    const twoFixes = buildPlan(
      [
        scan({
          vulns: [
            vuln('A', 'LOW', 'qs', '6.9.6', { fixed: '6.9.10', type: 'npm' }),
            vuln('B', 'LOW', 'qs', '6.9.6', { fixed: '6.9.9', type: 'npm' }),
          ],
        }),
      ],
      {},
    );
    expect(twoFixes.actions[0]?.toVersion).toBe('6.9.10');
  });

  it('cerana plan reads a directory and writes table, markdown and json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cerana-test-plan-'));
    try {
      fleet.slice(0, 50).forEach((doc, i) => {
        writeFileSync(join(dir, `scan-${String(i).padStart(3, '0')}.json`), JSON.stringify(doc));
      });
      const table = await runCommand(planCommand, [dir, '--top', '3']);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^50 scans, \d+ actions; the top 3 remove [\d.]+ of [\d.]+ risk points; \d+ findings \([\d.]+ points\) have no fix yet$/,
      );
      expect(lines[1]).toMatch(/^#\s+ACTION\s+RISK\s+SHARE\s+IMAGES\s+FINDINGS\s+WHERE$/);
      expect(lines[2]).toMatch(/^1\s+rebuild \d+ image\(s\) on a newer docker\.io\/library\/debian:12/);
      expect(lines).toHaveLength(5);
      const md = await runCommand(planCommand, [dir, '-f', 'markdown']);
      expect(md.stdout).toContain(
        '| # | Action | Risk removed | Share | Images | Findings | Vulnerabilities |',
      );
      const json = JSON.parse(
        (await runCommand(planCommand, [join(dir, 'scan-000.json'), '-f', 'json'])).stdout,
      );
      expect(json.scans).toBe(1);
      await expect(runCommand(planCommand, [join(dir, 'missing')])).rejects.toThrow(/cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
