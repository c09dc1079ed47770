import { deflateRawSync } from 'node:zlib';
import { CeranaError } from '../../common/errors.js';
import { normalizePackageName, parseEcosystem } from '../osv/ecosystem.js';
import { parseOsvJson } from '../osv/parse.js';
import type { RawRecord } from '../osv/records.js';
import type { OsvRecord } from '../osv/types.js';
import { CREATE_INDEXES, CREATE_TABLES, SCHEMA_VERSION } from './schema.js';
import { openSqlite, type SqlDatabase, type SqliteDriver, type SqlStatement } from './sqlite.js';

/**
 * Writes a new database file from scratch: sources copied unchanged from a previous database,
 * then sources imported from OSV records. Nothing here touches the live database; the caller
 * swaps the finished file in.
 */

export interface SourceInfo {
  /** Stable key: the ecosystem for bulk exports, `file:<path>` for imported files. */
  name: string;
  kind: 'bulk' | 'file';
  /** URL or path the records came from. */
  location: string;
  /** Index only packages of this ecosystem (base name): a bulk `npm/all.zip` also lists Maven packages of
   * mixed records, which the Maven export indexes itself. Absent: index every package. */
  ecosystem?: string;
  etag?: string;
  lastModified?: string;
}

export interface ImportStats {
  records: number;
  withdrawn: number;
  rejected: number;
  affected: number;
  /** The first warnings, for display; `warningCount` counts all. */
  warnings: string[];
  warningCount: number;
}

const KEPT_WARNINGS = 200;

interface IndexedEntry {
  ecosystem: string;
  name: string;
  entry: string;
}

export class DatabaseBuilder {
  private imported = false;
  private readonly insertAdvisory: SqlStatement;
  private readonly insertAffected: SqlStatement;
  private readonly insertAlias: SqlStatement;
  private readonly insertSource: SqlStatement;
  private readonly supersede: SqlStatement;
  private superseded = 0;

