import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { download } from '../../src/vuln/osv/download.js';
import { OsvServer } from './support/osv-server.js';

const root = mkdtempSync(join(tmpdir(), 'cerana-test-dl-root-'));
const content = randomBytes(300_000);
writeFileSync(join(root, 'file.zip'), content);
let server: OsvServer;
let dir: string;
let url: string;
const fast = { backoffMs: 5, maxBackoffMs: 20 };

beforeAll(async () => {
  server = await new OsvServer(root).start();
  url = `${server.url}/file.zip`;
});
afterAll(async () => {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cerana-test-dl-'));
  server.log.length = 0;
  server.clearFaults();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('download', () => {
  it('downloads the file, reports progress and returns its validators', async () => {
    const progress: [number, number | undefined][] = [];
    const dest = join(dir, 'out.zip');
    const result = await download({ url, dest, onProgress: (bytes, total) => progress.push([bytes, total]) });
    expect(result.status).toBe('downloaded');
    if (result.status !== 'downloaded') return;
    expect(readFileSync(dest).equals(content)).toBe(true);
    expect(result.validators.etag).toMatch(/^"[0-9a-f]+"$/);
    expect(result.validators.lastModified).toBeDefined();
    expect(result).toMatchObject({ size: content.length, transferred: content.length, resumed: false });
    expect(progress.at(-1)).toEqual([content.length, content.length]);
    expect(existsSync(`${dest}.part`) || existsSync(`${dest}.part.json`)).toBe(false);
    expect(server.log[0]?.headers['accept-encoding']).toBe('identity');
  });

  it('answers unchanged on a 304 for a matching ETag or Last-Modified, transferring no body', async () => {
    const first = await download({ url, dest: join(dir, 'a.zip') });
    if (first.status !== 'downloaded') throw new Error('expected a download');
    server.log.length = 0;
    const byEtag = await download({
      url,
      dest: join(dir, 'b.zip'),
      previous: { etag: first.validators.etag },
    });
    const byDate = await download({
      url,
      dest: join(dir, 'c.zip'),
      previous: { lastModified: first.validators.lastModified },
    });
    expect(byEtag.status).toBe('unchanged');
    expect(byDate.status).toBe('unchanged');
    expect(server.log.map((r) => r.status)).toEqual([304, 304]);
    expect(server.bodyBytes()).toBe(0);
    expect(existsSync(join(dir, 'b.zip'))).toBe(false);
  });

  it('downloads again when the validators no longer match', async () => {
    const result = await download({ url, dest: join(dir, 'a.zip'), previous: { etag: '"old"' } });
    expect(result.status).toBe('downloaded');
    expect(server.log[0]?.headers['if-none-match']).toBe('"old"');
  });

  it('reports a missing file', async () => {
    expect(await download({ url: `${server.url}/nothing.zip`, dest: join(dir, 'n.zip') })).toEqual({
      status: 'missing',
      httpStatus: 404,
    });
  });

  it('retries 5xx answers with backoff', async () => {
    server.inject('/file.zip', { kind: 'status', status: 503, times: 3 });
    const result = await download({ url, dest: join(dir, 'a.zip'), ...fast });
    expect(result.status).toBe('downloaded');
    expect(server.log.map((r) => r.status)).toEqual([503, 503, 503, 200]);
  });

  it('gives up after the configured retries with a NETWORK error', async () => {
    server.inject('/file.zip', { kind: 'status', status: 502, times: 10 });
    const error = await download({ url, dest: join(dir, 'a.zip'), ...fast, retries: 2 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CeranaError);
    expect((error as CeranaError).code).toBe('NETWORK');
    expect((error as CeranaError).message).toMatch(/HTTP 502 \(gave up after 3 attempts\)/);
    expect(server.log).toHaveLength(3);
  });

  it('does not retry a client error', async () => {
    server.inject('/file.zip', { kind: 'status', status: 403, times: 1 });
    const error = await download({ url, dest: join(dir, 'a.zip'), ...fast }).catch((e: unknown) => e);
    expect((error as CeranaError).code).toBe('NETWORK');
    expect(server.log).toHaveLength(1);
  });

  it('resumes a transfer cut mid-body with Range and If-Range', async () => {
    server.inject('/file.zip', { kind: 'cut', afterBytes: 100_000, times: 1 });
    const dest = join(dir, 'a.zip');
    const result = await download({ url, dest, ...fast });
    expect(result).toMatchObject({ status: 'downloaded', resumed: true, size: content.length });
    expect(readFileSync(dest).equals(content)).toBe(true);
    const [first, second] = server.log;
    expect(first?.status).toBe(200);
    expect(second?.status).toBe(206);
    expect(second?.headers.range).toBe(`bytes=${first?.bytes}-`);
    expect(second?.headers['if-range']).toBe(result.status === 'downloaded' ? result.validators.etag : '');
    // Nothing was fetched twice.
    expect(server.bodyBytes()).toBe(content.length);
  });

  it('resumes a partial download left by an earlier run', async () => {
    server.inject('/file.zip', { kind: 'cut', afterBytes: 120_000, times: 1 });
    const dest = join(dir, 'a.zip');
    await expect(download({ url, dest, retries: 0 })).rejects.toThrow(/gave up/);
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    const result = await download({ url, dest });
    expect(result).toMatchObject({
      status: 'downloaded',
      resumed: true,
      transferred: content.length - partial,
    });
    expect(readFileSync(dest).equals(content)).toBe(true);
  });

  it('starts over when the file changed since the partial download', async () => {
    server.inject('/file.zip', { kind: 'cut', afterBytes: 50_000, times: 1 });
    const dest = join(dir, 'a.zip');
    await expect(download({ url, dest, retries: 0 })).rejects.toThrow(/gave up/);
    const changed = randomBytes(200_000);
    server.replace('/file.zip', changed);
    try {
      const result = await download({ url, dest });
      expect(result).toMatchObject({ status: 'downloaded', resumed: false, size: changed.length });
      expect(readFileSync(dest).equals(changed)).toBe(true);
      expect(server.log.at(-1)?.status).toBe(200);
    } finally {
      server.replace('/file.zip', content, statSync(join(root, 'file.zip')).mtime);
    }
  });

  it('treats a stalled transfer as a network error and resumes it', async () => {
    server.inject('/file.zip', { kind: 'stall', afterBytes: 10_000, times: 1 });
    const dest = join(dir, 'a.zip');
    const result = await download({ url, dest, ...fast, idleTimeoutMs: 300 });
    expect(result).toMatchObject({ status: 'downloaded', resumed: true });
    expect(readFileSync(dest).equals(content)).toBe(true);
  });

  it('enforces the size limit', async () => {
    const error = await download({ url, dest: join(dir, 'a.zip'), maxBytes: 1000 }).catch((e: unknown) => e);
    expect((error as CeranaError).code).toBe('LIMIT');
  });

  it('stops when aborted', async () => {
    server.inject('/file.zip', { kind: 'status', status: 503, times: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by test')), 50);
    await expect(
      download({ url, dest: join(dir, 'a.zip'), backoffMs: 10_000, signal: controller.signal }),
    ).rejects.toThrow(/stopped by test/);
  });
});
