/**
 * Path arithmetic on the paths a process uses, done lexically as libsinsp does for `fd.name`:
 * `.` and `..` are folded, symbolic links are not followed (the kernel already did, and the
 * file system the path lives in may not be reachable from here).
 */

/** `path` with `.`, `..` and repeated slashes folded; relative paths are resolved against `base`. */
export function resolvePath(base: string | undefined, path: string): string {
  if (path.startsWith('/')) return normalize(path);
  if (base === undefined) return normalize(path);
  return normalize(`${base}/${path}`);
}

export function normalize(path: string): string {
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!absolute) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join('/');
  return absolute ? `/${joined}` : joined === '' ? '.' : joined;
}

export function basename(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const slash = trimmed.lastIndexOf('/');
  return slash >= 0 ? trimmed.slice(slash + 1) : trimmed;
}
