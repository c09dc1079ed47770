import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect } from 'vitest';
import { SecretScanner } from '../../src/detect/secrets/scanner.js';
import { BASE_IMAGE, dockerAvailable, requireIntegration } from '../support/integration.js';
import { scanTree } from './scan-tree.js';

/**
 * Real file systems full of code, docs and configs that hold no secrets of anyone's: a stock
 * Debian rootfs, Python's standard library and distribution packages, and node_modules trees of
 * popular packages. Every finding here is a false positive. No exceptions are needed today;
 * one would have to be listed here with its reason.
 */

const scanner = new SecretScanner();
const repoNodeModules = fileURLToPath(new URL('../../node_modules', import.meta.url));
const pythonRoots = existsSync('/usr/lib')
  ? readdirSync('/usr/lib')
      .filter((d) => /^python3(\.\d+)?$/.test(d))
      .map((d) => `/usr/lib/${d}`)
  : [];
const npmGlobal = '/usr/lib/node_modules';

function describeMatches(
  matches: { ruleId: string; path: string; line?: number; evidence: string }[],
): string[] {
  return matches.map((m) => `${m.ruleId} ${m.path}:${m.line ?? 0} ${m.evidence}`);
}

describe('no false positives on real file systems', () => {
  const work = mkdtempSync(join(tmpdir(), 'cerana-test-secrets-fp-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  requireIntegration('docker and the Debian base image', dockerAvailable)(
    `stock ${BASE_IMAGE} root file system`,
    () => {
      const container = execFileSync('docker', ['create', '--network', 'none', BASE_IMAGE, '/bin/true'])
        .toString()
        .trim();
      const tar = join(work, 'rootfs.tar');
      try {
        execFileSync('docker', ['export', '-o', tar, container]);
      } finally {
        execFileSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
      }
      const root = join(work, 'rootfs');
      mkdirSync(root);
      // Device nodes and ownership cannot be recreated unprivileged everywhere; their absence is harmless here.
      execFileSync('tar', ['-xf', tar, '-C', root, '--no-same-owner', '--exclude=dev/*'], {
        stdio: 'ignore',
      });
      const result = scanTree(scanner, root);
      expect(result.files).toBeGreaterThan(1000);
      expect(describeMatches(result.matches)).toEqual([]);
    },
    300_000,
  );

  requireIntegration('a Python 3 installation under /usr/lib', pythonRoots.length > 0)(
    'Python standard library and distribution packages',
    () => {
      const matches = pythonRoots.flatMap((root) => scanTree(scanner, root, `${root.slice(1)}/`).matches);
      expect(describeMatches(matches)).toEqual([]);
    },
    300_000,
  );

  requireIntegration('node_modules trees', existsSync(repoNodeModules))(
    "node_modules of this repository and npm's own",
    () => {
      const result = scanTree(scanner, repoNodeModules, 'app/node_modules/');
      expect(result.files).toBeGreaterThan(500);
      const matches = [...result.matches];
      if (existsSync(npmGlobal))
        matches.push(...scanTree(scanner, npmGlobal, 'usr/lib/node_modules/').matches);
      expect(describeMatches(matches)).toEqual([]);
    },
    300_000,
  );
});
