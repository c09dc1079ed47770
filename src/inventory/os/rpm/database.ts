import { berkeleyHashValues, isBerkeleyHash } from './bdb.js';
import { parseRpmHeader, type RpmHeader } from './header.js';
import { isNdb, ndbBlobs } from './ndb.js';
import { isSqlite, SqliteFile } from './sqlite.js';

export type RpmDbFormat = 'sqlite' | 'bdb' | 'ndb';

export interface RpmDatabase {
  format: RpmDbFormat;
  headers: RpmHeader[];
  warnings: string[];
}

/**
 * Every package header of an rpm database file, whichever backend wrote it (recognized by its
 * magic, not its name). A damaged record costs that record and a warning; a file that is not
 * an rpm database at all is an error.
 */
export function readRpmDatabase(data: Buffer): RpmDatabase {
  const { format, blobs, warnings } = headerBlobs(data);
  const headers: RpmHeader[] = [];
  blobs.forEach((blob, i) => {
    try {
      headers.push(parseRpmHeader(blob));
    } catch (error) {
      warnings.push(`record ${i + 1}: ${(error as Error).message}`);
    }
  });
  return { format, headers, warnings };
}

function headerBlobs(data: Buffer): { format: RpmDbFormat; blobs: Buffer[]; warnings: string[] } {
  if (isSqlite(data)) {
    const db = new SqliteFile(data);
    const root = db.tableRoot('Packages');
    if (root === undefined) throw new Error('the SQLite file has no Packages table');
    const blobs: Buffer[] = [];
    const warnings: string[] = [];
    try {
      for (const row of db.rows(root)) {
        const blob = row.values[1];
        if (Buffer.isBuffer(blob)) blobs.push(blob);
      }
    } catch (error) {
      // Rows are read in order: what came before the damage is still good.
      warnings.push(`Packages table is damaged after ${blobs.length} rows: ${(error as Error).message}`);
    }
    return { format: 'sqlite', blobs, warnings };
  }
  if (isNdb(data)) {
    const { blobs, warnings } = ndbBlobs(data);
    return { format: 'ndb', blobs, warnings };
  }
  if (isBerkeleyHash(data)) {
    // The value under key 0 is rpm's 4-byte instance counter, not a package.
    const { values, warnings } = berkeleyHashValues(data);
    return { format: 'bdb', blobs: values.filter((value) => value.length > 8), warnings };
  }
  throw new Error('not an rpm database (neither SQLite, Berkeley DB hash nor ndb)');
}
