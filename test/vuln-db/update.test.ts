import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { databaseStatus, openDatabase } from '../../src/vuln/db/database.js';
import { importDatabase, type UpdateProgress, updateDatabase } from '../../src/vuln/db/update.js';
import { DEFAULT_ECOSYSTEMS } from '../../src/vuln/osv/ecosystem.js';
import { ZipReader } from '../../src/vuln/osv/zip.js';
import { OsvServer } from './support/osv-server.js';
import { buildZip, type TestEntry } from './support/zip-writer.js';

/** The real OSV kit, served over HTTP so the real download path runs. */
const KIT = resolve(import.meta.dirname, '../../../shared/osv');
const KIT_ECOSYSTEMS = ['Go', 'Maven', 'PyPI', 'npm'];
const manifest = readFileSync(join(KIT, 'MANIFEST.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => {
    const [ecosystem = '', id = '', , names = ''] = line.split('\t');
    return { ecosystem, id, names: names.split(',') };
  });
const manifestCount = (ecosystem: string): number => manifest.filter((m) => m.ecosystem === ecosystem).length;

let server: OsvServer;
let work: string;
const fast = { backoffMs: 5, maxBackoffMs: 20 };

beforeAll(async () => {
  server = await new OsvServer(KIT).start();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'cerana-test-vulndb-update-'));
  server.log.length = 0;
  server.clearFaults();
  return () => rmSync(work, { recursive: true, force: true });
});

