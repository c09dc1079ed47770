import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, resolvePath } from './paths.js';

/**
 * Facts about an executable that rules ask for: its canonical path, whether it came from the
 * container's writable layer (a binary dropped after the image was built) or from a memfd
 * (fileless execution), and its inode times.
 */
export interface ExeFacts {
  readonly exePath: string;
  readonly fromMemfd: boolean;
  /** Set for processes in a container with an overlay upper layer. */
  readonly upperLayer?: boolean;
  readonly ino?: number;
  readonly ctime?: bigint;
  readonly mtime?: bigint;
}

export interface ExeInput {
  /** The file name exec was given, as the kernel recorded it (`/usr/bin/sh`, `./x`, `/dev/fd/3`). */
  readonly filename: string;
  readonly cwd: string | undefined;
  /** Name of the executable's directory entry, from the kernel (`dash`, `memfd:x`). */
  readonly exeName: string | undefined;
  /** argv[0]: for a `#!` script, the kernel puts the interpreter's path there. */
  readonly argv0?: string;
  readonly nlink: number;
  /** Host path of the process's root file system; undefined for host processes. */
  readonly rootDir?: string;
  readonly upperDir?: string;
}

const MAX_LINKS = 40;

/**
 * `path` with every symbolic link resolved as if `root` were `/` (links inside a container
 * point into the container, not the host). Components that do not exist are kept as they are.
 */
export function resolveInRoot(root: string, path: string): string {
  let pending = path.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = `/${[...done, part].join('/')}`;
    let target: string | undefined;
    try {
      if (lstatSync(`${root}${candidate}`).isSymbolicLink()) target = readlinkSync(`${root}${candidate}`);
    } catch {
      return `/${[...done, part, ...pending].join('/')}`;
    }
    if (target === undefined) {
      done.push(part);
      continue;
    }
    if (++links > MAX_LINKS) return `/${[...done, part, ...pending].join('/')}`;
    const rest = target.split('/').filter((p) => p !== '' && p !== '.');
    if (target.startsWith('/')) done.length = 0;
    pending = [...rest, ...pending];
  }
  return `/${done.join('/')}`;
}

function statTimes(path: string): Pick<ExeFacts, 'ino' | 'ctime' | 'mtime'> {
  try {
    const st = statSync(path, { bigint: true });
    return { ino: Number(st.ino), ctime: st.ctimeNs, mtime: st.mtimeNs };
  } catch {
    return {};
  }
}

/** The file itself (not a whiteout, which is a character device hiding a lower file) is in the upper layer. */
function inUpperLayer(upperDir: string, path: string): boolean {
  try {
    return lstatSync(`${upperDir}${path}`).isFile();
  } catch {
    return false;
  }
}

/**
 * The canonical path of what runs. For a `#!` script exec was given the script, but the
 * program running is its interpreter (what the kernel's exe link and Falco's exepath name):
 * the candidate whose file name matches the kernel's directory entry wins.
 */
export function exeFacts(input: ExeInput): ExeFacts {
  const name = input.exeName;
  if (name?.startsWith('memfd:') && input.nlink === 0) return { exePath: name, fromMemfd: true };
  const candidates = [input.filename];
  if (input.argv0?.includes('/') && input.argv0 !== input.filename) candidates.push(input.argv0);
  const canonical = (file: string): string => {
    const path = resolvePath(input.cwd, file);
    if (input.rootDir !== undefined) return resolveInRoot(input.rootDir, path);
    try {
      return realpathSync(path);
    } catch {
      // Gone already, or never reachable from here: keep the path exec was given.
      return path;
    }
  };
  const resolved = candidates.map(canonical);
  const real = resolved.find((p) => name === undefined || basename(p) === name) ?? (resolved[0] as string);
  if (input.rootDir === undefined) return { exePath: real, fromMemfd: false, ...statTimes(real) };
  return {
    exePath: real,
    fromMemfd: false,
    ...(input.upperDir === undefined ? {} : { upperLayer: inUpperLayer(input.upperDir, real) }),
    ...statTimes(`${input.rootDir}${real}`),
  };
}
