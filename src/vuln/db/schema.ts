/**
 * The vulnerability database file. It is written once by a builder and then only read:
 * advisories keep their full record as the source published it (raw deflate) plus the columns a report
 * needs, `affected` holds one row per (advisory, package) keyed by the canonical ecosystem
 * and the normalized package name, and withdrawn advisories have no `affected` rows, so
 * lookups never see them while `advisory(id)` still can.
 *
 * Bump SCHEMA_VERSION on any change: older files are then refused with "run `cerana db update`".
 */

export const SCHEMA_VERSION = 1;

export const CREATE_TABLES = `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sources (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  location TEXT NOT NULL,
  ecosystem TEXT,
  etag TEXT,
  last_modified TEXT,
  records INTEGER NOT NULL,
  withdrawn INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  affected INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  checked_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE advisories (
  rowid INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  modified TEXT NOT NULL,
  published TEXT,
  withdrawn TEXT,
  summary TEXT,
  severity TEXT,
  aliases TEXT,
  record BLOB NOT NULL
);

CREATE TABLE affected (
  advisory INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  entry TEXT NOT NULL
);

CREATE TABLE aliases (
  alias TEXT NOT NULL,
  advisory INTEGER NOT NULL
);
`;

/** Built after the bulk insert: one sort instead of millions of index updates. */
export const CREATE_INDEXES = `
CREATE UNIQUE INDEX advisories_by_source_id ON advisories(source, id);
CREATE INDEX advisories_by_id ON advisories(id);
CREATE INDEX affected_by_package ON affected(ecosystem, name);
CREATE INDEX aliases_by_alias ON aliases(alias);
`;
