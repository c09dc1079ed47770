import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyCommand } from '../../src/cli/policy.js';
import { STARTER_POLICY } from '../../src/policy/starter.js';
import {
  loadCachedThreatIntel,
  threatIntelFiles,
  updateThreatIntel,
} from '../../src/policy/threat-intel-update.js';
import { runCommand } from './run-command.js';
import { scan, vuln } from './scan-fixture.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const kev = readFileSync(join(fixtures, 'kev.json'));
const epssGz = gzipSync(readFileSync(join(fixtures, 'epss.csv')));
let server: Server;
let base: string;
const requests: { url: string; ifNoneMatch: string | undefined }[] = [];

beforeAll(async () => {
  // A real HTTP server serving the feeds as CISA and FIRST do (JSON; gzipped CSV), with ETags.
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', ifNoneMatch: req.headers['if-none-match'] });
    const body =
      req.url === '/kev.json'
        ? kev
        : req.url === '/epss.csv.gz'
          ? epssGz
          : req.url === '/bad.json'
            ? Buffer.from('{"x":1}')
            : undefined;
    if (!body) return void res.writeHead(404).end();
    const etag = `"${req.url}-v1"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
    res.writeHead(200, { etag, 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('threat intel update', () => {
  it('downloads, validates and caches KEV and EPSS, then asks only for changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cerana-test-intel-'));
    try {
      const first = await updateThreatIntel({
        dir,
        kevUrl: `${base}/kev.json`,
        epssUrl: `${base}/epss.csv.gz`,
      });
      expect(first.kev).toEqual({
        url: `${base}/kev.json`,
        status: 'updated',
        entries: 2,
        version: '2026.11.20',
      });
      expect(first.epss).toMatchObject({ status: 'updated', entries: 3, version: 'v2025.03.14' });
      const intel = loadCachedThreatIntel(dir);
      expect(intel.kev.has('CVE-2024-3094')).toBe(true);
      expect(intel.epss.get('CVE-2024-3094')?.epss).toBe(0.84);

      const second = await updateThreatIntel({
        dir,
        kevUrl: `${base}/kev.json`,
        epssUrl: `${base}/epss.csv.gz`,
      });
      expect([second.kev.status, second.epss.status]).toEqual(['not-modified', 'not-modified']);
      expect(requests.slice(-2).map((r) => r.ifNoneMatch)).toEqual(['"/kev.json-v1"', '"/epss.csv.gz-v1"']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the working copy when a download is not a feed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cerana-test-intel-'));
    try {
      await expect(
        updateThreatIntel({ dir, kevUrl: `${base}/bad.json`, epssUrl: `${base}/epss.csv.gz` }),
      ).rejects.toThrow(/not a KEV catalog/);
      expect(existsSync(threatIntelFiles(dir).kev)).toBe(false);
      await expect(updateThreatIntel({ dir, kevUrl: `${base}/missing.json` })).rejects.toThrow(/HTTP 404/);
      expect(loadCachedThreatIntel(dir).kev.size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cerana policy intel-update fills the cache policy test reads by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cerana-test-intel-cli-'));
    const saved = process.env.CERANA_CACHE_DIR;
    process.env.CERANA_CACHE_DIR = dir;
    try {
      const update = await runCommand(policyCommand, [
        'intel-update',
        '--kev-url',
        `${base}/kev.json`,
        '--epss-url',
        `${base}/epss.csv.gz`,
      ]);
      expect(update.stdout).toBe(
        'kev: updated, 2 entries (2026.11.20)\nepss: updated, 3 entries (v2025.03.14)\n',
      );
      writeFileSync(join(dir, 'policy.yaml'), STARTER_POLICY);
      writeFileSync(
        join(dir, 'scan.json'),
        JSON.stringify(scan({ vulns: [vuln('CVE-2024-3094', 'LOW', 'xz-utils', '5.6.0')] })),
      );
      const result = await runCommand(policyCommand, [
        'test',
        join(dir, 'policy.yaml'),
        join(dir, 'scan.json'),
        '--stage',
        'ci',
      ]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/no-known-exploited\s+DENY\s+deny\s+CVE-2024-3094 \(xz-utils@5\.6\.0\)/);
    } finally {
      if (saved === undefined) delete process.env.CERANA_CACHE_DIR;
      else process.env.CERANA_CACHE_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
