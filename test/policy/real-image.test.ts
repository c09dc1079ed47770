import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { gateScan } from '../../src/policy/gate.js';
import { buildPlan } from '../../src/policy/plan.js';
import { parsePolicy } from '../../src/policy/policy.js';
import type { ScanDocument } from '../../src/policy/scan-document.js';
import { scoreScan } from '../../src/policy/score.js';
import { STARTER_POLICY } from '../../src/policy/starter.js';
import { applySuppressions } from '../../src/policy/suppress.js';
import { scanImageRef } from '../../src/scan/image-scan.js';
import { imageExists } from '../support/images.js';
import { dockerAvailable, requireIntegration } from '../support/integration.js';
import { kitAvailable, kitDatabasePath } from '../vuln-match/support/db.js';

/**
 * Policies, the score and the plan on real scan results: a base image built on the Debian test
 * image with an old minimist in its layers, and two applications built on it (one root, one
 * not, one with an old lodash), scanned by `scanImageRef` and matched against the OSV kit.
 */
const run = promisify(execFile);
const BASE_IMAGE = 'cerana-test/debian:bookworm';
const available = dockerAvailable && kitAvailable && imageExists(BASE_IMAGE);
const test = requireIntegration('Docker, the Debian test image and the OSV kit', available);

const id = `${process.pid}-${Date.now()}`;
const baseTag = `cerana-test-policy-base:${id}`;
const appTags = [`cerana-test-policy-app-a:${id}`, `cerana-test-policy-app-b:${id}`];
let work: string;
const scans: ScanDocument[] = [];

function writeModule(root: string, name: string, version: string): void {
  mkdirSync(join(root, 'node_modules', name), { recursive: true });
  writeFileSync(
    join(root, 'node_modules', name, 'package.json'),
    JSON.stringify({ name, version, main: 'index.js' }),
  );
  writeFileSync(join(root, 'node_modules', name, 'index.js'), 'module.exports = {};\n');
}

async function build(tag: string, dir: string, dockerfile: string): Promise<void> {
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  await run('docker', ['build', '--network', 'none', '--quiet', '-t', tag, dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    timeout: 600_000,
  });
}

beforeAll(async () => {
  if (!available) return;
  work = mkdtempSync(join(tmpdir(), 'cerana-test-policy-image-'));
  const baseDir = join(work, 'base');
  writeModule(baseDir, 'minimist', '1.2.5');
  await build(baseTag, baseDir, `FROM ${BASE_IMAGE}\nCOPY node_modules /usr/lib/node_modules/\n`);
  const apps = [
    { dir: join(work, 'a'), modules: [['lodash', '4.17.15']], user: '' },
    { dir: join(work, 'b'), modules: [['left-pad', '1.3.0']], user: 'USER 1000\n' },
  ];
  for (const [index, app] of apps.entries()) {
    for (const [name, version] of app.modules) writeModule(app.dir, name as string, version as string);
    await build(
      appTags[index] as string,
      app.dir,
      `FROM ${baseTag}\nLABEL org.opencontainers.image.base.name=${baseTag} cerana.io/exposure=internet\nCOPY node_modules /app/node_modules/\n${app.user}`,
    );
  }
  const dbPath = await kitDatabasePath();
  for (const tag of appTags) {
    const result = await scanImageRef(`docker:${tag}`, {
      source: { cacheDir: join(work, 'cache') },
      scan: {},
      vulnerabilities: { dbPath },
    });
    scans.push(JSON.parse(JSON.stringify(result)) as ScanDocument);
  }
}, 900_000);

afterAll(async () => {
  if (!available) return;
  await run('docker', ['rmi', '-f', ...appTags, baseTag]).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

describe('policy on real scan results', () => {
  test('gates each image with the starter policy and explains the score exactly', () => {
    const policy = parsePolicy(STARTER_POLICY, 'starter.yaml');
    const [rootApp, userApp] = scans as [ScanDocument, ScanDocument];
    const vulnIds = (doc: ScanDocument) =>
      (doc.vulnerabilities?.findings ?? []).map((f) => `${f.package?.name}:${f.id}`);
    expect(vulnIds(rootApp).some((v) => v.startsWith('minimist:'))).toBe(true);
    expect(vulnIds(rootApp).some((v) => v.startsWith('lodash:'))).toBe(true);
    expect(vulnIds(userApp).every((v) => v.startsWith('minimist:'))).toBe(true);

    const root = gateScan(rootApp, { policy, stage: 'registry' });
    const failing = root.verdict.verdicts.filter((v) => v.result !== 'pass').map((v) => v.rule);
    expect(failing).toContain('non-root');
    expect(failing).toContain('pinned-base');
    expect(root.exitCode).toBe(1);
    const user = gateScan(userApp, { policy, stage: 'registry' });
    expect(user.verdict.verdicts.find((v) => v.rule === 'non-root')?.result).toBe('pass');

    for (const doc of scans) {
      const score = scoreScan(doc);
      expect(Math.round(score.score * 100) + score.breakdown.reduce((s, e) => s + e.points, 0)).toBe(10_000);
      expect(score.breakdown.some((e) => e.factor === 'exposure')).toBe(true);
    }
    expect(scoreScan(rootApp).score).toBeLessThan(scoreScan(userApp).score);
  });

  test('plans a rebuild of the shared base for the findings in its layers', () => {
    const plan = buildPlan(scans);
    const rebuild = plan.actions.find((a) => a.kind === 'rebuild');
    expect(rebuild?.target).toBe(baseTag);
    expect(rebuild?.images).toEqual(appTags.map((t) => t.split(':')[0]).sort());
    const minimistIds = new Set(
      scans.flatMap((d) =>
        (d.vulnerabilities?.findings ?? [])
          .filter((f) => f.package?.name === 'minimist' && (f.fixedIn ?? []).length > 0)
          .map((f) => f.id),
      ),
    );
    expect(rebuild?.vulnerabilities).toEqual([...minimistIds].sort());
    expect(plan.actions.find((a) => a.target === 'npm:lodash')?.images).toEqual([appTags[0]?.split(':')[0]]);
    for (let i = 1; i < plan.actions.length; i++)
      expect(plan.actions[i - 1]?.risk).toBeGreaterThanOrEqual(plan.actions[i]?.risk ?? 0);
  });

  test('an exception accepted for the base package moves it out of the plan and the gate', () => {
    const exceptions = [
      {
        id: '*',
        scope: { package: 'minimist' },
        reason: 'argv parsing of trusted input',
        owner: 'platform',
        expires: '2999-01-01',
        source: 'inline',
      },
    ];
    const findings = scans.map((doc) => applySuppressions(doc, { exceptions, now: new Date() }).findings);
    const plan = buildPlan(scans, { findings });
    expect(plan.actions.some((a) => a.kind === 'rebuild')).toBe(false);
  });
});
