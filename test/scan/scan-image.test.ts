import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { type FileVisitor, type StreamedFile, scanImage } from '../../src/image/scan/index.js';
import type { TarHeader } from '../../src/image/types.js';
import { generatedLayer, header, imageOf, memoryLayer, sha256, tar } from './support/tar-writer.js';

const work = mkdtempSync(join(tmpdir(), 'cerana-test-scan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let cacheCount = 0;
const freshCache = (): string => join(work, `cache-${cacheCount++}`);

/** Captures the files whose path matches. */
function capturing(name: string, match: (path: string) => boolean, version = 1): FileVisitor {
  return { name, version, wants: (path) => (match(path) ? 'capture' : false) };
}

/** Streams matching files and reports their sha256 and size, as the binary portrait does. */
function hashing(
  name: string,
  match: (path: string, header: TarHeader) => boolean,
): FileVisitor & { seen: string[] } {
  const seen: string[] = [];
  return {
    name,
    version: 1,
    seen,
    wants: (path, header) => (match(path, header) ? 'stream' : false),
    onStream: async (file: StreamedFile) => {
      seen.push(file.path);
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of file.body) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      return [{ kind: 'sha256', data: { digest: hash.digest('hex'), size } }];
    },
  };
}

describe('scanImage: layers merged top-down', () => {
  const base = tar([
    { name: 'etc/', type: '5' },
    { name: 'etc/os-release', body: 'ID=debian\n' },
    { name: 'etc/secret.key', body: 'PRIVATE KEY in the base layer' },
    { name: 'opt/app/', type: '5' },
    { name: 'opt/app/old.js', body: 'old' },
    { name: 'opt/app/keep/', type: '5' },
    { name: 'opt/app/keep/deep.txt', body: 'deep' },
    { name: 'var/cache/', type: '5' },
    { name: 'var/cache/big.bin', body: 'cache' },
    { name: 'lib/', type: '5' },
    { name: 'lib/child.txt', body: 'below a directory that becomes a file' },
    { name: 'usr/bin/tool', body: 'tool v1', mode: 0o755 },
  ]);
  const middle = tar([
    { name: 'etc/.wh.secret.key' },
    { name: 'opt/app/', type: '5' },
    { name: 'opt/app/.wh..wh..opq' },
    { name: 'opt/app/new.js', body: 'new' },
    { name: 'var/.wh.cache' },
    { name: 'lib', body: 'now a file' },
    { name: 'usr/bin/tool', body: 'tool v2', mode: 0o755 },
  ]);
  const top = tar([
    { name: 'var/cache/', type: '5' },
    { name: 'var/cache/fresh.txt', body: 'fresh' },
    { name: 'etc/os-release', body: 'ID=debian\nVERSION_ID=12\n' },
  ]);
  const layers = [memoryLayer(base), memoryLayer(middle), memoryLayer(top)];

  it('applies whiteouts, opaque directories, replacement and non-directory barriers', async () => {
    const files = await scanImage(imageOf(layers), [capturing('c', () => true)]);
    const visible = [...files.entries()].map((e) => `${e.path}@${e.layerIndex}`).sort();
    expect(visible).toEqual(
      [
        'etc@0',
        'opt/app@1',
        'opt/app/new.js@1',
        'lib@1',
        'usr/bin/tool@1',
        'var/cache@2',
        'var/cache/fresh.txt@2',
        'etc/os-release@2',
      ].sort(),
    );
    expect(files.size).toBe(8);
    // Counted over the visible entries only, in the order types first appear.
    const counted: Record<string, number> = {};
    for (const entry of files.entries()) counted[entry.type] = (counted[entry.type] ?? 0) + 1;
    expect(Object.entries(files.typeCounts())).toEqual(Object.entries(counted));
    expect(files.typeCounts()).toEqual({ dir: 3, file: 5 });
    expect(files.read('/etc/os-release')?.toString()).toBe('ID=debian\nVERSION_ID=12\n');
    expect(files.read('usr/bin/tool')?.toString()).toBe('tool v2');
    expect(files.get('etc/secret.key')).toBeUndefined();
    expect(files.get('var/cache/big.bin')).toBeUndefined();
    expect(files.layerCounts().map((c) => [c.entries, c.visible])).toEqual([
      [12, 1],
      [4, 4],
      [3, 3],
    ]);
    expect(files.layers[1]?.whiteouts).toEqual(['etc/secret.key', 'var/cache']);
    expect(files.layers[1]?.opaqueDirs).toEqual(['opt/app']);
  });

  it('keeps files deleted by later layers, with their layer, for secret scanners', async () => {
    const files = await scanImage(imageOf(layers), [
      capturing('c', (p) => p.endsWith('.key') || p === 'usr/bin/tool'),
    ]);
    const captured = [...files.capturedFiles()].map((f) => [
      f.path,
      f.layerIndex,
      f.visible,
      f.data.toString(),
    ]);
    expect(captured).toEqual([
      ['etc/secret.key', 0, false, 'PRIVATE KEY in the base layer'],
      ['usr/bin/tool', 0, false, 'tool v1'],
      ['usr/bin/tool', 1, true, 'tool v2'],
    ]);
  });

  it('lets directories implied by an upper layer hide a lower non-directory (as overlay2 does)', async () => {
    // The upper tar has `etc/ssl/x` but no `etc/ssl/` entry: extracted into a fresh directory,
    // `etc/ssl` becomes a real directory there, which hides the lower symlink of that name.
    const lower = tar([
      { name: 'etc/', type: '5' },
      { name: 'etc/ssl', type: '2', linkname: '/decoy' },
      { name: 'decoy/x', body: 'decoy content' },
      { name: 'etc/ssl-old/cert', body: 'hidden with its parent' },
      { name: 'etc/keep', body: 'keep' },
    ]);
    const upper = tar([
      { name: 'etc/ssl/x', body: 'real content' },
      { name: 'etc/ssl-old/cert/leaf', body: 'under an implied directory' },
    ]);
    const files = await scanImage(imageOf([memoryLayer(lower), memoryLayer(upper)]), [
      capturing('c', () => true),
    ]);
    expect(files.get('etc/ssl')).toBeUndefined();
    expect(files.resolve('etc/ssl/x')).toBe('etc/ssl/x');
    expect(files.read('etc/ssl/x')?.toString()).toBe('real content');
    expect(files.get('etc/ssl-old/cert')).toBeUndefined();
    expect(files.read('etc/ssl-old/cert/leaf')?.toString()).toBe('under an implied directory');
    expect(files.read('etc/keep')?.toString()).toBe('keep');
    expect(files.get('etc')?.type).toBe('dir');
  });

  it('hides every lower layer under an opaque root', async () => {
    const upper = tar([{ name: '.wh..wh..opq' }, { name: 'only', body: 'x' }]);
    const files = await scanImage(imageOf([memoryLayer(base), memoryLayer(upper)]), []);
    expect([...files.entries()].map((e) => e.path)).toEqual(['only']);
  });
});

describe('scanImage: links resolve inside the image root', () => {
  const layer = tar([
    { name: 'etc/', type: '5' },
    { name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n' },
    { name: 'usr/lib/os-release', body: 'ID=alpine\n' },
    { name: 'etc/os-release', type: '2', linkname: '../usr/lib/os-release' },
    { name: 'escape-abs', type: '2', linkname: '/../../etc/passwd' },
    { name: 'escape-rel', type: '2', linkname: '../../../../../../etc/passwd' },
    { name: 'up', type: '2', linkname: '../../..' },
    { name: 'dir-link', type: '2', linkname: '/usr/lib' },
    { name: 'loop-a', type: '2', linkname: 'loop-b' },
    { name: 'loop-b', type: '2', linkname: '/loop-a' },
    { name: 'self', type: '2', linkname: 'self/x' },
    { name: 'dangling', type: '2', linkname: '/nowhere/file' },
    { name: 'hard1', type: '1', linkname: 'etc/passwd' },
    { name: 'hard2', type: '1', linkname: 'hard1' },
    { name: 'hard-missing', type: '1', linkname: 'not/there' },
    { name: 'hard-via-symlink-name', type: '1', linkname: 'etc/os-release' },
  ]);

  it('resolves absolute and relative targets like chroot does, and bounds loops', async () => {
    const files = await scanImage(imageOf([memoryLayer(layer)]), [
      capturing('c', (p) => p === 'etc/passwd' || p === 'usr/lib/os-release'),
    ]);
    expect(files.resolve('etc/os-release')).toBe('usr/lib/os-release');
    expect(files.resolve('/escape-abs')).toBe('etc/passwd');
    expect(files.resolve('escape-rel')).toBe('etc/passwd');
    expect(files.resolve('up')).toBe('');
    expect(files.resolve('up/up/etc/passwd')).toBe('etc/passwd');
    expect(files.resolve('dir-link/os-release')).toBe('usr/lib/os-release');
    expect(files.resolve('../../dir-link/../../etc/./passwd')).toBe('etc/passwd');
    expect(files.resolve('loop-a')).toBeUndefined();
    expect(files.resolve('self')).toBeUndefined();
    expect(files.resolve('dangling')).toBe('nowhere/file');
    // Directories are resolved once and remembered: asking again, below them, gives the same.
    expect(files.resolve('dir-link/os-release')).toBe('usr/lib/os-release');
    expect(files.resolve('dir-link/../lib/x')).toBe('usr/lib/x');
    expect(files.resolve('loop-a/x')).toBeUndefined();
    expect(files.resolve('loop-a/x/y')).toBeUndefined();
    expect(files.resolve('up/dir-link/./os-release')).toBe('usr/lib/os-release');
    // Hostile depths: no recursion, no memory per prefix, and nothing past PATH_MAX.
    const deep = `${'d/'.repeat(2000)}x`;
    expect(files.resolve(`dir-link/${deep}`)).toBe(`usr/lib/${deep}`);
    expect(files.resolve('d/'.repeat(100_000))).toBeUndefined();
    expect(files.read(`${'d/'.repeat(100_000)}etc/passwd`)).toBeUndefined();

    expect(files.read('etc/os-release')?.toString()).toBe('ID=alpine\n');
    expect(files.read('escape-abs')?.toString()).toMatch(/^root:/);
    expect(files.read('escape-rel')?.toString()).toMatch(/^root:/);
    expect(files.read('loop-a')).toBeUndefined();
    expect(files.read('dangling')).toBeUndefined();
    expect(files.get('etc/os-release')?.type).toBe('symlink');
    expect(files.stat('etc/os-release')?.path).toBe('usr/lib/os-release');
  });

  it('follows hard links and hard-link chains to the entry with the data', async () => {
    const files = await scanImage(imageOf([memoryLayer(layer)]), [capturing('c', (p) => p === 'etc/passwd')]);
    expect(files.get('hard2')).toMatchObject({ type: 'hardlink', linkname: 'hard1', size: 0 });
    expect(files.stat('hard2')).toMatchObject({ path: 'etc/passwd', type: 'file', size: 26 });
    expect(files.read('hard2')?.toString()).toMatch(/^root:/);
    expect(files.read('hard-missing')).toBeUndefined();
    expect(files.stat('hard-missing')).toBeUndefined();
    // link(2) does not follow a symlink: the hard link is to the symlink itself, which has no data.
    expect(files.read('hard-via-symlink-name')).toBeUndefined();
  });

  it('resolves a hard link to a file of a lower layer', async () => {
    const lower = tar([{ name: 'data/file', body: 'lower data' }]);
    const upper = tar([{ name: 'data/alias', type: '1', linkname: 'data/file' }]);
    const files = await scanImage(imageOf([memoryLayer(lower), memoryLayer(upper)]), [
      capturing('c', (p) => p === 'data/file'),
    ]);
    expect(files.read('data/alias')?.toString()).toBe('lower data');
    expect(files.stat('data/alias')?.layerIndex).toBe(0);
  });
});

describe('scanImage: visitors', () => {
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(300_000, 7)]);
  const layer = tar([
    { name: 'usr/bin/app', body: elf, mode: 0o755 },
    { name: 'usr/lib/node_modules/x/package.json', body: '{"name":"x","version":"1.0.0"}' },
    { name: 'var/lib/dpkg/status', body: 'Package: libc6\n' },
    { name: 'huge.log', body: 'l'.repeat(5000) },
    { name: 'usr/bin/script', body: '#!/bin/sh\necho hi\n', mode: 0o755 },
  ]);

  it('captures once and streams to every visitor that wants a file, with backpressure', async () => {
    const slow: FileVisitor = {
      name: 'slow',
      version: 1,
      wants: (path) => (path === 'usr/bin/app' ? 'stream' : false),
      onStream: async (file) => {
        let size = 0;
        // Reads slowly, so the reader has to wait for it.
        for await (const chunk of file.body) {
          size += (chunk as Buffer).length;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return [{ kind: 'size', data: size }];
      },
    };
    const portrait = hashing('portrait', (_p, h) => (h.mode & 0o111) !== 0);
    const files = await scanImage(
      imageOf([memoryLayer(layer, { chunkSize: 4096 })]),
      [
        capturing('npm', (p) => p.endsWith('package.json')),
        capturing('both', (p) => p === 'usr/bin/app'),
        portrait,
        slow,
      ],
      { limits: { maxCaptureFileBytes: 1024 * 1024 } },
    );
    expect(portrait.seen).toEqual(['usr/bin/app', 'usr/bin/script']);
    const digest = createHash('sha256').update(elf).digest('hex');
    expect(files.facts('portrait').map((f) => [f.path, f.data])).toEqual([
      ['usr/bin/app', { digest, size: elf.length }],
      [
        'usr/bin/script',
        { digest: createHash('sha256').update('#!/bin/sh\necho hi\n').digest('hex'), size: 18 },
      ],
    ]);
    expect(files.facts('slow')).toMatchObject([{ path: 'usr/bin/app', kind: 'size', data: elf.length }]);
    expect(files.read('usr/bin/app')?.equals(elf)).toBe(true);
    expect(files.read('usr/lib/node_modules/x/package.json')?.toString()).toContain('"version":"1.0.0"');
    expect(files.read('var/lib/dpkg/status')).toBeUndefined();
  });

  it.skipIf(availableParallelism() < 2)(
    'offers captured files to prepare() while the layer waits for its hash worker',
    async () => {
      // Small files, then 128 MiB that the walker skips far faster than the worker can hash.
      const small = tar(
        [
          { name: 'etc/a.json', body: '{"a":1}' },
          { name: 'etc/b.json', body: '{"b":2}' },
          { name: 'etc/notes.txt', body: 'notes' },
        ],
        { end: false },
      );
      const MiB = Buffer.alloc(1 << 20);
      function* content(): Generator<Buffer> {
        yield small;
        yield header({ name: 'var/big.bin', size: 128 * MiB.length });
        for (let i = 0; i < 128; i++) yield MiB;
        yield Buffer.alloc(1024);
      }
      const digest = createHash('sha256');
      for (const chunk of content()) digest.update(chunk);
      const layer = generatedLayer(`sha256:${digest.digest('hex')}`, content);
      const prepared: [string, string][] = [];
      const preparing: FileVisitor = {
        ...capturing('json', (path) => path.endsWith('.json')),
        prepare: (path, data) => prepared.push([path, data.toString()]),
      };
      const files = await scanImage(imageOf([layer]), [
        preparing,
        capturing('etc', (p) => p.startsWith('etc/')),
      ]);
      expect(prepared).toEqual([
        ['etc/a.json', '{"a":1}'],
        ['etc/b.json', '{"b":2}'],
      ]);
      expect(files.read('etc/notes.txt')?.toString()).toBe('notes');
    },
  );

  it('reports files over the capture limits as skipped instead of capturing them', async () => {
    const files = await scanImage(imageOf([memoryLayer(layer)]), [capturing('all', () => true)], {
      limits: { maxCaptureFileBytes: 4096, maxCapturedBytesPerLayer: 50 },
    });
    expect(files.read('huge.log')).toBeUndefined();
    expect(files.skipped().map((s) => [s.path, s.reason])).toEqual([
      ['usr/bin/app', 'over-file-limit'],
      ['huge.log', 'over-file-limit'],
      ['usr/bin/script', 'over-layer-budget'],
    ]);
    expect(files.read('usr/lib/node_modules/x/package.json')).toBeDefined();
  });

  it('lets a visitor stop reading early and survives a failing visitor', async () => {
    const peek: FileVisitor = {
      name: 'peek',
      version: 1,
      wants: (_p, h) => ((h.mode & 0o111) !== 0 ? 'stream' : false),
      onStream: async (file) => {
        // Reads the magic and returns without consuming the rest.
        const first = (await file.body[Symbol.asyncIterator]().next()).value as Buffer;
        return first.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))
          ? [{ kind: 'elf', data: true }]
          : [];
      },
    };
    const broken: FileVisitor = {
      name: 'broken',
      version: 1,
      wants: (p) => (p === 'usr/bin/script' ? 'stream' : false),
      onStream: async () => {
        throw new Error('parser exploded');
      },
    };
    const files = await scanImage(imageOf([memoryLayer(layer, { chunkSize: 1000 })]), [peek, broken]);
    expect(files.facts('peek').map((f) => f.path)).toEqual(['usr/bin/app']);
    expect(files.warnings()).toEqual([
      expect.stringMatching(/visitor broken failed on usr\/bin\/script .*parser exploded/),
    ]);
  });

  it('keeps only facts of files still visible unless asked for all', async () => {
    const lower = tar([
      { name: 'bin/a', body: 'a1', mode: 0o755 },
      { name: 'bin/b', body: 'b1', mode: 0o755 },
    ]);
    const upper = tar([{ name: 'bin/.wh.a' }]);
    const files = await scanImage(imageOf([memoryLayer(lower), memoryLayer(upper)]), [
      hashing('portrait', () => true),
    ]);
    expect(files.facts('portrait').map((f) => f.path)).toEqual(['bin/b']);
    expect(files.facts('portrait', { includeHidden: true }).map((f) => f.path)).toEqual(['bin/a', 'bin/b']);
  });

  it('refuses two visitors with the same name', async () => {
    await expect(
      scanImage(imageOf([]), [capturing('x', () => true), capturing('x', () => false)]),
    ).rejects.toThrow(/two file visitors are named x/);
  });
});

