import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CeranaError } from '../../common/errors.js';
import type { RawRecord } from '../osv/records.js';
import { DatabaseBuilder, type SourceInfo } from './builder.js';
import { databaseStatus, openDatabase } from './database.js';
import { availableDrivers, openSqlite, type SqliteDriver } from './sqlite.js';

const work = mkdtempSync(join(tmpdir(), 'cerana-test-vulndb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

async function* records(values: unknown[]): AsyncGenerator<RawRecord> {
  for (const [i, value] of values.entries()) {
    yield { name: `${i}.json`, data: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) };
  }
}

type Build = { info: SourceInfo; values: unknown[] };

async function build(driver: SqliteDriver, sources: Build[]): Promise<string> {
  const path = join(work, `db${counter++}.sqlite`);
  const builder = await DatabaseBuilder.create(path, driver);
  for (const source of sources) await builder.importSource(source.info, records(source.values));
  builder.finish();
  return path;
}

const pkg = (ecosystem: string, name: string, extra: object = {}) => ({
  package: { ecosystem, name },
  ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }],
  ...extra,
});
const advisory = (id: string, affected: object[], extra: object = {}) => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  summary: `summary of ${id}`,
  aliases: [`CVE-${id}`],
  affected,
  ...extra,
});
const fileSource = (name: string): SourceInfo => ({ name, kind: 'file', location: `/data/${name}` });

const drivers = await availableDrivers();

