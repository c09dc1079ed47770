/**
 * Vulnerability databases for matching tests, built by the real importer: the OSV kit in
 * ../shared/osv (imported once and reused by every test file of a run, keyed by the kit's
 * manifest and the schema version) and small databases of hand-written OSV records.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  importDatabase,
  openDatabase,
  SCHEMA_VERSION,
  type VulnDatabase,
} from '../../../src/vuln/db/index.js';
import type { OsvRecord } from '../../../src/vuln/osv/types.js';

export const KIT = resolve(import.meta.dirname, '../../../../shared/osv');
export const kitAvailable = existsSync(join(KIT, 'MANIFEST.tsv'));

/** The kit imported into a database file shared by the test files of this run. */
export async function kitDatabasePath(): Promise<string> {
  const key = createHash('sha256')
    .update(readFileSync(join(KIT, 'MANIFEST.tsv')))
    .update(`schema ${SCHEMA_VERSION}`)
    .digest('hex')
    .slice(0, 16);
  const path = join(tmpdir(), `cerana-test-kit-${key}.db`);
  if (!existsSync(path)) await importDatabase(KIT, path);
  return path;
}

export async function kitDatabase(): Promise<VulnDatabase> {
  return openDatabase(await kitDatabasePath());
}

/** A fresh database holding exactly these records (imported as a directory of JSON files). */
export async function databaseOf(records: Partial<OsvRecord>[]): Promise<{ db: VulnDatabase; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cerana-test-match-'));
  const input = join(dir, 'records');
  mkdirSync(input);
  for (const record of records) {
    const full = { schema_version: '1.6.0', modified: '2024-01-01T00:00:00Z', ...record };
    writeFileSync(join(input, `${full.id}.json`), JSON.stringify(full));
  }
  const path = join(dir, 'vuln.db');
  await importDatabase(input, path);
  return { db: await openDatabase(path), path };
}
