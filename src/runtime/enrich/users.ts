import { readFileSync, statSync } from 'node:fs';
import type { GroupInfo, UserInfo } from '../event/types.js';

/**
 * User and group names as the process's own system knows them: a container's processes are
 * resolved from the container's `/etc/passwd` and `/etc/group`, never the host's.
 */

/** Account files bigger than this are not read (hostile or broken images). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** How long a parsed file is trusted before its mtime is checked again. */
const RECHECK_MS = 2000;

export interface Account {
  readonly name: string;
  readonly home?: string;
  readonly shell?: string;
}

/** `name:x:uid:gid:gecos:home:shell` lines (passwd) or `name:x:gid:members` lines (group). */
export function parseAccounts(text: string, kind: 'passwd' | 'group'): Map<number, Account> {
  const out = new Map<number, Account>();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const f = line.split(':');
    const name = f[0];
    const id = Number(f[2]);
    if (!name || f[2] === undefined || f[2] === '' || !Number.isInteger(id) || id < 0) continue;
    // The first entry for an id wins, as getpwuid() returns it.
    if (out.has(id)) continue;
    if (kind === 'passwd') {
      const home = f[5];
      const shell = f[6]?.trim();
      out.set(id, {
        name,
        ...(home ? { home } : {}),
        ...(shell ? { shell } : {}),
      });
    } else {
      out.set(id, { name });
    }
  }
  return out;
}

interface CachedFile {
  readonly mtimeMs: number;
  readonly checkedAt: number;
  readonly accounts: Map<number, Account>;
}

export class AccountDirectory {
  private readonly files = new Map<string, CachedFile>();
  private readonly users = new Map<string, UserInfo>();
  private readonly groups = new Map<string, GroupInfo>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The user `uid` of the system whose root directory is `root` (`/` for the host). */
  user(root: string, uid: number): UserInfo {
    const accounts = this.file(`${root === '/' ? '' : root}/etc/passwd`, 'passwd');
    const key = `${root}\0${uid}`;
    const known = this.users.get(key);
    const a = accounts?.get(uid);
    if (known !== undefined && known.name === a?.name) return known;
    const info: UserInfo =
      a === undefined
        ? { uid }
        : {
            uid,
            name: a.name,
            ...(a.home === undefined ? {} : { homedir: a.home }),
            ...(a.shell === undefined ? {} : { shell: a.shell }),
          };
    if (this.users.size > 65_536) this.users.clear();
    this.users.set(key, info);
    return info;
  }

  group(root: string, gid: number): GroupInfo {
    const accounts = this.file(`${root === '/' ? '' : root}/etc/group`, 'group');
    const key = `${root}\0${gid}`;
    const known = this.groups.get(key);
    const a = accounts?.get(gid);
    if (known !== undefined && known.name === a?.name) return known;
    const info: GroupInfo = a === undefined ? { gid } : { gid, name: a.name };
    if (this.groups.size > 65_536) this.groups.clear();
    this.groups.set(key, info);
    return info;
  }

  /** Forgets what was read under `root` (the container is gone). */
  forget(root: string): void {
    const prefix = root === '/' ? '/etc/' : `${root}/etc/`;
    for (const k of this.files.keys()) if (k.startsWith(prefix)) this.files.delete(k);
    for (const k of this.users.keys()) if (k.startsWith(`${root}\0`)) this.users.delete(k);
    for (const k of this.groups.keys()) if (k.startsWith(`${root}\0`)) this.groups.delete(k);
  }

  private file(path: string, kind: 'passwd' | 'group'): Map<number, Account> | undefined {
    const now = this.now();
    const cached = this.files.get(path);
    if (cached !== undefined && now - cached.checkedAt < RECHECK_MS) return cached.accounts;
    try {
      const st = statSync(path);
      if (cached !== undefined && cached.mtimeMs === st.mtimeMs) {
        this.files.set(path, { ...cached, checkedAt: now });
        return cached.accounts;
      }
      const accounts =
        st.isFile() && st.size <= MAX_FILE_BYTES
          ? parseAccounts(readFileSync(path, 'utf8'), kind)
          : new Map();
      this.files.set(path, { mtimeMs: st.mtimeMs, checkedAt: now, accounts });
      return accounts;
    } catch {
      // Missing or unreadable: nothing to resolve with, until the next check.
      this.files.set(path, { mtimeMs: -1, checkedAt: now, accounts: new Map() });
      return undefined;
    }
  }
}
