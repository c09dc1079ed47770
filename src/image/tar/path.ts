/**
 * Entry paths are made relative to the image root: leading `/` and `./` go, `.` segments and
 * repeated slashes collapse, and `..` is applied lexically (as Docker's `filepath.Clean` does).
 * A path whose `..` would climb above the root is refused: the caller drops the entry with a
 * warning. Nothing is ever written to disk, so refusing is only about reporting what a runtime
 * would put in the container.
 */
export type NormalizedPath = string | typeof ESCAPES_ROOT;

export const ESCAPES_ROOT: unique symbol = Symbol('escapes-root');

/** Returns the normalized path (`''` for the root itself) or ESCAPES_ROOT. */
export function normalizeEntryPath(raw: string): NormalizedPath {
  // Directories are stored with a trailing slash: a third of a typical layer's entries.
  const end = raw.length > 1 && raw.charCodeAt(raw.length - 1) === 0x2f ? raw.length - 1 : raw.length;
  if (isClean(raw, end)) return end === raw.length ? raw : raw.slice(0, end);
  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return ESCAPES_ROOT;
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return segments.join('/');
}

/**
 * Fast check for the common case (`usr/bin/env`) in the first n characters: no leading or
 * trailing slash, no empty, `.` or `..` segment. Layers hold millions of such paths; splitting
 * each would be waste.
 */
function isClean(path: string, n: number): boolean {
  if (n === 0) return false;
  let segmentStart = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n && path.charCodeAt(i) !== 0x2f) continue;
    const len = i - segmentStart;
    if (len === 0) return false;
    if (path.charCodeAt(segmentStart) === 0x2e) {
      if (len === 1) return false;
      if (len === 2 && path.charCodeAt(segmentStart + 1) === 0x2e) return false;
    }
    segmentStart = i + 1;
  }
  return true;
}
