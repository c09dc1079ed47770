import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { type ZipLimits, ZipReader } from '../../src/vuln/osv/zip.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { buildZip, type TestEntry } from './support/zip-writer.js';

const KIT = join(import.meta.dirname, '../../../shared/osv');
const work = mkdtempSync(join(tmpdir(), 'cerana-test-zip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
function zipFile(entries: TestEntry[], options?: Parameters<typeof buildZip>[1]): string {
  const path = join(work, `z${counter++}.zip`);
  writeFileSync(path, buildZip(entries, options));
  return path;
}

async function readAll(path: string, limits?: Partial<ZipLimits>): Promise<Map<string, string>> {
  const zip = await ZipReader.open(path, limits);
  try {
    const out = new Map<string, string>();
    for (const entry of zip.entries) out.set(entry.name, (await zip.read(entry)).toString('utf8'));
    return out;
  } finally {
    await zip.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<CeranaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CeranaError);
  return error as CeranaError;
}

describe('ZipReader', () => {
  it('reads stored and deflated entries', async () => {
    const path = zipFile([
      { name: 'a.json', data: '{"a":1}', method: 0 },
      { name: 'dir/b.json', data: 'x'.repeat(10_000) },
      { name: 'empty.json', data: '' },
    ]);
    const entries = await readAll(path);
    expect([...entries.keys()]).toEqual(['a.json', 'dir/b.json', 'empty.json']);
    expect(entries.get('a.json')).toBe('{"a":1}');
    expect(entries.get('dir/b.json')).toBe('x'.repeat(10_000));
    expect(entries.get('empty.json')).toBe('');
  });

  it('reads every entry of the real Go export with its CRC checked', async () => {
    const zip = await ZipReader.open(join(KIT, 'Go/all.zip'));
    try {
      const manifest = readFileSync(join(KIT, 'MANIFEST.tsv'), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('Go\t'))
        .map((line) => `${line.split('\t')[1]}.json`);
      expect(zip.entries.map((e) => e.name).sort()).toEqual(manifest.sort());
      let bytes = 0;
      for (const entry of zip.entries) bytes += (await zip.read(entry)).length;
      expect(bytes).toBe(zip.entries.reduce((sum, e) => sum + e.size, 0));
    } finally {
      await zip.close();
    }
  });

  it('reads zip64 end records and zip64 extra fields', async () => {
    const path = zipFile(
      [
        { name: 'a.json', data: 'first', zip64: true },
        { name: 'b.json', data: 'second' },
      ],
      { zip64End: true },
    );
    expect(Object.fromEntries(await readAll(path))).toEqual({ 'a.json': 'first', 'b.json': 'second' });
  });

  it('skips an archive comment when finding the end record', async () => {
    const path = zipFile([{ name: 'a.json', data: '1' }], { comment: 'PK\u0005\u0006 not a record' });
    expect(await readAll(path)).toEqual(new Map([['a.json', '1']]));
  });

  requireIntegration('zip (Info-ZIP)', commandWorks('zip', ['-v']))(
    'reads archives written by Info-ZIP with zip64 and data descriptors',
    async () => {
      const dir = join(work, 'infozip');
      execFileSync('mkdir', ['-p', dir]);
      writeFileSync(join(dir, 'one.json'), '{"id":"ONE"}');
      writeFileSync(join(dir, 'two.json'), JSON.stringify({ big: 'y'.repeat(50_000) }));
      const forced = join(work, 'zip64.zip');
      execFileSync('zip', ['-q', '-fz', forced, 'one.json', 'two.json'], { cwd: dir });
      expect([...(await readAll(forced)).keys()]).toEqual(['one.json', 'two.json']);
      // Input from a pipe: sizes are unknown when the local header is written, so they follow the data.
      const streamed = join(work, 'streamed.zip');
      execFileSync('sh', ['-c', `cat two.json | zip -q ${streamed} -`], { cwd: dir });
      const entries = await readAll(streamed);
      expect(entries.get('-')).toBe(readFileSync(join(dir, 'two.json'), 'utf8'));
    },
  );
});

describe('ZipReader on hostile archives', () => {
  it('refuses entries that share data (overlap bombs)', async () => {
    const entries: TestEntry[] = [{ name: 'a.json', data: 'z'.repeat(100_000) }];
    for (let i = 0; i < 50; i++)
      entries.push({ name: `copy${i}.json`, data: 'z'.repeat(100_000), sameDataAs: 0 });
    const error = await failure(readAll(zipFile(entries)));
    expect(error.message).toMatch(/overlaps/);
  });

  it('stops inflating at the declared size when an entry lies about it', async () => {
    const path = zipFile([{ name: 'bomb.json', data: Buffer.alloc(20_000_000), declaredSize: 1000 }]);
    const error = await failure(readAll(path));
    expect(error.message).toMatch(/inflates beyond its declared size/);
  });

  it('refuses an honest entry over the size limit before inflating it', async () => {
    const path = zipFile([{ name: 'big.json', data: Buffer.alloc(3_000_000) }]);
    const error = await failure(ZipReader.open(path, { maxEntrySize: 1_000_000 }));
    expect(error.code).toBe('LIMIT');
  });

  it('caps the total size and the number of entries', async () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({
      name: `${i}.json`,
      data: Buffer.alloc(100_000),
    }));
    const path = zipFile(entries);
    expect((await failure(ZipReader.open(path, { maxTotalSize: 1_000_000 }))).code).toBe('LIMIT');
    expect((await failure(ZipReader.open(path, { maxEntries: 10 }))).code).toBe('LIMIT');
  });

  it('checks the declared size and CRC of every entry', async () => {
    expect(
      (await failure(readAll(zipFile([{ name: 'a.json', data: 'abc', declaredSize: 10 }])))).message,
    ).toMatch(/declared size/);
    expect(
      (await failure(readAll(zipFile([{ name: 'a.json', data: 'abc', declaredCrc: 1 }])))).message,
    ).toMatch(/CRC-32/);
  });

  it.each([
    '../escape.json',
    'a/../../escape.json',
    '/etc/passwd.json',
    'a\\..\\b.json',
    'C:evil.json',
    'nul\u0000.json',
  ])('refuses the entry name %j', async (name) => {
    const error = await failure(ZipReader.open(zipFile([{ name, data: '{}' }])));
    expect(error.message).toMatch(/unsafe entry name/);
  });

  it('refuses encrypted entries and unknown compression', async () => {
    expect(
      (await failure(ZipReader.open(zipFile([{ name: 'a.json', data: 'x', encrypted: true }])))).code,
    ).toBe('UNSUPPORTED');
    const path = zipFile([{ name: 'a.json', data: 'x', method: 0 }]);
    const bytes = readFileSync(path);
    // Method field of the central directory entry (offset 10 after its signature).
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt16LE(12, central + 10);
    writeFileSync(path, bytes);
    expect((await failure(ZipReader.open(path))).message).toMatch(/compression method 12/);
  });

  it('gives a clear error for files that are not zips or are cut short', async () => {
    const notZip = join(work, 'not.zip');
    writeFileSync(notZip, 'hello, this is not a zip archive');
    expect((await failure(ZipReader.open(notZip))).message).toMatch(/not a zip archive/);
    const full = readFileSync(join(KIT, 'npm/all.zip'));
    const cut = join(work, 'cut.zip');
    writeFileSync(cut, full.subarray(0, full.length - 5000));
    expect((await failure(ZipReader.open(cut))).code).toBe('INPUT');
  });

  it('turns random corruption into a CeranaError or a correct read, never a crash', async () => {
    const good = buildZip([
      { name: 'a.json', data: '{"id":"A","modified":"2024-01-01T00:00:00Z"}' },
      { name: 'b.json', data: 'b'.repeat(5000) },
      { name: 'c.json', data: 'c', method: 0 },
    ]);
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const outcomes = { ok: 0, refused: 0 };
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(good);
      for (let flips = 1 + random(4); flips > 0; flips--) bytes[random(bytes.length)] = random(256);
      const path = join(work, 'fuzz.zip');
      writeFileSync(path, bytes);
      try {
        await readAll(path);
        outcomes.ok++;
      } catch (error) {
        if (!(error instanceof CeranaError)) throw error;
        outcomes.refused++;
      }
    }
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.ok + outcomes.refused).toBe(300);
  });
});
