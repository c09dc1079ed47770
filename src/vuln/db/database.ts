import { stat } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { CeranaError } from '../../common/errors.js';
import { canonicalEcosystem, normalizePackageName } from '../osv/ecosystem.js';
import { parseOsvJson } from '../osv/parse.js';
import type { OsvAffected, OsvRecord, OsvSeverity } from '../osv/types.js';
import { SCHEMA_VERSION } from './schema.js';
import { openSqlite, type SqlDatabase, type SqliteDriver, type SqlRow, type SqlStatement } from './sqlite.js';

/** One affected entry of a non-withdrawn advisory, with what a report needs about the advisory. */
export interface AffectedMatch {
  advisoryId: string;
  modified: string;
  published?: string;
  summary?: string;
  aliases: readonly string[];
  severity: readonly OsvSeverity[];
  /** Canonical ecosystem of the entry (`Debian:12`, `PyPI`). */
  ecosystem: string;
  /** The package name as the advisory writes it. */
  packageName: string;
  /** False when only the normalized names agree (`Django` for `django`, npm `Axios` for `axios`). */
  exactName: boolean;
  affected: OsvAffected;
}

export interface SourceStatus {
  name: string;
  kind: 'bulk' | 'file';
  location: string;
  ecosystem?: string;
  etag?: string;
  lastModified?: string;
  records: number;
  withdrawn: number;
  rejected: number;
  affected: number;
  /** When this source's data last changed in the database. */
  updatedAt: string;
  /** When the source was last checked (a 304 counts). */
  checkedAt: string;
}

export interface DatabaseStatus {
  path: string;
  driver: SqliteDriver;
  schemaVersion: number;
  builtAt: string;
  sizeBytes: number;
  sources: SourceStatus[];
  records: number;
  withdrawn: number;
  affected: number;
}

export interface OpenOptions {
  /** Lookups kept in memory (least recently used are dropped). 0 disables the cache. */
  cacheSize?: number;
  /** Refuse a database built longer ago than this many milliseconds. */
  maxAgeMs?: number;
  driver?: SqliteDriver;
}

const UPDATE_HINT = 'run `cerana db update`';

export class VulnDatabase {
  private readonly lookup: SqlStatement;
  private readonly byId: SqlStatement;
  private readonly byAlias: SqlStatement;
  private readonly cache = new Map<string, readonly AffectedMatch[]>();

  private constructor(
    private readonly db: SqlDatabase,
    readonly path: string,
    readonly schemaVersion: number,
    readonly builtAt: string,
    private readonly cacheSize: number,
  ) {
    this.lookup = db.prepare(
      `SELECT a.rowid AS rowid, a.id AS id, a.modified AS modified, a.published AS published, a.summary AS summary,
              a.aliases AS aliases, a.severity AS severity, f.ecosystem AS ecosystem, f.entry AS entry
       FROM affected f JOIN advisories a ON a.rowid = f.advisory
       WHERE f.ecosystem = ? AND f.name = ?`,
    );
    this.byId = db.prepare(
      'SELECT record FROM advisories WHERE id = ? ORDER BY modified DESC, rowid DESC LIMIT 1',
    );
    this.byAlias = db.prepare(
      'SELECT DISTINCT a.id AS id FROM aliases l JOIN advisories a ON a.rowid = l.advisory WHERE l.alias = ? ORDER BY a.id',
    );
  }

