import type { ImageFiles } from '../../image/scan/index.js';
import type { ImageConfig } from '../../image/types.js';
import type { OsInfo } from '../../inventory/os/detect.js';
import type { Package } from '../../inventory/package.js';
import { type EntryTable, pathStartsWith, visibleEntriesWhere } from '../binaries/visible-entries.js';

/** What every hygiene check may read. File-system parts are absent when only the config is known. */
export interface HygieneContext {
  config: ImageConfig;
  user: { root: boolean; evidence: string };
  fs?: FileSystemView;
  os?: OsInfo;
  packages?: readonly Package[];
  /**
   * What the secrets detector already reported in the config, as `<location>\0<redacted value>`:
   * a value it flagged is one finding, not two.
   */
  reportedSecrets: ReadonlySet<string>;
  /** diffID of the layer history entry `index` produced, when the history lines up with the layers. */
  historyLayer(index: number): string | undefined;
}

export interface FileRecord {
  path: string;
  layer: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
}

export interface CacheUsage {
  /** The cache directory (the fixed part of the first pattern). */
  root: string;
  files: number;
  bytes: number;
  /** The layer holding most of the cache's bytes. */
  layer: string;
}

/** Directories a program is installed into, for finding daemons by name. */
const BIN_DIRS = new Set([
  'bin',
  'sbin',
  'usr/bin',
  'usr/sbin',
  'usr/local/bin',
  'usr/local/sbin',
  'usr/libexec',
  'usr/lib/openssh',
  'opt/bin',
]);

const BIN_PREFIXES = [...BIN_DIRS].map((dir) => Buffer.from(`${dir}/`));

/**
 * One pass over the merged file system collecting what the checks look at: setuid/setgid files,
 * world-writable directories without the sticky bit, programs in the usual bin directories by
 * name, and the regular files under a cache pattern's fixed prefix. Entries are judged on their
 * type, mode and path bytes first; only the few that qualify are looked at further.
 */
export class FileSystemView {
  readonly special: FileRecord[] = [];
  readonly worldWritableDirs: FileRecord[] = [];
  private readonly programs = new Map<string, FileRecord[]>();
  private readonly cached: FileRecord[] = [];

  constructor(files: ImageFiles, cachePrefixes: readonly string[]) {
    const cacheBytes = [...new Set(cachePrefixes)].map((prefix) => Buffer.from(prefix));
    const wanted = (table: EntryTable, i: number): boolean => {
      const type = table.type(i);
      const mode = table.columns.modes[i] as number;
      if (type === 'dir') return (mode & 0o002) !== 0 && (mode & 0o1000) === 0;
      if (type !== 'file' && type !== 'hardlink' && type !== 'symlink') return false;
      if (type !== 'symlink' && (mode & 0o6000) !== 0) return true;
      if (BIN_PREFIXES.some((prefix) => pathStartsWith(table, i, prefix))) return true;
      return type === 'file' && cacheBytes.some((prefix) => pathStartsWith(table, i, prefix));
    };
    for (const entry of visibleEntriesWhere(files, wanted)) {
      const record: FileRecord = {
        path: entry.path,
        layer: entry.layer,
        mode: entry.mode,
        uid: entry.uid,
        gid: entry.gid,
        size: entry.size,
      };
      if (entry.type === 'dir') {
        this.worldWritableDirs.push(record);
        continue;
      }
      if (entry.type !== 'symlink' && (entry.mode & 0o6000) !== 0) this.special.push(record);
      const slash = entry.path.lastIndexOf('/');
      if (BIN_DIRS.has(slash < 0 ? '' : entry.path.slice(0, slash))) {
        // A symlink counts when it leads to a file (an alternatives link to the daemon).
        if (entry.type !== 'symlink' || files.stat(entry.path)?.type === 'file') {
          const name = entry.path.slice(slash + 1);
          this.programs.set(name, [...(this.programs.get(name) ?? []), record]);
        }
      }
      if (entry.type === 'file' && cachePrefixes.some((prefix) => entry.path.startsWith(prefix))) {
        this.cached.push(record);
      }
    }
  }

  executablesNamed(names: ReadonlySet<string>): FileRecord[] {
    const found: FileRecord[] = [];
    for (const name of names) found.push(...(this.programs.get(name) ?? []));
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Files matching any `match` glob and no `except` glob (`*` one path segment, `**` any depth). */
  usage(match: readonly string[], except: readonly string[]): CacheUsage | undefined {
    const include = match.map((glob) => ({ full: globRegex(glob), dir: globRegex(cacheDirOf(glob), true) }));
    const exclude = except.map((glob) => globRegex(glob));
    let files = 0;
    let bytes = 0;
    let root = '';
    const perLayer = new Map<string, number>();
    for (const file of this.cached) {
      const pattern = include.find((p) => p.full.test(file.path));
      if (pattern === undefined || exclude.some((re) => re.test(file.path))) continue;
      files++;
      bytes += file.size;
      perLayer.set(file.layer, (perLayer.get(file.layer) ?? 0) + file.size + 1);
      if (root === '') root = (pattern.dir.exec(file.path)?.[0] ?? '').replace(/\/$/, '');
    }
    if (files === 0) return undefined;
    const layer = [...perLayer.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
    return { root, files, bytes, layer };
  }

  /** The literal start of each glob: files outside all of them are never kept. */
  static prefixesOf(globs: readonly string[]): string[] {
    return globs.map(fixedPrefix);
  }
}

function fixedPrefix(glob: string): string {
  const star = glob.indexOf('*');
  const literal = star < 0 ? glob : glob.slice(0, star);
  return literal.slice(0, literal.lastIndexOf('/') + 1);
}

/** The cache directory a glob names: everything before its first `**`, or its directory part. */
function cacheDirOf(glob: string): string {
  const deep = glob.indexOf('**');
  return deep >= 0 ? glob.slice(0, deep) : glob.slice(0, glob.lastIndexOf('/') + 1);
}

/**
 * Built-in globs only (rules.yaml): `**` any depth, `*` within one segment, everything else
 * literal. A prefix regex matches the start of a path only.
 */
function globRegex(glob: string, prefix = false): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(prefix ? `^${source}` : `^${source}$`);
}

/**
 * Whether the configured user is root: no USER (the default), `root` or uid 0 — by name through
 * the image's /etc/passwd, so a user renamed from root (uid 0) counts too.
 */
export function resolveUser(user: string, passwd: string | undefined): { root: boolean; evidence: string } {
  const spec = user.trim();
  if (spec === '') return { root: true, evidence: 'no USER: processes run as root' };
  const name = spec.split(':')[0] as string;
  if (/^\d+$/.test(name)) {
    return Number(name) === 0
      ? { root: true, evidence: `USER ${spec}: uid 0 is root` }
      : { root: false, evidence: `USER ${spec}` };
  }
  if (name === 'root') return { root: true, evidence: `USER ${spec}` };
  for (const line of (passwd ?? '').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[2] === '0') {
      return { root: true, evidence: `USER ${spec}: /etc/passwd gives ${name} uid 0` };
    }
  }
  return { root: false, evidence: `USER ${spec}` };
}

/** History entries that produced a layer line up with the layers, in order (when the counts agree). */
export function historyLayers(config: ImageConfig): (index: number) => string | undefined {
  const layers = new Map<number, string>();
  const producing = config.history.flatMap((entry, i) => (entry.emptyLayer ? [] : [i]));
  if (producing.length === config.diffIds.length) {
    producing.forEach((historyIndex, k) => {
      layers.set(historyIndex, config.diffIds[k] as string);
    });
  }
  return (index) => layers.get(index);
}
