import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CeranaError } from '../../common/errors.js';
import {
  type BulkSource,
  defaultSource,
  exportLocation,
  type FetchOptions,
  fetchExport,
  resolveSource,
} from '../osv/bulk.js';
import { canonicalBase, DEFAULT_ECOSYSTEMS } from '../osv/ecosystem.js';
import { type RawRecord, type RecordReadOptions, readRecords, readZipRecords } from '../osv/records.js';
import type { ZipLimits } from '../osv/zip.js';
import { DatabaseBuilder, type ImportStats, type SourceInfo } from './builder.js';
import { openDatabase, type SourceStatus } from './database.js';
import { removeLeftovers, swapInto, tempPathFor, withUpdateLock } from './files.js';
import { openSqlite, type SqliteDriver } from './sqlite.js';

/**
 * `cerana db update` and `cerana db import`. Both build a complete new database beside the
 * current one and rename it into place, so a reader (or a killed update) only ever sees the
 * old file or the new one. Sources that did not change are copied from the old file, so an
 * update that finds nothing new downloads nothing and rebuilds nothing.
 */

export type UpdateProgress =
  | { phase: 'download'; source: string; bytes: number; total: number | undefined }
  | { phase: 'import'; source: string; records: number; total: number | undefined }
  | { phase: 'swap' };

export interface CommonOptions {
  dbPath: string;
  progress?: (event: UpdateProgress) => void;
  signal?: AbortSignal;
  limits?: Partial<ZipLimits>;
  driver?: SqliteDriver;
}

export interface UpdateOptions extends CommonOptions {
  /** Base URL or directory in OSV's bulk layout; default `CERANA_OSV_URL` or OSV's bucket. */
  source?: string;
  /** Ecosystem exports to fetch (`PyPI`, `Debian`...); default: those already in the database, else all Cerana uses. */
  ecosystems?: readonly string[];
  /** Downloads and partial downloads; default `<dbPath>.downloads`. */
  cacheDir?: string;
  network?: Pick<FetchOptions, 'retries' | 'backoffMs' | 'maxBackoffMs' | 'idleTimeoutMs' | 'maxBytes'>;
}

export interface SourceOutcome {
  name: string;
  location: string;
  /** updated: new data imported; unchanged: the source said nothing changed; missing: the source has no such export;
   * kept: not fetched this time, copied from the previous database. */
  status: 'updated' | 'unchanged' | 'missing' | 'kept';
  transferred: number;
  stats?: ImportStats;
}

export interface UpdateResult {
  dbPath: string;
  /** False when nothing new was found and the database file was left as it was. */
  changed: boolean;
  sources: SourceOutcome[];
  /** Temporary files of interrupted updates that were removed. */
  removedLeftovers: string[];
}

interface Previous {
  path: string;
  sources: Map<string, SourceStatus>;
}

interface PendingImport {
  info: SourceInfo;
  records: () => AsyncIterable<RawRecord>;
}

