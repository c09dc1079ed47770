import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CeranaError } from '../../common/errors.js';

/**
 * The small part of SQLite the vulnerability database needs, behind one interface so it runs on
 * better-sqlite3 (native, Node 20+) or on Node's built-in `node:sqlite` (Node 22.5+) when the
 * native module is not built. `CERANA_SQLITE_DRIVER=better-sqlite3|node:sqlite` forces one.
 */

export type SqlValue = string | number | bigint | Uint8Array | null;
export type SqlRow = Record<string, SqlValue>;

export interface SqlStatement {
  run(...params: SqlValue[]): void;
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}

export interface SqlDatabase {
  readonly driver: SqliteDriver;
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

export type SqliteDriver = 'better-sqlite3' | 'node:sqlite';

export interface SqlOpenOptions {
  readonly?: boolean;
  /** Fail instead of creating the file (always true when readonly). */
  mustExist?: boolean;
}

// The shapes of the two drivers' APIs this adapter uses, so neither leaks `any`.
interface BetterStatement {
  run(...params: SqlValue[]): unknown;
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}
interface BetterDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): BetterStatement;
  close(): unknown;
}
type BetterConstructor = new (
  path: string,
  options: { readonly?: boolean; fileMustExist?: boolean },
) => BetterDatabase;

interface NodeStatement {
  run(...params: SqlValue[]): unknown;
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}
interface NodeDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
}
type NodeConstructor = new (path: string, options?: { readOnly?: boolean }) => NodeDatabase;

interface Driver {
  name: SqliteDriver;
  open(path: string, options: SqlOpenOptions): SqlDatabase;
}

let chosen: Promise<Driver> | undefined;
const loaded = new Map<SqliteDriver, Promise<Driver | undefined>>();

/** The drivers that load in this runtime, preferred first. */
export async function availableDrivers(): Promise<SqliteDriver[]> {
  const names: SqliteDriver[] = [];
  for (const name of ['better-sqlite3', 'node:sqlite'] as const) if (await loadDriver(name)) names.push(name);
  return names;
}

export async function openSqlite(
  path: string,
  options: SqlOpenOptions = {},
  driver?: SqliteDriver,
): Promise<SqlDatabase> {
  const chosenDriver = driver === undefined ? await defaultDriver() : await loadDriver(driver);
  if (chosenDriver === undefined) {
    throw new CeranaError('UNSUPPORTED', `SQLite driver ${driver} is not available in this Node.js`);
  }
  return chosenDriver.open(path, options);
}

function defaultDriver(): Promise<Driver> {
  chosen ??= (async () => {
    const forced = process.env.CERANA_SQLITE_DRIVER;
    if (forced !== undefined && forced !== '') {
      if (forced !== 'better-sqlite3' && forced !== 'node:sqlite') {
        throw new CeranaError(
          'USAGE',
          `CERANA_SQLITE_DRIVER must be better-sqlite3 or node:sqlite, not ${forced}`,
        );
      }
      const driver = await loadDriver(forced);
      if (driver === undefined)
        throw new CeranaError('UNSUPPORTED', `SQLite driver ${forced} is not available`);
      return driver;
    }
    const driver = (await loadDriver('better-sqlite3')) ?? (await loadDriver('node:sqlite'));
    if (driver === undefined) {
      throw new CeranaError(
        'UNSUPPORTED',
        'no SQLite driver: better-sqlite3 is not built and node:sqlite is missing',
        {
          hint: 'run `npm rebuild better-sqlite3` (needs python3, make and a C++ compiler) or use Node.js 22.13 or later',
        },
      );
    }
    return driver;
  })();
  return chosen;
}

function loadDriver(name: SqliteDriver): Promise<Driver | undefined> {
  let driver = loaded.get(name);
  if (driver === undefined) {
    driver = name === 'better-sqlite3' ? loadBetterSqlite() : loadNodeSqlite();
    loaded.set(name, driver);
  }
  return driver;
}

async function loadBetterSqlite(): Promise<Driver | undefined> {
  let Database: BetterConstructor;
  try {
    Database = createRequire(import.meta.url)('better-sqlite3') as BetterConstructor;
    // The native addon loads on first use: an unbuilt or wrong-ABI module fails here.
    new Database(':memory:', {}).close();
  } catch {
    return undefined;
  }
  return {
    name: 'better-sqlite3',
    open(path, options) {
      const db = new Database(path, {
        readonly: options.readonly ?? false,
        fileMustExist: options.readonly === true || options.mustExist === true,
      });
      return {
        driver: 'better-sqlite3',
        exec: (sql) => void db.exec(sql),
        prepare: (sql) => wrapStatement(db.prepare(sql)),
        close: () => void db.close(),
      };
    },
  };
}

async function loadNodeSqlite(): Promise<Driver | undefined> {
  let DatabaseSync: NodeConstructor;
  try {
    // A variable specifier: on Node 20 the module does not exist and has no types.
    const specifier = 'node:sqlite';
    const module = (await import(specifier)) as { DatabaseSync: NodeConstructor };
    DatabaseSync = module.DatabaseSync;
  } catch {
    return undefined;
  }
  return {
    name: 'node:sqlite',
    open(path, options) {
      const readonly = options.readonly === true;
      if ((readonly || options.mustExist) && !fileExists(path)) {
        throw Object.assign(new Error(`unable to open database file: ${path}`), { code: 'SQLITE_CANTOPEN' });
      }
      const db = new DatabaseSync(path, { readOnly: readonly });
      return {
        driver: 'node:sqlite',
        exec: (sql) => db.exec(sql),
        prepare: (sql) => wrapStatement(db.prepare(sql)),
        close: () => db.close(),
      };
    },
  };
}

function wrapStatement(statement: BetterStatement | NodeStatement): SqlStatement {
  return {
    run: (...params) => void statement.run(...params),
    get: (...params) => statement.get(...params) as SqlRow | undefined,
    all: (...params) => statement.all(...params) as SqlRow[],
  };
}

function fileExists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
