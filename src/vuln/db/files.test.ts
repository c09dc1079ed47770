import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CeranaError } from '../../common/errors.js';
import { removeLeftovers, swapInto, tempPathFor, withUpdateLock } from './files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cerana-test-dbfiles-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('withUpdateLock', () => {
  it('holds the lock while the work runs and releases it after, even on failure', async () => {
    const db = join(dir, 'vuln.db');
    await withUpdateLock(db, async () => {
      expect(readFileSync(`${db}.lock`, 'utf8')).toBe(String(process.pid));
    });
    expect(existsSync(`${db}.lock`)).toBe(false);
    await expect(
      withUpdateLock(db, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(`${db}.lock`)).toBe(false);
  });

  it('refuses while a live process holds the lock', async () => {
    const db = join(dir, 'vuln.db');
    await withUpdateLock(db, async () => {
      const error = await withUpdateLock(db, async () => 'second').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CeranaError);
      expect((error as CeranaError).message).toBe(
        `another database update is running (process ${process.pid})`,
      );
    });
  });

  it('takes over the lock of a process that no longer exists', async () => {
    const db = join(dir, 'vuln.db');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(`${db}.lock`, gone.stdout);
    expect(await withUpdateLock(db, async () => 'ran')).toBe('ran');
  });
});

describe('temporary files', () => {
  it('are created beside the database and removed as leftovers, leaving other files alone', async () => {
    const db = join(dir, 'vuln.db');
    const temp = tempPathFor(db);
    expect(temp.startsWith(`${db}.tmp-${process.pid}-`)).toBe(true);
    writeFileSync(db, 'current');
    writeFileSync(temp, 'partial');
    writeFileSync(`${temp}-journal`, 'partial journal');
    writeFileSync(join(dir, 'other.db.tmp-1-aaaa'), 'not ours');
    expect((await removeLeftovers(db)).sort()).toEqual([temp, `${temp}-journal`]);
    expect(readdirSync(dir).sort()).toEqual(['other.db.tmp-1-aaaa', 'vuln.db']);
  });

  it('swap replaces the database in one rename', async () => {
    const db = join(dir, 'vuln.db');
    writeFileSync(db, 'old');
    const temp = tempPathFor(db);
    writeFileSync(temp, 'new');
    await swapInto(temp, db);
    expect(readFileSync(db, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['vuln.db']);
  });
});