describe('scanImage: integrity and the facts cache', () => {
  const data = tar([
    { name: 'etc/os-release', body: 'ID=debian\n' },
    { name: 'bin/sh', body: 'shell', mode: 0o755 },
  ]);
  const visitors = (): FileVisitor[] => [
    capturing('os', (p) => p === 'etc/os-release'),
    hashing('portrait', () => true),
  ];

  it('fails with DIGEST_MISMATCH when the content is not what the diffId says, and caches nothing', async () => {
    const cacheDir = freshCache();
    const liar = memoryLayer(data, { diffId: `sha256:${'ab'.repeat(32)}` });
    const error = await scanImage(imageOf([liar]), visitors(), { cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CeranaError);
    expect((error as CeranaError).code).toBe('DIGEST_MISMATCH');
    expect((error as CeranaError).message).toMatch(
      /content hashes to sha256:[0-9a-f]{64}, not to its diffId sha256:abab/,
    );
    expect(() => readdirSync(join(cacheDir, 'layers'))).toThrow();
  });

  it('trusts a digest the source verified: no second hash, cache keyed by that digest', async () => {
    const cacheDir = freshCache();
    const blob = `sha256:${'cd'.repeat(32)}`;
    // The config's diffId is wrong, but the source vouches for the content by its blob digest.
    const layer = memoryLayer(data, { diffId: `sha256:${'ab'.repeat(32)}` });
    layer.verifiedDigest = blob;
    const files = await scanImage(imageOf([layer]), visitors(), { cacheDir });
    expect(files.read('etc/os-release')?.toString()).toBe('ID=debian\n');
    expect(readdirSync(join(cacheDir, 'layers'))).toEqual([
      expect.stringMatching(/^(cd){32}-[0-9a-f]{24}\.facts$/),
    ]);
    // Another image listing the same verified blob reuses its facts, under its own diffId.
    const same = memoryLayer(data);
    same.verifiedDigest = blob;
    const again = await scanImage(imageOf([same]), visitors(), { cacheDir });
    expect(same.opens).toBe(0);
    expect(again.stats.layers[0]).toMatchObject({ cached: true, diffId: sha256(data) });
    expect([...again.entries()].every((e) => e.layer === sha256(data))).toBe(true);
  });

  it('neither verifies nor caches a generated layer (cacheable: false)', async () => {
    const cacheDir = freshCache();
    const layer = memoryLayer(data, { diffId: `sha256:${'ef'.repeat(32)}` });
    layer.cacheable = false;
    await scanImage(imageOf([layer]), visitors(), { cacheDir });
    const again = await scanImage(imageOf([layer]), visitors(), { cacheDir });
    expect(layer.opens).toBe(2);
    expect(again.read('etc/os-release')?.toString()).toBe('ID=debian\n');
    expect(() => readdirSync(join(cacheDir, 'layers'))).toThrow();
  });

  it('reports a truncated layer as an input error', async () => {
    const cut = data.subarray(0, 700);
    const error = await scanImage(imageOf([memoryLayer(cut)]), []).catch((e: unknown) => e);
    expect((error as CeranaError).code).toBe('INPUT');
    expect((error as CeranaError).message).toMatch(
      /tar archive is truncated \(input ended at byte 700 inside the body/,
    );
  });

  it('serves a warm scan from the cache without opening the layer, with identical results', async () => {
    const cacheDir = freshCache();
    const layer = memoryLayer(data);
    const cold = await scanImage(imageOf([layer]), visitors(), { cacheDir });
    expect(layer.opens).toBe(1);
    expect(cold.stats.layers[0]).toMatchObject({ cached: false, entries: 2, bytes: data.length });

    const warm = await scanImage(imageOf([layer]), visitors(), { cacheDir });
    expect(layer.opens).toBe(1);
    expect(warm.stats.layers[0]).toMatchObject({ cached: true, entries: 2, bytes: data.length });
    expect([...warm.entries()]).toEqual([...cold.entries()]);
    expect(warm.read('etc/os-release')?.toString()).toBe('ID=debian\n');
    expect(warm.facts('portrait')).toEqual(cold.facts('portrait'));

    // Another visitor set (or version) is another cache entry.
    const bumped = [capturing('os', (p) => p === 'etc/os-release', 2), hashing('portrait', () => true)];
    await scanImage(imageOf([layer]), bumped, { cacheDir });
    expect(layer.opens).toBe(2);
    // --no-cache reads again.
    await scanImage(imageOf([layer]), visitors(), { cacheDir, noCache: true });
    expect(layer.opens).toBe(3);
  });

  it('ignores a damaged cache entry and rewrites it', async () => {
    const cacheDir = freshCache();
    const layer = memoryLayer(data);
    await scanImage(imageOf([layer]), visitors(), { cacheDir });
    const dir = join(cacheDir, 'layers');
    const [file] = readdirSync(dir);
    const path = join(dir, file as string);
    const bytes = readFileSync(path);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] as number) ^ 0xff;
    writeFileSync(path, bytes);
    const again = await scanImage(imageOf([layer]), visitors(), { cacheDir });
    expect(layer.opens).toBe(2);
    expect(again.read('etc/os-release')?.toString()).toBe('ID=debian\n');
    writeFileSync(path, 'garbage');
    await scanImage(imageOf([layer]), visitors(), { cacheDir });
    expect(layer.opens).toBe(3);
    await scanImage(imageOf([layer]), visitors(), { cacheDir });
    expect(layer.opens).toBe(3);
    expect(readdirSync(dir)).toEqual([file]);
  });
});