  private constructor(private readonly db: SqlDatabase) {
    this.insertAdvisory = db.prepare(
      `INSERT INTO advisories (source, id, modified, published, withdrawn, summary, severity, aliases, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rowid`,
    );
    this.insertAffected = db.prepare(
      'INSERT INTO affected (advisory, ecosystem, name, entry) VALUES (?, ?, ?, ?)',
    );
    this.insertAlias = db.prepare('INSERT INTO aliases (alias, advisory) VALUES (?, ?)');
    this.insertSource = db.prepare(
      `INSERT OR REPLACE INTO sources (name, kind, location, ecosystem, etag, last_modified, records, withdrawn,
         rejected, affected, updated_at, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.supersede = db.prepare('INSERT INTO superseded (advisory) VALUES (?)');
  }

  /** Creates `path` (which must not exist) with an empty schema. */
  static async create(path: string, driver?: SqliteDriver): Promise<DatabaseBuilder> {
    const db = await openSqlite(path, {}, driver);
    try {
      // The file is private until it is renamed into place: no journal file, no syncs while building
      // (journal_mode OFF is refused in SQLite's defensive mode; an in-memory journal costs as little).
      db.exec('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;');
      db.exec(CREATE_TABLES);
      db.exec('CREATE TEMP TABLE superseded (advisory INTEGER PRIMARY KEY)');
    } catch (error) {
      db.close();
      throw error;
    }
    return new DatabaseBuilder(db);
  }

  /** Copies the named sources, with their advisories, from a previous database. Call before any import. */
  copySources(fromPath: string, names: readonly string[]): void {
    if (this.imported) throw new CeranaError('INTERNAL', 'copySources must run before imports');
    if (names.length === 0) return;
    this.db.prepare('ATTACH DATABASE ? AS previous').run(fromPath);
    try {
      this.db.exec('BEGIN');
      const selected = '(SELECT value FROM json_each(?))';
      const json = JSON.stringify(names);
      this.db
        .prepare(`INSERT INTO main.sources SELECT * FROM previous.sources WHERE name IN ${selected}`)
        .run(json);
      this.db
        .prepare(`INSERT INTO main.advisories SELECT * FROM previous.advisories WHERE source IN ${selected}`)
        .run(json);
      this.db
        .prepare(
          `INSERT INTO main.affected SELECT f.* FROM previous.affected f
           JOIN previous.advisories a ON a.rowid = f.advisory WHERE a.source IN ${selected}`,
        )
        .run(json);
      this.db
        .prepare(
          `INSERT INTO main.aliases SELECT l.* FROM previous.aliases l
           JOIN previous.advisories a ON a.rowid = l.advisory WHERE a.source IN ${selected}`,
        )
        .run(json);
      this.db.exec('COMMIT');
    } finally {
      this.db.exec('DETACH DATABASE previous');
    }
  }

  /** Records that copied sources were checked just now (the source answered "not modified"). */
  markChecked(names: readonly string[], at: string): void {
    if (names.length === 0) return;
    this.db
      .prepare('UPDATE sources SET checked_at = ? WHERE name IN (SELECT value FROM json_each(?))')
      .run(at, JSON.stringify(names));
  }

  /** Reads, validates and stores every record of one source. Malformed records are counted, not fatal. */
  async importSource(
    source: SourceInfo,
    records: AsyncIterable<RawRecord>,
    now = new Date().toISOString(),
  ): Promise<ImportStats> {
    this.imported = true;
    const stats: ImportStats = {
      records: 0,
      withdrawn: 0,
      rejected: 0,
      affected: 0,
      warnings: [],
      warningCount: 0,
    };
    const note = (warning: string): void => {
      stats.warningCount++;
      if (stats.warnings.length < KEPT_WARNINGS) stats.warnings.push(warning);
    };
    const seen = new Map<string, { rowid: number; modified: string; withdrawn: boolean; affected: number }>();
    this.db.exec('BEGIN');
    try {
      for await (const raw of records) {
        let parsed: ReturnType<typeof parseOsvJson>;
        let entries: IndexedEntry[];
        try {
          parsed = parseOsvJson(raw.data, `${source.location}: ${raw.name}`);
          entries = indexedEntries(parsed.record, source.ecosystem);
        } catch (error) {
          stats.rejected++;
          note(error instanceof CeranaError ? error.message : `${raw.name}: ${(error as Error).message}`);
          continue;
        }
        for (const warning of parsed.warnings) note(warning);
        const { record } = parsed;
        const previous = seen.get(record.id);
        if (previous !== undefined) {
          note(`${raw.name}: ${record.id} appears more than once; keeping the newest`);
          if (previous.modified >= record.modified) continue;
          this.supersede.run(previous.rowid);
          this.superseded++;
          stats.records--;
          if (previous.withdrawn) stats.withdrawn--;
          else stats.affected -= previous.affected;
        }
        const row = this.insertAdvisory.get(
          source.name,
          record.id,
          record.modified,
          record.published ?? null,
          record.withdrawn ?? null,
          record.summary ?? null,
          record.severity ? JSON.stringify(record.severity) : null,
          record.aliases ? JSON.stringify(record.aliases) : null,
          // The source's own bytes are kept: an advisory read back is the record as published.
          raw.deflated ?? deflateRawSync(raw.data),
        );
        const rowid = Number(row?.rowid);
        const withdrawn = record.withdrawn !== undefined;
        seen.set(record.id, {
          rowid,
          modified: record.modified,
          withdrawn,
          affected: withdrawn ? 0 : entries.length,
        });
        stats.records++;
        for (const alias of new Set(record.aliases ?? [])) this.insertAlias.run(alias, rowid);
        if (withdrawn) {
          stats.withdrawn++;
          continue;
        }
        for (const entry of entries) this.insertAffected.run(rowid, entry.ecosystem, entry.name, entry.entry);
        stats.affected += entries.length;
      }
      this.insertSource.run(
        source.name,
        source.kind,
        source.location,
        source.ecosystem ?? null,
        source.etag ?? null,
        source.lastModified ?? null,
        stats.records,
        stats.withdrawn,
        stats.rejected,
        stats.affected,
        now,
        now,
      );
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    return stats;
  }

  /** Indexes, metadata, and a closed file ready to be renamed into place. */
  finish(now = new Date().toISOString()): void {
    this.db.exec('BEGIN');
    if (this.superseded > 0) {
      this.db.exec(`
        DELETE FROM affected WHERE advisory IN (SELECT advisory FROM superseded);
        DELETE FROM aliases WHERE advisory IN (SELECT advisory FROM superseded);
        DELETE FROM advisories WHERE rowid IN (SELECT advisory FROM superseded);`);
    }
    this.db.exec(CREATE_INDEXES);
    const meta = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    meta.run('schema_version', String(SCHEMA_VERSION));
    meta.run('built_at', now);
    meta.run('generator', 'cerana');
    this.db.exec('COMMIT');
    this.db.exec('ANALYZE');
    this.db.close();
  }

  /** Closes the file without finishing it; the caller deletes it. */
  abandon(): void {
    try {
      this.db.close();
    } catch {
      // Already closed or never usable: the file is discarded either way.
    }
  }
}

/** The rows a record adds to `affected`: one per distinct (package, entry) it lists. */
function indexedEntries(record: OsvRecord, onlyEcosystem: string | undefined): IndexedEntry[] {
  const entries: IndexedEntry[] = [];
  const indexed = new Set<string>();
  for (const affected of record.affected ?? []) {
    const pkg = affected.package;
    if (pkg === undefined) continue;
    const ecosystem = parseEcosystem(pkg.ecosystem);
    if (onlyEcosystem !== undefined && ecosystem.base !== onlyEcosystem) continue;
    const name = normalizePackageName(ecosystem.full, pkg.name);
    const entry = JSON.stringify(affected);
    // The same package listed twice with the same content adds nothing to a lookup.
    const key = `${ecosystem.full}\u0000${name}\u0000${entry}`;
    if (indexed.has(key)) continue;
    indexed.add(key);
    entries.push({ ecosystem: ecosystem.full, name, entry });
  }
  return entries;
}
