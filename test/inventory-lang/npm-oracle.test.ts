import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Package } from '../../src/inventory/package.js';
import { scanImageRef } from '../../src/scan/image-scan.js';
import { buildContextImage, saveImage } from '../support/images.js';
import { commandWorks, dockerAvailable, requireIntegration } from '../support/integration.js';
import { trivyAvailable, trivyPurls } from './support/trivy.js';

const run = promisify(execFile);

/**
 * The oracle is npm itself: a real project installed from the registry by `npm install` (old
 * versions with known advisories, nested copies, a scoped package and an alias), copied into an
 * image. What Cerana finds in the image must be exactly what `npm ls --all` lists — the same
 * name@version at the same install path.
 */
const DEPENDENCIES = {
  lodash: '4.17.11',
  minimist: '1.2.0',
  axios: '0.21.0',
  jsonwebtoken: '8.5.0',
  express: '4.17.1',
  '@types/lodash': '4.14.150',
  'old-minimist': 'npm:minimist@0.0.8',
};
const PROJECT = { name: 'cerana-npm-oracle', version: '1.0.0' };
/** A workspace of the project with a dependency of its own. */
const WORKSPACE = { name: 'cerana-npm-tools', version: '0.1.0', dependencies: { 'left-pad': '1.3.0' } };

const registryReachable = commandWorks('npm', ['ping']);
const itNpm = requireIntegration('Docker and the npm registry', dockerAvailable && registryReachable);
const itTrivy = requireIntegration(
  'Docker, the npm registry and Trivy',
  dockerAvailable && registryReachable && trivyAvailable,
);

interface NpmLsNode {
  name?: string;
  version?: string;
  path?: string;
  resolved?: string;
  dependencies?: Record<string, NpmLsNode>;
}

describe('npm cataloger against npm ls', () => {
  let work: string;
  let tag: string;
  /** `npm ls --all --long`: install path (relative to the project) → name@version. */
  const expected = new Map<string, string>();
  const workspaces: string[] = [];
  let packages: Package[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cerana-test-npm-'));
    if (!dockerAvailable || !registryReachable) return;
    const project = join(work, 'context', 'app');
    await mkdir(project, { recursive: true });
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify(
        { ...PROJECT, private: true, workspaces: ['packages/*'], dependencies: DEPENDENCIES },
        null,
        2,
      ),
    );
    await mkdir(join(project, 'packages', 'tools'), { recursive: true });
    await writeFile(join(project, 'packages', 'tools', 'package.json'), JSON.stringify(WORKSPACE, null, 2));
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
      cwd: project,
      timeout: 300_000,
    });
    const { stdout } = await run('npm', ['ls', '--all', '--json', '--long'], {
      cwd: project,
      maxBuffer: 64 * 1024 * 1024,
    });
    const walk = (node: NpmLsNode) => {
      for (const [key, child] of Object.entries(node.dependencies ?? {})) {
        const path = child.path?.slice(project.length + 1) ?? key;
        // A workspace is linked from node_modules to where it lives (`resolved: file:...`): it
        // is the project's own code, so Cerana does not list it; its dependencies it does.
        if (child.resolved?.startsWith('file:')) workspaces.push(`${child.name ?? key}@${child.version}`);
        else expected.set(path, `${child.name ?? key}@${child.version}`);
        walk(child);
      }
    };
    walk(JSON.parse(stdout) as NpmLsNode);
    await writeFile(
      join(work, 'context', 'Dockerfile'),
      'FROM cerana-test/debian:bookworm\nCOPY app /srv/app\n',
    );
    tag = await buildContextImage('inventory-npm', join(work, 'context'));
    const result = await scanImageRef(`docker:${tag}`, {
      source: { cacheDir: join(work, 'cache') },
      scan: {},
    });
    expect(result.warnings).toEqual([]);
    packages = result.packages.filter((p) => p.type === 'npm');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  itNpm('finds every installed package at its install path, nothing else', () => {
    expect(expected.size).toBeGreaterThan(60);
    expect(expected.get('node_modules/old-minimist')).toBe('minimist@0.0.8');
    expect([...expected.keys()].some((path) => path.split('node_modules').length > 2)).toBe(true);
    const found = new Map<string, string>();
    for (const pkg of packages) {
      for (const location of pkg.locations) {
        const match = /^srv\/app\/(.+)\/package\.json$/.exec(location.path);
        if (match?.[1]) found.set(match[1], `${pkg.name}@${pkg.version}`);
      }
    }
    expect(found).toEqual(expected);
    expect(workspaces).toEqual([`${WORKSPACE.name}@${WORKSPACE.version}`]);
    expect(expected.get('node_modules/left-pad')).toBe('left-pad@1.3.0');
    expect(packages.some((p) => p.name === WORKSPACE.name)).toBe(false);
  });

  itNpm('reads the same packages from the project lockfile, without the project itself', () => {
    const fromLock = packages
      .filter((p) => p.locations.some((l) => l.path === 'srv/app/package-lock.json'))
      .map((p) => `${p.name}@${p.version}`);
    expect(new Set(fromLock)).toEqual(new Set(expected.values()));
    expect(fromLock).not.toContain(`${PROJECT.name}@${PROJECT.version}`);
  });

  itNpm('gives each package its layer and a valid purl', () => {
    const lodash = packages.find((p) => p.name === 'lodash');
    expect(lodash?.purl).toBe('pkg:npm/lodash@4.17.11');
    expect(packages.find((p) => p.name === '@types/lodash')?.purl).toBe('pkg:npm/%40types/lodash@4.14.150');
    for (const pkg of packages)
      for (const location of pkg.locations) expect(location.layer).toMatch(/^sha256:/);
  });

  itTrivy(
    'finds every npm package Trivy finds',
    async () => {
      const archive = join(work, 'image.tar');
      await saveImage(tag, archive);
      const trivy = (await trivyPurls(archive, work)).filter((purl) => purl.startsWith('pkg:npm/'));
      const cerana = new Set(packages.map((p) => p.purl));
      const missed = trivy.filter((purl) => !cerana.has(purl));
      // Trivy also lists the project's own package.json and its workspace's. npm decides:
      // `npm ls` shows the first as the root project and the second as a link to the project's
      // own folder (`resolved: file:../packages/tools`), neither a registry package, so Cerana
      // is right to leave them out.
      expect(missed.sort()).toEqual([
        `pkg:npm/${PROJECT.name}@${PROJECT.version}`,
        `pkg:npm/${WORKSPACE.name}@${WORKSPACE.version}`,
      ]);
      expect(trivy.length).toBeGreaterThan(60);
      await rm(archive);
    },
    300_000,
  );
});
