/**
 * A root file system directory as a tar stream, generated while it is read: depth first, names
 * in byte order (the same order every time), nothing written anywhere. Symlinks are recorded,
 * never followed, so the walk cannot leave the root through one. Files that share an inode are
 * stored once and then as hard links to the first path, as `docker export` does. Sockets are
 * skipped (tar cannot hold them); devices and FIFOs are recorded as headers without content.
 */
import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { END_OF_ARCHIVE, type EntrySpec, encodeHeader, paddingFor } from '../tar-headers.js';

/** Pseudo file systems whose contents are kernel state, not files of the image (matters for `dir:/`). */
const VIRTUAL_FS = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'securityfs',
  'debugfs',
  'tracefs',
  'configfs',
  'fusectl',
  'mqueue',
  'pstore',
  'bpf',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'efivarfs',
  'selinuxfs',
  'rpc_pipefs',
  'nsfs',
]);

const CHUNK = 1024 * 1024;
const BATCH = 256 * 1024;

/** Mount points of pseudo file systems, from /proc/self/mountinfo (empty where there is none). */
export async function virtualMounts(): Promise<Set<string>> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounts = new Set<string>();
  for (const line of text.split('\n')) {
    const [before, after] = line.split(' - ');
    const mountPoint = before?.split(' ')[4];
    const fsType = after?.split(' ')[0];
    if (mountPoint && fsType && VIRTUAL_FS.has(fsType)) {
      mounts.add(
        mountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) =>
          String.fromCharCode(Number.parseInt(octal, 8)),
        ),
      );
    }
  }
  return mounts;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function devNumbers(rdev: number): { devmajor: number; devminor: number } {
  // Linux dev_t layout (glibc's gnu_dev_major/minor), for the low 32 bits Node exposes exactly.
  return { devmajor: (rdev >>> 8) & 0xfff, devminor: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00) };
}

function baseSpec(path: string, stats: Stats): Pick<EntrySpec, 'path' | 'mode' | 'uid' | 'gid' | 'mtime'> {
  return {
    path,
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    gid: stats.gid,
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

class Batcher {
  private pending: Buffer[] = [];
  private bytes = 0;

  add(buffer: Buffer): boolean {
    this.pending.push(buffer);
    this.bytes += buffer.length;
    return this.bytes >= BATCH;
  }

  take(): Buffer | undefined {
    if (this.pending.length === 0) return undefined;
    const out =
      this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.bytes);
    this.pending = [];
    this.bytes = 0;
    return out;
  }
}

/** Opens a regular file without following a symlink and without blocking on a FIFO swapped in. */
async function openRegular(
  path: string,
  expected: Stats,
): Promise<{ handle: FileHandle; size: number } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const stats = await handle.stat().catch(() => undefined);
  if (!stats?.isFile() || stats.ino !== expected.ino || stats.dev !== expected.dev) {
    await handle.close();
    return undefined;
  }
  return { handle, size: stats.size };
}

async function* walk(root: string): AsyncGenerator<Buffer> {
  const skipContents = await virtualMounts();
  const firstPathOf = new Map<string, string>();
  const batch = new Batcher();

  async function* file(abs: string, rel: string, stats: Stats): AsyncGenerator<Buffer> {
    const key = `${stats.dev}:${stats.ino}`;
    const first = stats.nlink > 1 ? firstPathOf.get(key) : undefined;
    if (first !== undefined) {
      if (batch.add(encodeHeader({ ...baseSpec(rel, stats), type: 'hardlink', linkname: first })))
        yield* flush();
      return;
    }
    const opened = await openRegular(abs, stats);
    if (!opened) return; // vanished, replaced or unreadable: not part of the snapshot
    const { handle, size } = opened;
    try {
      if (stats.nlink > 1) firstPathOf.set(key, rel);
      batch.add(encodeHeader({ ...baseSpec(rel, stats), type: 'file', size }));
      let remaining = size;
      while (remaining > 0) {
        const buffer = Buffer.allocUnsafe(Math.min(remaining, CHUNK));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, size - remaining);
        // A file that shrank while being read is padded: the header already promised `size`.
        const chunk = bytesRead === 0 ? buffer.fill(0) : buffer.subarray(0, bytesRead);
        remaining -= chunk.length;
        if (batch.add(chunk)) yield* flush();
      }
      batch.add(Buffer.alloc(paddingFor(size)));
    } finally {
      await handle.close();
    }
  }

  function* flush(): Generator<Buffer> {
    const out = batch.take();
    if (out) yield out;
  }

  async function* directory(abs: string, rel: string): AsyncGenerator<Buffer> {
    const names = await readdir(abs).catch(() => [] as string[]);
    names.sort(byteOrder);
    for (const name of names) {
      const childAbs = join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const stats = await lstat(childAbs).catch(() => undefined);
      if (!stats) continue;
      const spec = baseSpec(childRel, stats);
      if (stats.isDirectory()) {
        if (batch.add(encodeHeader({ ...spec, type: 'dir' }))) yield* flush();
        if (!skipContents.has(childAbs)) yield* directory(childAbs, childRel);
      } else if (stats.isFile()) {
        yield* file(childAbs, childRel, stats);
      } else if (stats.isSymbolicLink()) {
        const target = await readlink(childAbs).catch(() => undefined);
        if (target !== undefined && batch.add(encodeHeader({ ...spec, type: 'symlink', linkname: target }))) {
          yield* flush();
        }
      } else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
        const type = stats.isCharacterDevice() ? 'char' : 'block';
        if (batch.add(encodeHeader({ ...spec, type, ...devNumbers(stats.rdev) }))) yield* flush();
      } else if (stats.isFIFO()) {
        if (batch.add(encodeHeader({ ...spec, type: 'fifo' }))) yield* flush();
      }
    }
  }

  yield* directory(root, '');
  batch.add(END_OF_ARCHIVE);
  yield* flush();
}

/** The tar of everything under `root` (an absolute, resolved directory path). */
export function rootfsTar(root: string): Readable {
  return Readable.from(walk(root), { objectMode: false });
}