function update(dbPath: string, extra: Partial<Parameters<typeof updateDatabase>[0]> = {}) {
  return updateDatabase({ source: server.url, ecosystems: KIT_ECOSYSTEMS, dbPath, network: fast, ...extra });
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('updateDatabase from the real OSV kit over HTTP', () => {
  it('stores every record of every export and finds each listed package by its normalized name', async () => {
    const dbPath = join(work, 'vuln.db');
    const events: UpdateProgress[] = [];
    const result = await update(dbPath, { progress: (event) => events.push(event) });
    expect(result.changed).toBe(true);
    expect(result.sources.map((s) => [s.name, s.status, s.stats?.records, s.stats?.rejected])).toEqual(
      ['Go', 'Maven', 'PyPI', 'npm'].map((name) => [name, 'updated', manifestCount(name), 0]),
    );
    expect(server.log.map((r) => r.status)).toEqual([200, 200, 200, 200]);

    const lastDownload = events.filter((e) => e.phase === 'download' && e.source === 'PyPI').at(-1);
    expect(lastDownload).toMatchObject({ bytes: 2647733, total: 2647733 });
    const lastImport = events.filter((e) => e.phase === 'import' && e.source === 'Go').at(-1);
    expect(lastImport).toMatchObject({ records: 4291, total: 4291 });

    const status = await databaseStatus(dbPath);
    expect(status.schemaVersion).toBe(1);
    expect(status.records).toBe(manifest.length);
    expect(status.sources.map((s) => [s.name, s.records, s.withdrawn])).toEqual([
      ['Go', 4291, 17],
      ['Maven', 15, 0],
      ['PyPI', 2661, 10],
      ['npm', 84, 0],
    ]);
    for (const source of status.sources) {
      expect(source.location).toBe(`${server.url}/${source.name}/all.zip`);
      expect(source.etag).toMatch(/^"[0-9a-f]+"$/);
      expect(source.lastModified).toMatch(/GMT$/);
    }

    const db = await openDatabase(dbPath);
    try {
      let withdrawn = 0;
      for (const { ecosystem, id, names } of manifest) {
        const record = db.advisory(id);
        expect(record?.id).toBe(id);
        const isWithdrawn = record?.withdrawn !== undefined;
        if (isWithdrawn) withdrawn++;
        for (const name of names) {
          const ids = db.affectedFor(ecosystem, name).map((m) => m.advisoryId);
          expect(ids.includes(id), `${ecosystem} ${name} ${id}`).toBe(!isWithdrawn);
        }
      }
      expect(withdrawn).toBe(27);
      const zip = await ZipReader.open(join(KIT, 'npm/all.zip'));
      const entry = zip.entries.find((e) => e.name === 'GHSA-8hc4-vh64-cxmj.json');
      expect(entry).toBeDefined();
      if (entry)
        expect(db.advisoryJson('GHSA-8hc4-vh64-cxmj')).toBe((await zip.read(entry)).toString('utf8'));
      await zip.close();

      const django = db.affectedFor('PyPI', 'Django');
      expect(django.length).toBeGreaterThan(50);
      const ids = django.map((m) => m.advisoryId);
      expect(db.affectedFor('PyPI', 'django').map((m) => m.advisoryId)).toEqual(ids);
      expect(db.affectedFor('PyPI', 'DJANGO').map((m) => m.advisoryId)).toEqual(ids);
      expect(django.every((m) => m.exactName === (m.packageName === 'Django'))).toBe(true);

      const axios = db.affectedFor('npm', 'axios');
      expect(axios.map((m) => [m.advisoryId, m.packageName, m.exactName])).toContainEqual([
        'GHSA-8hc4-vh64-cxmj',
        'Axios',
        false,
      ]);
      expect(axios.filter((m) => m.exactName).length).toBeGreaterThan(0);

      const log4j = db.affectedFor('Maven', 'org.apache.logging.log4j:log4j-core').map((m) => m.advisoryId);
      expect(log4j).toContain('GHSA-jfh8-c2jp-5v3q');
      expect(db.idsForAlias('CVE-2021-44228')).toContain('GHSA-jfh8-c2jp-5v3q');
      expect(db.affectedFor('Go', 'stdlib').length).toBeGreaterThan(100);
    } finally {
      db.close();
    }
  });

  it('re-updates with conditional requests that transfer nothing', async () => {
    const dbPath = join(work, 'vuln.db');
    await update(dbPath);
    const before = await databaseStatus(dbPath);
    const hash = sha256(dbPath);
    server.log.length = 0;
    const again = await update(dbPath);
    expect(again.changed).toBe(false);
    expect(again.sources.map((s) => s.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(server.log.map((r) => r.status)).toEqual([304, 304, 304, 304]);
    expect(server.log.every((r) => r.headers['if-none-match'] !== undefined)).toBe(true);
    expect(server.bodyBytes()).toBe(0);
    const after = await databaseStatus(dbPath);
    expect(after.builtAt).toBe(before.builtAt);
    expect(after.sources.map((s) => s.records)).toEqual(before.sources.map((s) => s.records));
    expect(after.sources.every((s, i) => s.checkedAt > (before.sources[i]?.checkedAt ?? ''))).toBe(true);
    // Only the "last checked" times changed: same size, same advisories.
    expect(sha256(dbPath)).not.toBe(hash);
    expect(after.sizeBytes).toBe(before.sizeBytes);
  });

  it('without named ecosystems, refreshes those already in the database', async () => {
    const dbPath = join(work, 'vuln.db');
    await update(dbPath, { ecosystems: ['npm', 'Maven'] });
    server.log.length = 0;
    const again = await updateDatabase({ source: server.url, dbPath });
    expect(again.sources.map((s) => [s.name, s.status])).toEqual([
      ['Maven', 'unchanged'],
      ['npm', 'unchanged'],
    ]);
    expect(server.log.map((r) => r.path).sort()).toEqual(['/Maven/all.zip', '/npm/all.zip']);
  });

  it('downloads only the export that changed and copies the others', async () => {
    const dbPath = join(work, 'vuln.db');
    await update(dbPath);
    const zip = await ZipReader.open(join(KIT, 'npm/all.zip'));
    const entries: TestEntry[] = [];
    for (const entry of zip.entries.slice(4)) entries.push({ name: entry.name, data: await zip.read(entry) });
    await zip.close();
    const added = {
      id: 'TEST-2099-0001',
      modified: '2099-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, versions: ['1.0.0'] }],
    };
    entries.push({ name: 'TEST-2099-0001.json', data: JSON.stringify(added) });
    server.replace('/npm/all.zip', buildZip(entries));
    const reader = await openDatabase(dbPath, { cacheSize: 0 });
    try {
      server.log.length = 0;
      const result = await update(dbPath);
      // A reader opened before the swap keeps its consistent view of the old file.
      expect(reader.affectedFor('npm', 'left-pad')).toEqual([]);
      expect(reader.affectedFor('Go', 'stdlib').length).toBeGreaterThan(100);
      expect(result.sources.map((s) => [s.name, s.status])).toEqual([
        ['Go', 'unchanged'],
        ['Maven', 'unchanged'],
        ['PyPI', 'unchanged'],
        ['npm', 'updated'],
      ]);
      expect(server.log.map((r) => `${r.path} ${r.status}`).sort()).toEqual([
        '/Go/all.zip 304',
        '/Maven/all.zip 304',
        '/PyPI/all.zip 304',
        '/npm/all.zip 200',
      ]);
      const status = await databaseStatus(dbPath);
      expect(status.sources.map((s) => [s.name, s.records])).toEqual([
        ['Go', 4291],
        ['Maven', 15],
        ['PyPI', 2661],
        ['npm', 84 - 4 + 1],
      ]);
      const db = await openDatabase(dbPath);
      try {
        expect(db.affectedFor('npm', 'left-pad').map((m) => m.advisoryId)).toEqual(['TEST-2099-0001']);
        expect(db.affectedFor('Go', 'stdlib').length).toBeGreaterThan(100);
        expect(db.affectedFor('PyPI', 'django').length).toBeGreaterThan(50);
      } finally {
        db.close();
      }
    } finally {
      reader.close();
      server.replace('/npm/all.zip', readFileSync(join(KIT, 'npm/all.zip')), new Date(0));
    }
  });

  it('resumes an export whose transfer was cut mid-body', async () => {
    const dbPath = join(work, 'vuln.db');
    server.inject('/PyPI/all.zip', { kind: 'cut', afterBytes: 1_000_000, times: 1 });
    const result = await update(dbPath);
    const pypi = server.requestsFor('/PyPI/all.zip');
    expect(pypi.map((r) => r.status)).toEqual([200, 206]);
    expect(pypi[1]?.headers.range).toBe('bytes=1000000-');
    expect(pypi.reduce((sum, r) => sum + r.bytes, 0)).toBe(2647733);
    expect(result.sources.find((s) => s.name === 'PyPI')?.stats?.records).toBe(2661);
  });

  it('resumes in a later run after a run that gave up mid-transfer', async () => {
    const dbPath = join(work, 'vuln.db');
    server.inject('/Go/all.zip', { kind: 'cut', afterBytes: 2_000_000, times: 1 });
    const failed = await update(dbPath, { network: { ...fast, retries: 0 } }).catch((e: unknown) => e);
    expect((failed as CeranaError).code).toBe('NETWORK');
    expect(existsSync(dbPath)).toBe(false);
    server.log.length = 0;
    await update(dbPath);
    const go = server.requestsFor('/Go/all.zip');
    expect(go.map((r) => [r.status, r.bytes])).toEqual([[206, 3179499 - 2_000_000]]);
    expect((await databaseStatus(dbPath)).sources.find((s) => s.name === 'Go')?.records).toBe(4291);
  });

  it('retries an export that answers 503', async () => {
    const dbPath = join(work, 'vuln.db');
    server.inject('/Maven/all.zip', { kind: 'status', status: 503, times: 2 });
    const result = await update(dbPath);
    expect(server.requestsFor('/Maven/all.zip').map((r) => r.status)).toEqual([503, 503, 200]);
    expect(result.sources.find((s) => s.name === 'Maven')?.stats?.records).toBe(15);
  });

  it('uses CERANA_OSV_URL and the default ecosystems, skipping those the mirror lacks', async () => {
    const dbPath = join(work, 'vuln.db');
    const saved = process.env.CERANA_OSV_URL;
    process.env.CERANA_OSV_URL = server.url;
    try {
      const result = await updateDatabase({ dbPath, network: fast });
      const byStatus = (status: string) =>
        result.sources.filter((s) => s.status === status).map((s) => s.name);
      expect(byStatus('updated').sort()).toEqual(['Go', 'Maven', 'PyPI', 'npm']);
      expect(byStatus('missing').sort()).toEqual(
        DEFAULT_ECOSYSTEMS.filter((e) => !KIT_ECOSYSTEMS.includes(e)).sort(),
      );
      expect(server.log.map((r) => r.path)).toContain('/Red Hat/all.zip');
      const named = await updateDatabase({ dbPath, ecosystems: ['Debian'], network: fast }).catch(
        (e: unknown) => e,
      );
      expect(named).toBeInstanceOf(CeranaError);
      expect((named as CeranaError).message).toMatch(/Debian\/all\.zip does not exist/);
    } finally {
      if (saved === undefined) delete process.env.CERANA_OSV_URL;
      else process.env.CERANA_OSV_URL = saved;
    }
  });

  it('leaves the previous database in place when an update is aborted', async () => {
    const dbPath = join(work, 'vuln.db');
    await update(dbPath, { ecosystems: ['npm'] });
    const hash = sha256(dbPath);
    const controller = new AbortController();
    const aborted = await update(dbPath, {
      signal: controller.signal,
      progress: (event) => {
        if (event.phase === 'import' && event.source === 'Go' && event.records === 1000) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(Error);
    expect(sha256(dbPath)).toBe(hash);
    expect(readdirSync(work).filter((name) => name.includes('.tmp-'))).toEqual([]);
    expect(existsSync(`${dbPath}.lock`)).toBe(false);
  });

  it('survives SIGKILL mid-update: the previous database keeps answering and leftovers are cleaned next run', async () => {
    const dbPath = join(work, 'vuln.db');
    await update(dbPath, { ecosystems: ['npm', 'Maven'] });
    const hash = sha256(dbPath);
    const child = spawn(
      resolve('node_modules/.bin/vite-node'),
      [resolve(import.meta.dirname, 'support/update-child.ts')],
      {
        env: {
          ...process.env,
          CERANA_CHILD_SOURCE: server.url,
          CERANA_CHILD_DB: dbPath,
          CERANA_CHILD_ECOSYSTEMS: 'Go,PyPI,npm,Maven',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on('exit', (_code, signal) => done(signal)),
    );
    let killedAt: UpdateProgress | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      const event = JSON.parse(line) as UpdateProgress | { phase: 'done' };
      if (event.phase === 'import' && event.records >= 500) {
        child.kill('SIGKILL');
        killedAt = event;
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');
    expect(killedAt).toMatchObject({ phase: 'import', source: 'Go' });
    // The kill landed mid-build: a temporary database and the dead process's lock are left behind.
    const leftovers = readdirSync(work).filter((name) => name.startsWith('vuln.db.tmp-'));
    expect(leftovers).toHaveLength(1);
    expect(readFileSync(`${dbPath}.lock`, 'utf8')).toBe(String(child.pid));

    expect(sha256(dbPath)).toBe(hash);
    const db = await openDatabase(dbPath);
    try {
      expect(db.affectedFor('npm', 'lodash').length).toBeGreaterThan(0);
      expect(db.affectedFor('Go', 'stdlib')).toEqual([]);
    } finally {
      db.close();
    }

    const next = await update(dbPath);
    expect(next.removedLeftovers.map((path) => path.slice(work.length + 1))).toEqual(leftovers);
    expect(readdirSync(work).filter((name) => name.includes('.tmp-') || name.endsWith('.lock'))).toEqual([]);
    const status = await databaseStatus(dbPath);
    expect(status.sources.map((s) => s.records)).toEqual([4291, 15, 2661, 84]);
  });
});

describe('importDatabase', () => {
  it('imports a directory in the bulk layout like an update', async () => {
    const dbPath = join(work, 'vuln.db');
    const result = await importDatabase(KIT, dbPath);
    expect(result.sources.map((s) => [s.name, s.stats?.records])).toEqual(
      KIT_ECOSYSTEMS.map((name) => [name, manifestCount(name)]),
    );
    expect((await databaseStatus(dbPath)).sources[0]?.location).toBe(join(KIT, 'Go/all.zip'));
  });

  it('adds a single zip or a directory of JSON files as its own source, keeping the others', async () => {
    const dbPath = join(work, 'vuln.db');
    await update(dbPath, { ecosystems: ['npm'] });
    const db0 = await openDatabase(dbPath);
    const axiosBefore = db0.affectedFor('npm', 'axios');
    db0.close();

    await importDatabase(join(KIT, 'npm/all.zip'), dbPath);
    const jsonDir = join(work, 'maven-json', 'nested');
    mkdirSync(jsonDir, { recursive: true });
    const zip = await ZipReader.open(join(KIT, 'Maven/all.zip'));
    for (const entry of zip.entries) writeFileSync(join(jsonDir, entry.name), await zip.read(entry));
    await zip.close();
    const result = await importDatabase(join(work, 'maven-json'), dbPath);
    // Sources are listed by name, and where the temporary directory sorts against the kit depends on the machine.
    const byName = (rows: [string, string | number | undefined][]) =>
      rows.sort(([a], [b]) => (a < b ? -1 : 1));
    expect(result.sources.map((s) => [s.name, s.status])).toEqual(
      byName([
        [`file:${join(work, 'maven-json')}`, 'updated'],
        [`file:${join(KIT, 'npm/all.zip')}`, 'kept'],
        ['npm', 'kept'],
      ]),
    );
    const status = await databaseStatus(dbPath);
    expect(status.sources.map((s) => [s.name, s.records])).toEqual(
      byName([
        [`file:${join(work, 'maven-json')}`, 15],
        [`file:${join(KIT, 'npm/all.zip')}`, 84],
        ['npm', 84],
      ]),
    );
    const db = await openDatabase(dbPath);
    try {
      // The same advisories from two sources are not reported twice.
      expect(db.affectedFor('npm', 'axios')).toEqual(axiosBefore);
      // A plain import indexes every ecosystem a record names, so the mixed npm/Maven records count for Maven too.
      expect(db.affectedFor('Maven', 'org.apache.logging.log4j:log4j-core').length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('refuses a hostile archive with a clear error and keeps the previous database', async () => {
    const dbPath = join(work, 'vuln.db');
    await update(dbPath, { ecosystems: ['Maven'] });
    const hash = sha256(dbPath);
    const bomb = join(work, 'bomb.zip');
    const entries: TestEntry[] = [{ name: 'A.json', data: Buffer.alloc(1_000_000, 0x20) }];
    for (let i = 0; i < 100; i++)
      entries.push({ name: `B${i}.json`, data: Buffer.alloc(1_000_000, 0x20), sameDataAs: 0 });
    writeFileSync(bomb, buildZip(entries));
    const error = await importDatabase(bomb, dbPath).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CeranaError);
    expect((error as CeranaError).message).toMatch(/bomb\.zip: .* overlaps another entry/);
    expect(sha256(dbPath)).toBe(hash);
    expect(readdirSync(work).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('says what is missing', async () => {
    const error = await importDatabase(join(work, 'nothing-here'), join(work, 'vuln.db')).catch(
      (e: unknown) => e,
    );
    expect((error as CeranaError).code).toBe('NOT_FOUND');
  });
});
