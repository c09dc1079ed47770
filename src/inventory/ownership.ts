import type { ImageFiles } from '../image/scan/index.js';

/**
 * The files the OS package managers own, by the path the image really stores them at.
 * Databases list paths as packages shipped them (`/lib/x86_64-linux-gnu/...`, `/bin/sh`); on a
 * merged-/usr system those directories are symlinks, so each directory is resolved through the
 * image's links (ImageFiles remembers each) before comparing. Kept as file names per resolved
 * directory: a distribution lists a few hundred thousand paths in a few thousand directories.
 */
export class OwnedFiles {
  private readonly byDir = new Map<string, Set<string>>();

  constructor(private readonly files: ImageFiles) {}

  add(path: string): void {
    const [dir, base] = this.split(path);
    let names = this.byDir.get(dir);
    if (names === undefined) {
      names = new Set();
      this.byDir.set(dir, names);
    }
    names.add(base);
  }

  has(path: string): boolean {
    if (this.byDir.size === 0) return false;
    const [dir, base] = this.split(path);
    return this.byDir.get(dir)?.has(base) ?? false;
  }

  /** The resolved directory and the file name. */
  private split(path: string): [string, string] {
    const start = path.charCodeAt(0) === 0x2f ? path.search(/[^/]/) : 0;
    const slash = path.lastIndexOf('/');
    if (start < 0 || slash < start) return ['', path.slice(Math.max(start, 0))];
    const dir = path.slice(start, slash);
    // A symlink loop leaves the directory as written: it cannot hold anything anyway.
    return [this.files.resolveDirectory(dir) ?? dir, path.slice(slash + 1)];
  }
}
