import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Package } from '../../src/inventory/package.js';
import { scanImageRef } from '../../src/scan/image-scan.js';
import { commandWorks, requireIntegration } from '../support/integration.js';

const run = promisify(execFile);

/**
 * Lockfiles written by the real tools (npm 6 and 8 — package-lock v1 and v2; pnpm 7, 8 and 9 —
 * lockfile formats 5.4, 6.0 and 9.0; Yarn 1 and Yarn 4), each for the same project with old packages, nested versions, an alias,
 * a scoped package and a development-only dependency, checked against the tool's own listing.
 * The tools come from the npm registry through npx.
 */
const PROJECT = {
  name: 'cerana-lockfile-oracle',
  version: '1.0.0',
  private: true,
  dependencies: { express: '4.17.1', 'old-minimist': 'npm:minimist@0.0.8', '@types/lodash': '4.14.150' },
  devDependencies: { ms: '2.1.3' },
};
const ALIASES: Record<string, string> = { 'old-minimist': 'minimist' };

const registryReachable = commandWorks('npm', ['ping']);
const itRegistry = requireIntegration('the npm registry', registryReachable);

async function tool(dir: string, spec: string, args: string[]): Promise<string> {
  const { stdout } = await run('npx', ['--yes', spec, ...args], {
    cwd: dir,
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      YARN_ENABLE_TELEMETRY: '0',
      COREPACK_ENABLE_STRICT: '0',
      // Yarn 2+ refuses to write a lockfile when CI is set (immutable installs); these tests create one.
      YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    },
  });
  return stdout;
}

interface PnpmNode {
  from?: string;
  version?: string;
  path?: string;
  dependencies?: Record<string, PnpmNode>;
  devDependencies?: Record<string, PnpmNode>;
  optionalDependencies?: Record<string, PnpmNode>;
}

/** `pnpm ls --json` trees as name@version (and install path) sets. */
function pnpmListing(text: string): { ids: Set<string>; paths: Map<string, string> } {
  const ids = new Set<string>();
  const paths = new Map<string, string>();
  const walk = (node: PnpmNode) => {
    const children = { ...node.dependencies, ...node.optionalDependencies, ...node.devDependencies };
    for (const [key, child] of Object.entries(children)) {
      const id = `${child.from ?? key}@${child.version}`;
      ids.add(id);
      if (child.path) paths.set(child.path, id);
      walk(child);
    }
  };
  for (const root of JSON.parse(text) as PnpmNode[]) walk(root);
  return { ids, paths };
}

