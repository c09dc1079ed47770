import type { ImageFiles } from '../image/scan/index.js';
import type { TarHeader } from '../image/types.js';
import type { CatalogContext, Cataloger } from './cataloger.js';
import { basename } from './lang/manifest.js';
import type { OsInfo } from './os/detect.js';
import { OwnedFiles } from './ownership.js';
import { comparePackages, compareText, type Package, type PackageType } from './package.js';
import { appendAll } from './text.js';

export interface Inventory {
  packages: Package[];
  warnings: string[];
}

const OS_PACKAGE_TYPES: ReadonlySet<PackageType> = new Set(['deb', 'apk', 'rpm']);

/**
 * Runs every cataloger over the merged image and assembles one deterministic package list:
 * empty location layers filled from the visible file, language packages whose files an OS
 * package owns marked `osOwned`, language packages whose file another language package
 * installed marked `ownedBy` it, copies of one package at several paths merged into one
 * package with several locations, everything sorted. A cataloger that throws costs its own
 * packages and a warning, never the scan.
 */
export function catalogImage(
  files: ImageFiles,
  os: OsInfo | undefined,
  catalogers: readonly Cataloger[],
): Inventory {
  const context: CatalogContext = os === undefined ? {} : { os };
  const warnings: string[] = [];
  const found: Package[] = [];
  const ownedLists: Iterable<string>[] = [];
  const installers: [Package, readonly string[]][] = [];
  for (const cataloger of catalogers) {
    try {
      const result = cataloger.catalog(files, context);
      appendAll(found, result.packages);
      appendAll(warnings, result.warnings);
      if (result.ownedFiles) ownedLists.push(result.ownedFiles);
      if (result.installedFiles) appendAll(installers, result.installedFiles);
    } catch (error) {
      warnings.push(`cataloger ${cataloger.name} failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }
  appendAll(warnings, skippedWarnings(files, catalogers));

  const language = found.filter((pkg) => !OS_PACKAGE_TYPES.has(pkg.type));
  const owned = ownedAmong(files, ownedLists, language);
  for (const pkg of found) {
    for (const location of pkg.locations) {
      if (location.layer === '') location.layer = files.get(location.path)?.layer ?? '';
    }
  }
  for (const pkg of language) pkg.osOwned = pkg.locations.some((location) => owned.has(location.path));
  assignInstallers(files, installers, language);
  const packages = mergeCopies(found);
  for (const pkg of packages) pkg.locations.sort((a, b) => compareText(a.path, b.path));
  packages.sort(comparePackages);
  return { packages, warnings: [...new Set(warnings)].sort(compareText) };
}

/**
 * The owned files that could matter: OS databases list hundreds of thousands of paths, language
 * packages sit at a few thousand, so only listed paths whose file name some location shares are
 * resolved and kept.
 */
function ownedAmong(files: ImageFiles, lists: Iterable<string>[], language: readonly Package[]): OwnedFiles {
  const owned = new OwnedFiles(files);
  const names = locationNames(language);
  if (names.size === 0) return owned;
  // Most listed paths are turned down by their name's length and last character, without a copy.
  const shapes = new Set<number>();
  for (const name of names) shapes.add(nameShape(name, 0));
  for (const list of lists) {
    for (const path of list) {
      const start = path.lastIndexOf('/') + 1;
      if (shapes.has(nameShape(path, start)) && names.has(path.slice(start))) owned.add(path);
    }
  }
  return owned;
}

/** The length and last character of the file name starting at `start`, as one number. */
function nameShape(path: string, start: number): number {
  return (path.length - start) * 0x10000 + path.charCodeAt(path.length - 1);
}

function locationNames(packages: readonly Package[]): Set<string> {
  const names = new Set<string>();
  for (const pkg of packages) for (const { path } of pkg.locations) names.add(basename(path));
  return names;
}

/**
 * `ownedBy` for each language package found at a file another language package's installer
 * recorded (a Go binary a wheel put in bin/). Recorded paths are compared through the image's
 * symlinked directories, like OS-owned files, and only those whose file name some location
 * shares are kept; an installer's record of its own location is no claim on anything. When
 * several installers recorded the file, the smallest purl wins: output never depends on the
 * order of catalogers. A package at several paths takes the owner of the first owned path.
 */
function assignInstallers(
  files: ImageFiles,
  installers: readonly [Package, readonly string[]][],
  language: readonly Package[],
): void {
  if (installers.length === 0) return;
  const names = locationNames(language);
  const owners: { owner: Package; files: OwnedFiles }[] = [];
  for (const [owner, paths] of installers) {
    const own = new Set(owner.locations.map((location) => location.path));
    let recorded: OwnedFiles | undefined;
    for (const path of paths) {
      if (!names.has(basename(path)) || own.has(path)) continue;
      recorded ??= new OwnedFiles(files);
      recorded.add(path);
    }
    if (recorded !== undefined) owners.push({ owner, files: recorded });
  }
  if (owners.length === 0) return;
  owners.sort((a, b) => compareText(a.owner.purl, b.owner.purl));
  for (const pkg of language) {
    const paths = pkg.locations.map((location) => location.path).sort(compareText);
    const owner = ownerOf(pkg, paths, owners);
    if (owner !== undefined) pkg.ownedBy = owner;
  }
}

function ownerOf(
  pkg: Package,
  paths: readonly string[],
  owners: readonly { owner: Package; files: OwnedFiles }[],
): string | undefined {
  for (const path of paths) {
    for (const { owner, files } of owners) {
      if (owner !== pkg && owner.purl !== pkg.purl && files.has(path)) return owner.purl;
    }
  }
  return undefined;
}

/** One package found at several paths (the same jar twice) is one package with several locations. */
function mergeCopies(packages: Package[]): Package[] {
  const byKey = new Map<string, Package>();
  for (const pkg of packages) {
    const key = `${pkg.purl}\0${pkg.osOwned}\0${pkg.ownedBy ?? ''}`;
    const first = byKey.get(key);
    if (first === undefined) {
      byKey.set(key, pkg);
      continue;
    }
    for (const location of pkg.locations) {
      if (!first.locations.some((l) => l.path === location.path && l.layer === location.layer)) {
        first.locations.push(location);
      }
    }
    for (const license of pkg.licenses) if (!first.licenses.includes(license)) first.licenses.push(license);
  }
  return [...byKey.values()];
}

/** Files a cataloger asked for that the scanner did not capture (over a size limit). */
function skippedWarnings(files: ImageFiles, catalogers: readonly Cataloger[]): string[] {
  const warnings: string[] = [];
  for (const skipped of files.skipped()) {
    const header: TarHeader = {
      path: skipped.path,
      type: 'file',
      size: skipped.size,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: 0,
      linkname: '',
    };
    const wanted = catalogers.some((cataloger) => cataloger.wants(skipped.path, header) === 'capture');
    if (wanted) {
      warnings.push(
        `${skipped.path}: not cataloged: ${skipped.size} bytes is over the capture limit (${skipped.reason})`,
      );
    }
  }
  return warnings;
}