  /** Opens read-only and checks the schema version: a constant amount of work whatever the size. */
  static async open(path: string, options: OpenOptions = {}): Promise<VulnDatabase> {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) {
      throw new CeranaError('NOT_FOUND', `no vulnerability database at ${path}`, { hint: UPDATE_HINT });
    }
    let db: SqlDatabase;
    try {
      db = await openSqlite(path, { readonly: true }, options.driver);
    } catch (error) {
      if (error instanceof CeranaError) throw error;
      throw new CeranaError(
        'INPUT',
        `cannot open the vulnerability database ${path}: ${(error as Error).message}`,
        {
          hint: UPDATE_HINT,
        },
      );
    }
    try {
      const meta = readMeta(db, path);
      const version = Number(meta.get('schema_version'));
      if (version < SCHEMA_VERSION) {
        throw new CeranaError(
          'INPUT',
          `the vulnerability database ${path} has schema ${version}; this Cerana needs ${SCHEMA_VERSION}`,
          {
            hint: UPDATE_HINT,
          },
        );
      }
      if (version > SCHEMA_VERSION) {
        throw new CeranaError(
          'UNSUPPORTED',
          `the vulnerability database ${path} has schema ${version}, newer than this Cerana reads (${SCHEMA_VERSION})`,
          {
            hint: 'upgrade Cerana',
          },
        );
      }
      const builtAt = meta.get('built_at') ?? '';
      if (options.maxAgeMs !== undefined && Date.now() - Date.parse(builtAt) > options.maxAgeMs) {
        throw new CeranaError(
          'INPUT',
          `the vulnerability database ${path} was built ${builtAt} and is too old`,
          {
            hint: UPDATE_HINT,
          },
        );
      }
      return new VulnDatabase(db, path, version, builtAt, options.cacheSize ?? 10_000);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * The affected entries of non-withdrawn advisories for one package: one indexed query, then
   * kept in memory. When several sources hold the same advisory, the newest copy wins.
   */
  affectedFor(ecosystem: string, name: string): readonly AffectedMatch[] {
    const canonical = canonicalEcosystem(ecosystem);
    const key = `${canonical}\u0000${name}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      // Re-inserting marks the key as recently used.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const rows = this.lookup.all(canonical, normalizePackageName(canonical, name));
    const result = newestCopies(rows).map((row) => toMatch(row, name));
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
      this.cache.set(key, result);
    }
    return result;
  }

  /** The full record, withdrawn or not; the newest copy when several sources hold it. */
  advisory(id: string): OsvRecord | undefined {
    const json = this.advisoryJson(id);
    return json === undefined ? undefined : parseOsvJson(json, `${this.path}: ${id}`).record;
  }

  /** The record exactly as its source published it. */
  advisoryJson(id: string): string | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : inflateRawSync(row.record as Uint8Array).toString('utf8');
  }

  /** IDs of the advisories that list `alias` (a CVE, a GHSA...) among their aliases. */
  idsForAlias(alias: string): string[] {
    return this.byAlias.all(alias).map((row) => String(row.id));
  }

  status(): DatabaseStatus {
    return statusOf(this.db, this.path, this.schemaVersion, this.builtAt);
  }

  close(): void {
    this.cache.clear();
    this.db.close();
  }
}

export function openDatabase(path: string, options?: OpenOptions): Promise<VulnDatabase> {
  return VulnDatabase.open(path, options);
}

/** What `cerana db status` prints. */
export async function databaseStatus(
  path: string,
  options?: Pick<OpenOptions, 'driver'>,
): Promise<DatabaseStatus> {
  const db = await VulnDatabase.open(path, { cacheSize: 0, ...options });
  try {
    const status = db.status();
    status.sizeBytes = (await stat(path)).size;
    return status;
  } finally {
    db.close();
  }
}

function readMeta(db: SqlDatabase, path: string): Map<string, string> {
  let rows: SqlRow[];
  try {
    rows = db.prepare('SELECT key, value FROM meta').all();
  } catch {
    throw new CeranaError('INPUT', `${path} is not a Cerana vulnerability database`, { hint: UPDATE_HINT });
  }
  return new Map(rows.map((row) => [String(row.key), String(row.value)]));
}

function statusOf(db: SqlDatabase, path: string, schemaVersion: number, builtAt: string): DatabaseStatus {
  const sources = db
    .prepare('SELECT * FROM sources ORDER BY name')
    .all()
    .map((row): SourceStatus => {
      const source: SourceStatus = {
        name: String(row.name),
        kind: row.kind === 'file' ? 'file' : 'bulk',
        location: String(row.location),
        records: Number(row.records),
        withdrawn: Number(row.withdrawn),
        rejected: Number(row.rejected),
        affected: Number(row.affected),
        updatedAt: String(row.updated_at),
        checkedAt: String(row.checked_at),
      };
      if (row.ecosystem !== null) source.ecosystem = String(row.ecosystem);
      if (row.etag !== null) source.etag = String(row.etag);
      if (row.last_modified !== null) source.lastModified = String(row.last_modified);
      return source;
    });
  const sum = (pick: (s: SourceStatus) => number): number => sources.reduce((total, s) => total + pick(s), 0);
  return {
    path,
    driver: db.driver,
    schemaVersion,
    builtAt,
    sizeBytes: 0,
    sources,
    records: sum((s) => s.records),
    withdrawn: sum((s) => s.withdrawn),
    affected: sum((s) => s.affected),
  };
}

function newestCopies(rows: SqlRow[]): SqlRow[] {
  const newest = new Map<string, SqlRow>();
  for (const row of rows) {
    const id = String(row.id);
    const current = newest.get(id);
    if (
      current === undefined ||
      String(row.modified) > String(current.modified) ||
      (row.modified === current.modified && Number(row.rowid) > Number(current.rowid))
    ) {
      newest.set(id, row);
    }
  }
  const chosen = new Set([...newest.values()].map((row) => Number(row.rowid)));
  return rows
    .filter((row) => chosen.has(Number(row.rowid)))
    .sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0));
}

function toMatch(row: SqlRow, queried: string): AffectedMatch {
  const affected = JSON.parse(String(row.entry)) as OsvAffected;
  const packageName = affected.package?.name ?? '';
  const match: AffectedMatch = {
    advisoryId: String(row.id),
    modified: String(row.modified),
    aliases: row.aliases === null ? [] : (JSON.parse(String(row.aliases)) as string[]),
    severity: row.severity === null ? [] : (JSON.parse(String(row.severity)) as OsvSeverity[]),
    ecosystem: String(row.ecosystem),
    packageName,
    exactName: packageName === queried,
    affected,
  };
  if (row.published !== null) match.published = String(row.published);
  if (row.summary !== null) match.summary = String(row.summary);
  return match;
}
