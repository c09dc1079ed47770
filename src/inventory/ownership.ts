import type { ImageFiles } from '../image/scan/index.js';

/**
 * The files the OS package managers own, by the path the image really stores them at.
 * Databases list paths as packages shipped them (`/lib/x86_64-linux-gnu/...`, `/bin/sh`); on a
 * merged-/usr system those directories are symlinks, so each directory is resolved through the
 * image's links (once per directory) before comparing.
 */
export class OwnedFiles {
  private readonly paths = new Set<string>();
  private readonly resolvedDirs = new Map<string, string>();

  constructor(private readonly files: ImageFiles) {}

  get size(): number {
    return this.paths.size;
  }

  add(path: string): void {
    this.paths.add(this.canonical(path));
  }

  has(path: string): boolean {
    return this.paths.size > 0 && this.paths.has(this.canonical(path));
  }

  private canonical(path: string): string {
    const trimmed = path.replace(/^\/+/, '');
    const slash = trimmed.lastIndexOf('/');
    if (slash < 0) return trimmed;
    const dir = trimmed.slice(0, slash);
    let resolved = this.resolvedDirs.get(dir);
    if (resolved === undefined) {
      // A symlink loop leaves the directory as written: it cannot hold anything anyway.
      resolved = this.files.resolve(dir) ?? dir;
      this.resolvedDirs.set(dir, resolved);
    }
    const base = trimmed.slice(slash + 1);
    return resolved === '' ? base : `${resolved}/${base}`;
  }
}