export async function updateDatabase(options: UpdateOptions): Promise<UpdateResult> {
  const source = resolveSource(options.source ?? defaultSource());
  const dbPath = resolve(options.dbPath);
  const cacheDir = options.cacheDir ?? `${dbPath}.downloads`;
  return withUpdateLock(dbPath, async () => {
    const removedLeftovers = await removeLeftovers(dbPath);
    await removeFinishedDownloads(cacheDir);
    const previous = await readPrevious(dbPath, options.driver);
    const explicit = options.ecosystems !== undefined;
    const ecosystems = chooseEcosystems(options.ecosystems, previous);
    const outcomes: SourceOutcome[] = [];
    const imports: PendingImport[] = [];
    const downloads: string[] = [];
    try {
      for (const ecosystem of ecosystems) {
        options.signal?.throwIfAborted();
        const known = previous?.sources.get(ecosystem);
        const location = exportLocation(source, ecosystem);
        const fetched = await fetchExport(source, ecosystem, {
          ...options.network,
          cacheDir,
          ...(known?.location === location ? { previous: validatorsOf(known) } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (bytes, total) =>
            options.progress?.({ phase: 'download', source: ecosystem, bytes, total }),
        });
        if (fetched.status === 'missing') {
          if (explicit) {
            throw new CeranaError('NOT_FOUND', `${location} does not exist`, {
              hint: `check the source (${describeSource(source)}) and the ecosystem name`,
            });
          }
          outcomes.push({ name: ecosystem, location, status: known ? 'kept' : 'missing', transferred: 0 });
          continue;
        }
        if (fetched.status === 'unchanged') {
          outcomes.push({ name: ecosystem, location, status: 'unchanged', transferred: 0 });
          continue;
        }
        if (fetched.temporary) downloads.push(fetched.path);
        const outcome: SourceOutcome = {
          name: ecosystem,
          location,
          status: 'updated',
          transferred: fetched.transferred,
        };
        outcomes.push(outcome);
        imports.push({
          info: { name: ecosystem, kind: 'bulk', location, ecosystem, ...fetched.validators },
          records: () => readZipRecords(fetched.path, recordOptions(options, ecosystem)),
        });
      }
      const fetchedNames = new Set(imports.map((item) => item.info.name));
      const unchanged = outcomes.filter((o) => o.status === 'unchanged').map((o) => o.name);
      for (const name of previous?.sources.keys() ?? []) {
        if (!outcomes.some((o) => o.name === name)) {
          const known = previous?.sources.get(name);
          outcomes.push({ name, location: known?.location ?? '', status: 'kept', transferred: 0 });
        }
      }
      if (imports.length === 0) {
        if (previous === undefined) {
          throw new CeranaError('NOT_FOUND', `no OSV exports found at ${describeSource(source)}`, {
            hint: 'the source must hold <Ecosystem>/all.zip files',
          });
        }
        await markChecked(dbPath, unchanged, options.driver);
        return { dbPath, changed: false, sources: sortOutcomes(outcomes), removedLeftovers };
      }
      const keep = [...(previous?.sources.keys() ?? [])].filter((name) => !fetchedNames.has(name));
      const stats = await rebuild(dbPath, previous, keep, unchanged, imports, options);
      for (const outcome of outcomes) {
        const imported = stats.get(outcome.name);
        if (imported !== undefined) outcome.stats = imported;
      }
      return { dbPath, changed: true, sources: sortOutcomes(outcomes), removedLeftovers };
    } finally {
      for (const path of downloads) await rm(path, { force: true });
    }
  });
}

export type ImportOptions = Omit<CommonOptions, 'dbPath'>;

/**
 * `cerana db import <zip|dir>`: a directory in OSV's bulk layout imports like an update from it;
 * any other zip or directory of OSV JSON files becomes one source, `file:<absolute path>`, that
 * replaces an earlier import of the same path and leaves every other source as it was.
 */
export async function importDatabase(
  input: string,
  dbPath: string,
  options: ImportOptions = {},
): Promise<UpdateResult> {
  const path = resolve(input);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new CeranaError('NOT_FOUND', `${input} does not exist`);
  if (info.isDirectory()) {
    const ecosystems = await bulkEcosystemsIn(path);
    if (ecosystems.length > 0) return updateDatabase({ ...options, dbPath, source: path, ecosystems });
  }
  const target = resolve(dbPath);
  return withUpdateLock(target, async () => {
    const removedLeftovers = await removeLeftovers(target);
    const previous = await readPrevious(target, options.driver);
    const name = `file:${path}`;
    const keep = [...(previous?.sources.keys() ?? [])].filter((source) => source !== name);
    const stats = await rebuild(
      target,
      previous,
      keep,
      [],
      [
        {
          info: { name, kind: 'file', location: path },
          records: () => readRecords(path, recordOptions(options, name)),
        },
      ],
      options,
    );
    const sources: SourceOutcome[] = keep.map((source) => ({
      name: source,
      location: previous?.sources.get(source)?.location ?? '',
      status: 'kept',
      transferred: 0,
    }));
    const imported: SourceOutcome = { name, location: path, status: 'updated', transferred: 0 };
    const importedStats = stats.get(name);
    if (importedStats !== undefined) imported.stats = importedStats;
    sources.push(imported);
    return { dbPath: target, changed: true, sources: sortOutcomes(sources), removedLeftovers };
  });
}

async function rebuild(
  dbPath: string,
  previous: Previous | undefined,
  keep: readonly string[],
  checked: readonly string[],
  imports: readonly PendingImport[],
  options: ImportOptions,
): Promise<Map<string, ImportStats>> {
  const temp = tempPathFor(dbPath);
  const stats = new Map<string, ImportStats>();
  let builder: DatabaseBuilder | undefined;
  try {
    builder = await DatabaseBuilder.create(temp, options.driver);
    const now = new Date().toISOString();
    if (previous !== undefined) {
      builder.copySources(previous.path, keep);
      builder.markChecked(checked, now);
    }
    for (const item of imports) {
      options.signal?.throwIfAborted();
      stats.set(item.info.name, await builder.importSource(item.info, item.records(), now));
    }
    options.progress?.({ phase: 'swap' });
    builder.finish(now);
    builder = undefined;
    await swapInto(temp, dbPath);
    return stats;
  } catch (error) {
    builder?.abandon();
    await rm(temp, { force: true });
    throw error;
  }
}

async function readPrevious(dbPath: string, driver: SqliteDriver | undefined): Promise<Previous | undefined> {
  const exists = await stat(dbPath).catch(() => undefined);
  if (exists === undefined) return undefined;
  try {
    const db = await openDatabase(dbPath, { cacheSize: 0, ...(driver ? { driver } : {}) });
    try {
      return { path: dbPath, sources: new Map(db.status().sources.map((source) => [source.name, source])) };
    } finally {
      db.close();
    }
  } catch {
    // An unreadable or older database is replaced as a whole: nothing in it can be reused.
    return undefined;
  }
}

/** Records `checkedAt` for sources that answered "not modified", in the live file (a one-row update). */
async function markChecked(
  dbPath: string,
  names: readonly string[],
  driver: SqliteDriver | undefined,
): Promise<void> {
  if (names.length === 0) return;
  try {
    const db = await openSqlite(dbPath, { mustExist: true }, driver);
    try {
      db.prepare('UPDATE sources SET checked_at = ? WHERE name IN (SELECT value FROM json_each(?))').run(
        new Date().toISOString(),
        JSON.stringify(names),
      );
    } finally {
      db.close();
    }
  } catch {
    // A read-only database still answers lookups; only the "last checked" time is stale.
  }
}

function chooseEcosystems(
  requested: readonly string[] | undefined,
  previous: Previous | undefined,
): string[] {
  if (requested !== undefined) {
    if (requested.length === 0) throw new CeranaError('USAGE', 'no ecosystem named');
    const names = requested.map((name) => {
      if (name.includes(':') || name.includes('/') || name.trim() === '') {
        throw new CeranaError('USAGE', `${JSON.stringify(name)} is not an ecosystem export name`, {
          hint: 'exports are per ecosystem (Debian, not Debian:12)',
        });
      }
      return canonicalBase(name);
    });
    return [...new Set(names)];
  }
  const bulk = [...(previous?.sources.values() ?? [])].filter((s) => s.kind === 'bulk').map((s) => s.name);
  return bulk.length > 0 ? bulk.sort() : [...DEFAULT_ECOSYSTEMS];
}

async function bulkEcosystemsIn(dir: string): Promise<string[]> {
  const children = await readdir(dir, { withFileTypes: true });
  const found: string[] = [];
  for (const child of children) {
    if (!child.isDirectory()) continue;
    const zip = await stat(join(dir, child.name, 'all.zip')).catch(() => undefined);
    if (zip?.isFile()) found.push(child.name);
  }
  return found.sort();
}

/** Complete downloads are imported in the same run; any left over belong to an update that was killed. */
async function removeFinishedDownloads(cacheDir: string): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  for (const name of names) if (name.endsWith('.zip')) await rm(join(cacheDir, name), { force: true });
}

function recordOptions(options: ImportOptions, source: string): RecordReadOptions {
  return {
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onRecord: (records: number, total: number | undefined) =>
      options.progress?.({ phase: 'import', source, records, total }),
  };
}

function validatorsOf(source: SourceStatus): { etag?: string; lastModified?: string } {
  return {
    ...(source.etag !== undefined ? { etag: source.etag } : {}),
    ...(source.lastModified !== undefined ? { lastModified: source.lastModified } : {}),
  };
}

function describeSource(source: BulkSource): string {
  return source.base;
}

function sortOutcomes(outcomes: SourceOutcome[]): SourceOutcome[] {
  return outcomes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
