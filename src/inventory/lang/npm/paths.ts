import { basename } from '../manifest.js';

/** The npm-ecosystem files the npm cataloger reads. */
export type NpmFileKind = 'installed' | 'hidden-lockfile' | 'package-lock' | 'yarn-lock' | 'pnpm-lock';

/**
 * What an image path is to the npm cataloger. Lockfiles count only outside installed packages,
 * `node_modules` and Debian's global module roots alike: a package's own lockfile (browserslist
 * ships its pnpm-lock.yaml to /usr/share/nodejs) describes how its authors developed it, not
 * what is installed.
 */
export function npmFileKind(path: string): NpmFileKind | undefined {
  switch (basename(path)) {
    case 'package.json':
      return isInstalledManifest(path) ? 'installed' : undefined;
    case '.package-lock.json':
      return path === 'node_modules/.package-lock.json' || path.endsWith('/node_modules/.package-lock.json')
        ? 'hidden-lockfile'
        : undefined;
    case 'package-lock.json':
    case 'npm-shrinkwrap.json':
      return inInstalledPackage(path) ? undefined : 'package-lock';
    case 'yarn.lock':
      return inInstalledPackage(path) ? undefined : 'yarn-lock';
    case 'pnpm-lock.yaml':
      return inInstalledPackage(path) ? undefined : 'pnpm-lock';
    default:
      return undefined;
  }
}

function inInstalledPackage(path: string): boolean {
  return modulesRoot(path.split('/')) >= 0;
}

/** Index of the first package directory holder: Debian's global module roots, else the first `node_modules`. */
function modulesRoot(parts: readonly string[]): number {
  if (parts[0] === 'usr') {
    // Debian installs node libraries into /usr/share/nodejs, /usr/lib/nodejs and /usr/lib/<triplet>/nodejs.
    if ((parts[1] === 'share' || parts[1] === 'lib') && parts[2] === 'nodejs') return 2;
    if (parts[1] === 'lib' && parts[3] === 'nodejs') return 3;
  }
  return parts.indexOf('node_modules');
}

/**
 * True for the package.json of an installed package: the path below the first modules
 * directory is a chain of `node_modules/<name>` or `node_modules/@scope/<name>` steps (pnpm's
 * `node_modules/.pnpm/<id>/` store counts as a step). Anything else under node_modules — a
 * package's `lib/package.json`, test fixtures that imitate node_modules inside a package — is
 * not an installed package, which is what npm itself says (`npm ls`).
 */
export function isInstalledManifest(path: string): boolean {
  const parts = path.split('/');
  const root = modulesRoot(parts);
  if (root < 0) return false;
  const end = parts.length - 1;
  let at = root;
  while (at < end) {
    if (at !== root && parts[at] !== 'node_modules') return false;
    let name = at + 1;
    const segment = parts[name] as string;
    if (name >= end) return false;
    if (segment === '.pnpm') {
      at = name + 2;
      continue;
    }
    if (segment.startsWith('.') || segment === '') return false;
    if (segment.startsWith('@')) name++;
    if (name >= end || parts[name] === '') return false;
    at = name + 1;
  }
  return at === end;
}
