/**
 * The vulnerability database as the CLI and the matchers use it: update (OSV bulk exports over
 * HTTP or from a directory), import (a zip or directory of OSV records), status, open and look up,
 * and push/pull as an OCI artifact.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export { DEFAULT_OSV_URL, defaultSource } from '../osv/bulk.js';
export { DEFAULT_ECOSYSTEMS } from '../osv/ecosystem.js';
export {
  type AffectedMatch,
  type DatabaseStatus,
  databaseStatus,
  type OpenOptions,
  openDatabase,
  type SourceStatus,
  VulnDatabase,
} from './database.js';
export {
  ARTIFACT_TYPE,
  type ArtifactCompression,
  LAYER_MEDIA_TYPE,
  type PullOptions,
  type PullResult,
  type PushOptions,
  type PushResult,
  pullDatabase,
  pushDatabase,
} from './oci/artifact.js';
export { SCHEMA_VERSION } from './schema.js';
export { availableDrivers, type SqliteDriver } from './sqlite.js';
export {
  type ImportOptions,
  importDatabase,
  type SourceOutcome,
  type UpdateOptions,
  type UpdateProgress,
  type UpdateResult,
  updateDatabase,
} from './update.js';

/** `$CERANA_DB`, else `vuln.db` in `$XDG_CACHE_HOME/cerana` (default `~/.cache/cerana`). */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CERANA_DB) return env.CERANA_DB;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cerana', 'vuln.db');
}