describe('scanImage: concurrency', () => {
  it('reports the bytes read per layer to a progress sink and each finished layer', async () => {
    const data = tar([{ name: 'f', body: 'x'.repeat(10_000) }]);
    const events: string[] = [];
    const read = new Map<string, number>();
    const layer = memoryLayer(data, { chunkSize: 1000 });
    const done: string[] = [];
    await scanImage(imageOf([layer]), [], {
      progress: {
        start: (id, label, total) =>
          events.push(`start ${id === layer.diffId} ${label.startsWith('scanning layer')} ${total}`),
        advance: (id, bytes) => read.set(id, (read.get(id) ?? 0) + bytes),
        done: () => events.push('done'),
      },
      onLayer: (stats) => done.push(`${stats.index} ${stats.cached}`),
    });
    expect(events).toEqual([`start true true ${data.length}`, 'done']);
    expect(read.get(layer.diffId)).toBe(data.length);
    expect(done).toEqual(['0 false']);
  });

  it('reads layers in parallel up to the limit, each once, duplicates once', async () => {
    let open = 0;
    let peak = 0;
    const layers = Array.from({ length: 6 }, (_, i) => {
      const layer = memoryLayer(tar([{ name: `layer-${i}`, body: 'x'.repeat(100_000) }]), {
        chunkSize: 1024,
      });
      const inner = layer.open;
      layer.open = async () => {
        const stream = await inner();
        open++;
        peak = Math.max(peak, open);
        stream.once('close', () => open--);
        return stream;
      };
      return layer;
    });
    const image = imageOf([...layers, layers[0] as (typeof layers)[number]]);
    const files = await scanImage(image, [], { concurrency: 3 });
    expect(peak).toBe(3);
    expect(layers.map((l) => l.opens)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(files.stats.layers).toHaveLength(7);
    expect(files.size).toBe(6);
  });

  it('stops the other layers when one fails', async () => {
    const good = memoryLayer(tar([{ name: 'big', body: 'x'.repeat(2_000_000) }]), { chunkSize: 512 });
    const bad = memoryLayer(
      Buffer.from('not a tar archive at all, just text that is long enough'.repeat(20)),
    );
    const error = await scanImage(imageOf([good, bad]), [], { concurrency: 2 }).catch((e: unknown) => e);
    expect((error as CeranaError).code).toBe('INPUT');
  });
});
