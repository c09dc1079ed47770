import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CeranaError } from '../../common/errors.js';

/**
 * The file-system side of an atomic update: a lock so two updates never interleave, a
 * temporary file beside the database (same directory, so the final rename cannot cross file
 * systems), the swap itself, and cleanup of what a killed update left behind.
 */

const TEMP_MARK = '.tmp-';

/** Runs `work` holding `<dbPath>.lock`. A lock whose process is gone (a killed update) is taken over. */
export async function withUpdateLock<T>(dbPath: string, work: () => Promise<T>): Promise<T> {
  await mkdir(dirname(dbPath), { recursive: true });
  const lock = `${dbPath}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        throw new CeranaError('USAGE', `cannot lock ${lock}: ${(error as Error).message}`);
      }
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
        throw new CeranaError('USAGE', `another database update is running (process ${holder})`, {
          hint: `wait for it to finish, or remove ${lock} if that process is not Cerana`,
        });
      }
      await rm(lock, { force: true });
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

/** A fresh temporary path beside `dbPath`. */
export function tempPathFor(dbPath: string): string {
  return `${dbPath}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Removes temporary files of earlier, interrupted updates. Call while holding the lock. */
export async function removeLeftovers(dbPath: string): Promise<string[]> {
  const dir = dirname(dbPath);
  const prefix = `${basename(dbPath)}${TEMP_MARK}`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const leftovers = names.filter((name) => name.startsWith(prefix));
  for (const name of leftovers) await rm(join(dir, name), { force: true });
  return leftovers.map((name) => join(dir, name));
}

/** Makes the finished file durable, then renames it over the database in one step. */
export async function swapInto(tempPath: string, dbPath: string): Promise<void> {
  const file = await open(tempPath, 'r+');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tempPath, dbPath);
  // The rename itself is durable only once the directory is synced.
  const dir = await open(dirname(dbPath), 'r');
  try {
    await dir.sync();
  } catch {
    // Some file systems refuse to fsync a directory; the rename has still happened.
  } finally {
    await dir.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
