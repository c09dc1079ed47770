import type { ImageFiles } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { PerFile } from '../../per-file.js';
import { formatPurl } from '../../purl.js';
import { appendAll } from '../../text.js';
import {
  captureUpTo,
  dirname,
  joinPath,
  noteOversized,
  oversizedWarnings,
  readJson,
  type VisibleFile,
  visibleFiles,
} from '../manifest.js';
import { type NpmPackageInfo, readInstalledManifest } from './manifest.js';
import { type LockedPackage, parsePackageLock } from './package-lock.js';
import { npmFileKind } from './paths.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseYarnLock } from './yarn-lock.js';

/**
 * A package.json is a few KiB; old npm versions copied the README into installed ones, which
 * still stays far below this. Lockfiles have no limit of their own (the scanner's capture limit
 * applies): big projects have big lockfiles.
 */
export const MAX_PACKAGE_JSON_BYTES = 4 * 1024 * 1024;

const NAME = 'inventory/npm';

/** Lockfiles parsed ahead (prepare) up to this size; a bigger one would hold the scan's thread too long. */
const MAX_PREPARED_LOCKFILE_BYTES = 512 * 1024;

// Parsed ahead during the scan (prepare): parsing these is most of catalog()'s time.
const installedManifests = new PerFile((data, path, warnings) =>
  readInstalledManifest(readJson(data, path, warnings)),
);
const lockfiles = new PerFile(readLockfile);

/**
 * npm-ecosystem packages: installed ones (`node_modules/**\/package.json`, pnpm's
 * `.pnpm` store, Debian's /usr/share/nodejs), npm's hidden lockfile for installed packages whose
 * package.json is gone, and the packages project lockfiles pin (package-lock.json v1–v3,
 * npm-shrinkwrap.json, yarn.lock classic and berry, pnpm-lock.yaml 5/6/9) minus those only
 * development needs. A package found both installed and in a lockfile is one package with
 * both locations (the framework merges copies by purl).
 */
export const npmCataloger: Cataloger = {
  name: NAME,
  version: 1,

  wants(path, header) {
    const kind = npmFileKind(path);
    if (kind === undefined) return false;
    return kind === 'installed' ? captureUpTo(header.size, MAX_PACKAGE_JSON_BYTES) : 'capture';
  },

  onStream: noteOversized,

  prepare(path, data) {
    const kind = npmFileKind(path);
    if (kind === 'installed') installedManifests.prepare(path, data);
    else if (kind !== undefined && data.length <= MAX_PREPARED_LOCKFILE_BYTES) lockfiles.prepare(path, data);
  },

  catalog(files: ImageFiles): CatalogResult {
    const warnings = oversizedWarnings(files, NAME, MAX_PACKAGE_JSON_BYTES);
    const packages: Package[] = [];
    const found = visibleFiles(files, (path) => npmFileKind(path) !== undefined);
    const manifests = new Set<string>();
    for (const file of found) if (file.path.endsWith('/package.json')) manifests.add(file.path);
    for (const file of found) {
      switch (npmFileKind(file.path)) {
        case 'installed': {
          const info = installedManifests.read(file.data, file.path, warnings);
          if (info !== undefined) packages.push(npmPackage(info, file));
          break;
        }
        case 'hidden-lockfile':
          appendAll(packages, fromHiddenLockfile(files, manifests, file, warnings));
          break;
        case 'package-lock':
        case 'yarn-lock':
        case 'pnpm-lock':
          for (const entry of lockfiles.read(file.data, file.path, warnings)) {
            if (!entry.dev) packages.push(npmPackage(entry, file));
          }
          break;
      }
    }
    return { packages, warnings };
  },
};

/** The packages a lockfile pins (npm's hidden one included); none from a file that is not one. */
function readLockfile(data: Buffer, path: string, warnings: string[]): LockedPackage[] {
  switch (npmFileKind(path)) {
    case 'hidden-lockfile':
    case 'package-lock': {
      const doc = readJson(data, path, warnings);
      return doc === undefined ? [] : parsePackageLock(doc, path, warnings);
    }
    case 'yarn-lock':
      return parseYarnLock(data, path, warnings);
    case 'pnpm-lock':
      return parsePnpmLock(data, path, warnings);
    default:
      return [];
  }
}

/**
 * npm ≥ 7 records the installed tree in `node_modules/.package-lock.json`. The package.json
 * files are the better evidence; the hidden lockfile only speaks for packages whose
 * package.json is missing (removed by an image slimmer, say). Development packages count here:
 * they are installed. `manifests`: the visible package.json files captured.
 */
function fromHiddenLockfile(
  files: ImageFiles,
  manifests: ReadonlySet<string>,
  file: VisibleFile,
  warnings: string[],
): Package[] {
  const project = dirname(dirname(file.path));
  const packages: Package[] = [];
  for (const entry of lockfiles.read(file.data, file.path, warnings)) {
    if (entry.installPath === undefined) continue;
    // Nearly always the package.json is one of the captured ones; else the image is asked (links).
    const manifest = joinPath(project, `${entry.installPath}/package.json`);
    if (manifests.has(manifest) || files.stat(manifest) !== undefined) continue;
    packages.push(npmPackage(entry, file));
  }
  return packages;
}

function npmPackage(info: NpmPackageInfo, file: VisibleFile): Package {
  return {
    type: 'npm',
    name: info.name,
    version: info.version,
    purl: npmPurl(info.name, info.version),
    licenses: [...info.licenses],
    locations: [{ path: file.path, layer: file.layer }],
    osOwned: false,
  };
}

/** `pkg:npm/%40scope/name@1.0.0`: the scope is the purl namespace (its `@` percent-encoded). */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return slash > 0
    ? formatPurl({ type: 'npm', namespace: name.slice(0, slash), name: name.slice(slash + 1), version })
    : formatPurl({ type: 'npm', name, version });
}
