import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { cerana } from '../support/cli.js';
import { buildTestImage, saveImage } from '../support/images.js';
import { dockerAvailable, requireIntegration } from '../support/integration.js';

const itDocker = requireIntegration('Docker', dockerAvailable);

describe('cerana image (built CLI)', () => {
  let work: string;
  let tag: string;
  let archive: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cerana-cli-'));
    if (!dockerAvailable) return;
    tag = await buildTestImage('layers');
    archive = join(work, 'layers.tar');
    await saveImage(tag, archive);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  itDocker(
    'reports identity, OS, layers and config as JSON, the same from the daemon and a docker save tar',
    async () => {
      const cache = join(work, 'cache');
      const fromDaemon = await cerana(['image', `docker:${tag}`, '--format', 'json', '--cache-dir', cache]);
      // Only warnings (no vulnerability database in this test), never an error.
      expect(fromDaemon.stderr).toMatch(/^(cerana: warning: [^\n]*\n)*$/);
      expect(fromDaemon.code).toBe(0);
      const daemonReport = JSON.parse(fromDaemon.stdout);
      expect(daemonReport.artifact.os).toMatchObject({
        family: 'debian',
        version: '12',
        codename: 'bookworm',
      });
      expect(daemonReport.config).toMatchObject({
        user: '1000:1000',
        exposedPorts: ['8080/tcp', '9090/udp'],
      });
      expect(daemonReport.layers).toHaveLength(5);
      expect(daemonReport.layers.every((l: { cached: boolean }) => l.cached === false)).toBe(true);

      const fromArchive = await cerana([
        'image',
        `docker-archive:${archive}`,
        '--format',
        'json',
        '--cache-dir',
        cache,
      ]);
      expect(fromArchive.code).toBe(0);
      const archiveReport = JSON.parse(fromArchive.stdout);
      // Same layers by diffID: the second read comes from the facts cache.
      expect(archiveReport.layers.every((l: { cached: boolean }) => l.cached === true)).toBe(true);
      expect(archiveReport.files).toEqual(daemonReport.files);
      expect(archiveReport.config).toEqual(daemonReport.config);
      expect(archiveReport.artifact.configDigest).toBe(daemonReport.artifact.configDigest);

      const uncached = await cerana([
        'image',
        `docker-archive:${archive}`,
        '-f',
        'json',
        '--cache-dir',
        cache,
        '--no-cache',
      ]);
      expect(JSON.parse(uncached.stdout).layers.some((l: { cached: boolean }) => l.cached)).toBe(false);
    },
  );

  itDocker('prints a readable table', async () => {
    const result = await cerana([
      'image',
      `docker-archive:${archive}`,
      '--cache-dir',
      join(work, 'cache'),
      '-q',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OS\s+Debian GNU\/Linux 12 \(bookworm\)$/m);
    expect(result.stdout).toMatch(/^Layers \(5\)$/m);
    expect(result.stdout).toMatch(/^User\s+1000:1000$/m);
    expect(result.stdout).toMatch(/^Files: \d+ visible/m);
  });

  itDocker('fails with one clear line and exit code 2 on bad input', async () => {
    const missing = await cerana([
      'image',
      `docker-archive:${join(work, 'nope.tar')}`,
      '--cache-dir',
      join(work, 'cache'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^cerana: /);

    const usage = await cerana(['image']);
    expect(usage.code).toBe(2);
    const badFlag = await cerana(['image', 'x', '--format', 'xml']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('--format must be one of table, json');
    const unknown = await cerana(['frobnicate']);
    expect(unknown.code).toBe(2);
  });
});
