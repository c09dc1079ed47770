import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteFile, SqliteFormatError } from './sqlite.js';

interface Statement {
  run(...params: unknown[]): unknown;
  all(): unknown[];
}
interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => Database;

const dir = mkdtempSync(join(tmpdir(), 'cerana-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database written by SQLite itself: the reader must see exactly what SQLite's SELECT sees. */
function writeDatabase(name: string, pageSize: number, rows: [number, Buffer, string][]): Buffer {
  const path = join(dir, name);
  const db = new Sqlite(path);
  db.exec(`PRAGMA page_size = ${pageSize}; PRAGMA journal_mode = DELETE;`);
  db.exec('CREATE TABLE other (x TEXT)');
  db.exec("CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL, note TEXT)");
  const insert = db.prepare('INSERT INTO Packages (hnum, blob, note) VALUES (?, ?, ?)');
  db.exec('BEGIN');
  for (const row of rows) insert.run(...row);
  db.exec('COMMIT');
  db.close();
  return readFileSync(path);
}

describe('SqliteFile', () => {
  it('reads a multi-level table with overflowing payloads exactly as SQLite stores it', () => {
    const rows: [number, Buffer, string][] = [];
    for (let i = 1; i <= 3000; i++) {
      const size = i % 97 === 0 ? 70_000 + i : (i * 37) % 900;
      rows.push([i * 3, randomBytes(size), `row ${i} ✓`]);
    }
    for (const pageSize of [512, 4096, 65536]) {
      const file = new SqliteFile(writeDatabase(`big-${pageSize}.sqlite`, pageSize, rows));
      const root = file.tableRoot('Packages');
      expect(root).toBeGreaterThan(1);
      const read = [...file.rows(root as number)];
      expect(read.length).toBe(rows.length);
      read.forEach((row, i) => {
        const [hnum, blob, note] = rows[i] as [number, Buffer, string];
        expect(row.rowid).toBe(BigInt(hnum));
        expect(row.values[0]).toBeNull(); // the INTEGER PRIMARY KEY lives in the rowid
        expect(Buffer.compare(row.values[1] as Buffer, blob)).toBe(0);
        expect(row.values[2]).toBe(note);
      });
    }
  });

  it('refuses damage with a clear error instead of reading out of bounds', () => {
    const data = writeDatabase('small.sqlite', 1024, [[1, randomBytes(5000), 'x']]);
    expect(() => new SqliteFile(Buffer.from('not a database at all, not at all'))).toThrow(SqliteFormatError);
    const truncated = new SqliteFile(data.subarray(0, 2048));
    expect(() => [...truncated.rows(truncated.tableRoot('Packages') ?? 2)]).toThrow(/outside the file/);
    const looped = Buffer.from(data);
    const root = new SqliteFile(data).tableRoot('Packages') as number;
    // Point the leaf's only cell at the page header itself: garbage must not crash the reader.
    looped.writeUInt16BE(0, (root - 1) * 1024 + 8);
    expect(() => [...new SqliteFile(looped).rows(root)]).toThrow(SqliteFormatError);
  });
});