describe('lockfiles written by npm, pnpm and Yarn', () => {
  let work: string;
  const projects = new Map<string, { dir: string; packages: Package[] }>();

  async function project(name: string, install: (dir: string) => Promise<unknown>) {
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify(PROJECT, null, 2));
    await install(dir);
    const result = await scanImageRef(`dir:${dir}`, { source: { cacheDir: join(work, 'cache') }, scan: {} });
    expect(result.warnings).toEqual([]);
    projects.set(name, { dir, packages: result.packages.filter((p) => p.type === 'npm') });
  }
  const fromLockfile = (name: string, lockfile: string) =>
    new Set(
      (projects.get(name)?.packages ?? [])
        .filter((p) => p.locations.some((l) => l.path === lockfile))
        .map((p) => `${p.name}@${p.version}`),
    );

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cerana-test-lockfiles-'));
    if (!registryReachable) return;
    for (const version of ['7.33.7', '8.15.9', '9.15.0']) {
      await project(`pnpm${version}`, (dir) =>
        tool(dir, `pnpm@${version}`, ['install', '--ignore-scripts', '--reporter=silent']),
      );
    }
    for (const version of ['6.14.18', '8.19.4']) {
      await project(`npm${version}`, (dir) =>
        tool(dir, `npm@${version}`, [
          'install',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
        ]),
      );
    }
    await project('yarn1', (dir) =>
      tool(dir, 'yarn@1.22.22', ['install', '--ignore-scripts', '--silent', '--no-progress']),
    );
    await project('yarn4', (dir) => tool(dir, '@yarnpkg/cli-dist@4.5.3', ['install']));
  }, 900_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const [version, format] of [
    ['7.33.7', '5.4'],
    ['8.15.9', '6.0'],
    ['9.15.0', '9.0'],
  ]) {
    itRegistry(`pnpm ${version} (lockfile ${format}): the production packages pnpm ls lists`, async () => {
      const { dir } = projects.get(`pnpm${version}`) as { dir: string };
      const prod = pnpmListing(
        await tool(dir, `pnpm@${version}`, ['ls', '--depth', 'Infinity', '--json', '--prod']),
      );
      expect(prod.ids.size).toBeGreaterThan(50);
      expect(prod.ids).toContain('ms@2.0.0');
      expect(prod.ids).not.toContain('ms@2.1.3'); // development only
      expect(fromLockfile(`pnpm${version}`, 'pnpm-lock.yaml')).toEqual(prod.ids);
    });
  }

  for (const [version, format, prodFlag] of [
    ['6.14.18', '1', '--prod'],
    ['8.19.4', '2', '--omit=dev'],
  ]) {
    itRegistry(`npm ${version} (package-lock v${format}): the production packages npm ls lists`, async () => {
      const { dir } = projects.get(`npm${version}`) as { dir: string };
      const doc = JSON.parse(
        await tool(dir, `npm@${version}`, ['ls', '--json', '--all', prodFlag as string]),
      );
      const expected = new Set<string>();
      const walk = (node: {
        dependencies?: Record<string, { version?: string; dependencies?: unknown }>;
      }) => {
        for (const [key, child] of Object.entries(node.dependencies ?? {})) {
          // npm ls names an alias by the alias; the package is its target.
          expected.add(`${ALIASES[key] ?? key}@${child.version}`);
          walk(child as Parameters<typeof walk>[0]);
        }
      };
      walk(doc);
      expect(expected.size).toBeGreaterThan(50);
      expect(expected).not.toContain('ms@2.1.3'); // development only
      expect(fromLockfile(`npm${version}`, 'package-lock.json')).toEqual(expected);
    });
  }

  itRegistry('pnpm 9: the installed .pnpm store holds exactly what pnpm ls lists, at its paths', async () => {
    const { dir, packages } = projects.get('pnpm9.15.0') as { dir: string; packages: Package[] };
    const all = pnpmListing(await tool(dir, 'pnpm@9.15.0', ['ls', '--depth', 'Infinity', '--json']));
    const installed = new Map<string, string>();
    for (const pkg of packages) {
      for (const location of pkg.locations) {
        if (location.path.endsWith('/package.json')) {
          installed.set(
            `${dir}/${location.path.slice(0, -'/package.json'.length)}`,
            `${pkg.name}@${pkg.version}`,
          );
        }
      }
    }
    expect(installed).toEqual(all.paths);
  });

  itRegistry(
    'Yarn 1: every package yarn list shows (it names an alias by the alias; the package is its target)',
    async () => {
      const { dir } = projects.get('yarn1') as { dir: string };
      const listing = JSON.parse(await tool(dir, 'yarn@1.22.22', ['list', '--json', '--silent'])) as {
        data: { trees: YarnTree[] };
      };
      const expected = new Set<string>();
      const walk = (trees: YarnTree[]) => {
        for (const tree of trees) {
          if (!tree.shadow) {
            const at = tree.name.lastIndexOf('@');
            const name = tree.name.slice(0, at);
            expected.add(`${ALIASES[name] ?? name}${tree.name.slice(at)}`);
          }
          walk(tree.children ?? []);
        }
      };
      walk(listing.data.trees);
      expect(expected.size).toBeGreaterThan(50);
      expect(fromLockfile('yarn1', 'yarn.lock')).toEqual(expected);
    },
  );

  itRegistry('Yarn 4: every package yarn info -AR shows, without the project workspace', async () => {
    const { dir } = projects.get('yarn4') as { dir: string };
    const lines = (await tool(dir, '@yarnpkg/cli-dist@4.5.3', ['info', '-AR', '--json'])).trim().split('\n');
    const expected = new Set<string>();
    for (const line of lines) {
      const locator = (JSON.parse(line) as { value: string }).value;
      if (locator.includes('@workspace:')) continue;
      expected.add(locator.replace('@npm:', '@'));
    }
    expect(expected.size).toBeGreaterThan(50);
    expect(fromLockfile('yarn4', 'yarn.lock')).toEqual(expected);
  });
});

interface YarnTree {
  name: string;
  shadow?: boolean;
  children?: YarnTree[];
}