describe.each(drivers)('vulnerability database on %s', (driver) => {
  it('finds entries by canonical ecosystem and normalized name, telling exact from folded names', async () => {
    const path = await build(driver, [
      {
        info: fileSource('mixed'),
        values: [
          advisory('PY-1', [pkg('PyPI', 'Django')]),
          advisory('PY-2', [pkg('PyPI', 'django')]),
          advisory('NPM-1', [pkg('npm', 'Axios'), pkg('npm', 'axios', { versions: ['1.0.0'] })]),
          advisory('DEB-1', [pkg('Debian:12', 'openssl'), pkg('Debian:11', 'openssl')]),
        ],
      },
    ]);
    const db = await openDatabase(path, { driver });
    try {
      const django = db.affectedFor('PyPI', 'Django');
      expect(django.map((m) => [m.advisoryId, m.packageName, m.exactName])).toEqual([
        ['PY-1', 'Django', true],
        ['PY-2', 'django', false],
      ]);
      expect(db.affectedFor('pypi', 'DJANGO').map((m) => m.advisoryId)).toEqual(['PY-1', 'PY-2']);
      expect(db.affectedFor('npm', 'axios').map((m) => [m.packageName, m.exactName])).toEqual([
        ['Axios', false],
        ['axios', true],
      ]);
      const debian = db.affectedFor('debian:12', 'openssl');
      expect(debian).toHaveLength(1);
      expect(debian[0]).toMatchObject({
        advisoryId: 'DEB-1',
        ecosystem: 'Debian:12',
        summary: 'summary of DEB-1',
        aliases: ['CVE-DEB-1'],
        severity: [],
        affected: pkg('Debian:12', 'openssl'),
      });
      expect(db.affectedFor('Debian:10', 'openssl')).toEqual([]);
      expect(db.affectedFor('PyPI', 'flask')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('stores withdrawn advisories but keeps them out of lookups', async () => {
    const path = await build(driver, [
      {
        info: fileSource('w'),
        values: [
          advisory('W-1', [pkg('PyPI', 'flask')], { withdrawn: '2024-02-01T00:00:00Z' }),
          advisory('W-2', [pkg('PyPI', 'flask')]),
        ],
      },
    ]);
    const db = await openDatabase(path, { driver });
    try {
      expect(db.affectedFor('PyPI', 'flask').map((m) => m.advisoryId)).toEqual(['W-2']);
      expect(db.advisory('W-1')?.withdrawn).toBe('2024-02-01T00:00:00Z');
      // The record is kept as the source wrote it.
      expect(db.advisoryJson('W-2')).toBe(JSON.stringify(advisory('W-2', [pkg('PyPI', 'flask')])));
      expect(db.advisoryJson('NOPE')).toBeUndefined();
      expect(db.idsForAlias('CVE-W-1')).toEqual(['W-1']);
      expect(db.status().sources[0]).toMatchObject({ records: 2, withdrawn: 1, affected: 1 });
    } finally {
      db.close();
    }
  });

  it('indexes only the export ecosystem for bulk sources', async () => {
    const mixed = advisory('GHSA-MIX', [pkg('npm', 'jquery'), pkg('Maven', 'org.webjars:jquery')]);
    const path = await build(driver, [
      { info: { name: 'npm', kind: 'bulk', location: 'x/npm/all.zip', ecosystem: 'npm' }, values: [mixed] },
      {
        info: { name: 'Maven', kind: 'bulk', location: 'x/Maven/all.zip', ecosystem: 'Maven' },
        values: [mixed],
      },
    ]);
    const db = await openDatabase(path, { driver });
    try {
      expect(db.affectedFor('npm', 'jquery')).toHaveLength(1);
      expect(db.affectedFor('Maven', 'org.webjars:jquery')).toHaveLength(1);
      expect(db.status()).toMatchObject({ records: 2, affected: 2 });
    } finally {
      db.close();
    }
  });

  it('keeps the newest copy of an advisory, within a source and across sources', async () => {
    const older = advisory('DUP-1', [pkg('PyPI', 'requests')], {
      modified: '2024-01-01T00:00:00Z',
      summary: 'old',
    });
    const newer = advisory('DUP-1', [pkg('PyPI', 'requests')], {
      modified: '2024-06-01T00:00:00Z',
      summary: 'new',
    });
    const path = await build(driver, [
      { info: fileSource('a'), values: [older, newer, older] },
      { info: fileSource('b'), values: [older] },
    ]);
    const db = await openDatabase(path, { driver });
    try {
      const found = db.affectedFor('PyPI', 'requests');
      expect(found.map((m) => [m.advisoryId, m.summary])).toEqual([['DUP-1', 'new']]);
      expect(db.advisory('DUP-1')?.summary).toBe('new');
      expect(db.status().sources.map((s) => [s.name, s.records, s.affected])).toEqual([
        ['a', 1, 1],
        ['b', 1, 1],
      ]);
    } finally {
      db.close();
    }
  });

  it('counts rejected records and keeps their reasons', async () => {
    const path = join(work, `db${counter++}.sqlite`);
    const builder = await DatabaseBuilder.create(path, driver);
    const stats = await builder.importSource(
      fileSource('bad'),
      records(['{not json', { id: 'NO-MODIFIED' }, advisory('OK-1', [pkg('Go', 'golang.org/x/net')])]),
    );
    builder.finish();
    expect(stats).toMatchObject({ records: 1, rejected: 2, affected: 1 });
    expect(stats.warnings.join('\n')).toMatch(/not valid JSON[\s\S]*missing "modified"/);
    expect((await databaseStatus(path, { driver })).sources[0]?.rejected).toBe(2);
  });

  it('returns the same cached answer for a repeated lookup unless caching is off', async () => {
    const path = await build(driver, [
      { info: fileSource('c'), values: [advisory('C-1', [pkg('npm', 'ws')])] },
    ]);
    const cached = await openDatabase(path, { driver });
    const uncached = await openDatabase(path, { driver, cacheSize: 0 });
    try {
      expect(cached.affectedFor('npm', 'ws')).toBe(cached.affectedFor('npm', 'ws'));
      expect(uncached.affectedFor('npm', 'ws')).not.toBe(uncached.affectedFor('npm', 'ws'));
      expect(uncached.affectedFor('npm', 'ws')).toEqual(cached.affectedFor('npm', 'ws'));
    } finally {
      cached.close();
      uncached.close();
    }
  });

  it('explains a missing, foreign, outdated, future or stale database', async () => {
    const missing = await openDatabase(join(work, 'nope.sqlite'), { driver }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CeranaError);
    expect((missing as CeranaError).hint).toBe('run `cerana db update`');

    const foreign = join(work, 'foreign.sqlite');
    writeFileSync(foreign, 'this is not sqlite at all, just text long enough to look like a header........');
    expect(((await openDatabase(foreign, { driver }).catch((e: unknown) => e)) as CeranaError).hint).toBe(
      'run `cerana db update`',
    );

    const path = await build(driver, [{ info: fileSource('v'), values: [] }]);
    const setVersion = async (version: string) => {
      const db = await openSqlite(path, {}, driver);
      db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(version);
      db.close();
    };
    await setVersion('0');
    const old = (await openDatabase(path, { driver }).catch((e: unknown) => e)) as CeranaError;
    expect(old.message).toMatch(/has schema 0; this Cerana needs 1/);
    expect(old.hint).toBe('run `cerana db update`');
    await setVersion('99');
    expect(((await openDatabase(path, { driver }).catch((e: unknown) => e)) as CeranaError).hint).toBe(
      'upgrade Cerana',
    );
    await setVersion('1');
    const stale = (await openDatabase(path, { driver, maxAgeMs: -1 }).catch(
      (e: unknown) => e,
    )) as CeranaError;
    expect(stale.message).toMatch(/too old/);
    (await openDatabase(path, { driver, maxAgeMs: 60_000 })).close();
  });
});
