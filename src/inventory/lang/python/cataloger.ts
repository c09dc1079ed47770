import type { ImageFiles } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { decodeText } from '../../text.js';
import {
  captureUpTo,
  dirname,
  isOneLine,
  noteOversized,
  oversizedWarnings,
  visibleFiles,
} from '../manifest.js';
import { MAX_RECORD_ROWS, parseCoreMetadata, parseRecord } from './metadata.js';

/** Core metadata carries the long description; real ones stay well below this. */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;

/**
 * A RECORD line is a path, a hash and a size (~150 bytes): the biggest distributions (tens of
 * thousands of files) stay well below this.
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const NAME = 'inventory/python';

/**
 * The metadata file of an installed distribution: `<name>-<version>.dist-info/METADATA`
 * (wheels, pip), `<name>.egg-info/PKG-INFO` (setuptools), `<name>.egg-info` as a single file
 * (distutils, many Debian packages) and `<egg>/EGG-INFO/PKG-INFO` (unzipped eggs).
 */
export function isPythonMetadata(path: string): boolean {
  if (path.endsWith('/METADATA')) return path.endsWith('.dist-info/METADATA');
  if (path.endsWith('/PKG-INFO'))
    return path.endsWith('.egg-info/PKG-INFO') || path.endsWith('/EGG-INFO/PKG-INFO');
  return path.endsWith('.egg-info') && path.length > '.egg-info'.length;
}

/** The list of files a wheel installer wrote for a distribution: `<name>.dist-info/RECORD`. */
export function isDistInfoRecord(path: string): boolean {
  return path.endsWith('.dist-info/RECORD');
}

/**
 * Python distributions from their core metadata, wherever they are installed (site-packages,
 * Debian's dist-packages, virtual environments, vendored copies). The package keeps the name
 * the distribution declares; the purl carries the normalized form the purl spec asks for
 * (lowercase, `_` → `-`), and matching normalizes further (PEP 503) — see vuln/match. Whether
 * an OS package owns a distribution follows from its metadata file: dpkg, rpm and apk list it
 * with every other file of the distribution.
 *
 * A dist-info distribution also reports the files its RECORD lists as `installedFiles`, so the
 * framework can tell which other packages it brought along (a Go or Rust executable in its
 * scripts or data, a jar in its package directory).
 */
export const pythonCataloger: Cataloger = {
  name: NAME,
  version: 2,

  wants(path, header) {
    if (isPythonMetadata(path)) return captureUpTo(header.size, MAX_METADATA_BYTES);
    return isDistInfoRecord(path) ? captureUpTo(header.size, MAX_RECORD_BYTES) : false;
  },

  onStream: noteOversized,

  catalog(files: ImageFiles): CatalogResult {
    const warnings = [
      ...oversizedWarnings(files, NAME, MAX_METADATA_BYTES, isPythonMetadata),
      ...oversizedWarnings(files, NAME, MAX_RECORD_BYTES, isDistInfoRecord),
    ];
    const packages: Package[] = [];
    const installedFiles = new Map<Package, readonly string[]>();
    for (const file of visibleFiles(files, isPythonMetadata)) {
      const distribution = parseCoreMetadata(decodeText(file.data, file.path, warnings));
      if (distribution === undefined) {
        warnings.push(`${file.path}: no Name and Version in the metadata`);
        continue;
      }
      if (!usable(distribution.name) || !usable(distribution.version)) {
        warnings.push(`${file.path}: unusable Name or Version in the metadata`);
        continue;
      }
      const pkg: Package = {
        type: 'pypi',
        name: distribution.name,
        version: distribution.version,
        purl: formatPurl({
          type: 'pypi',
          name: pypiPurlName(distribution.name),
          version: distribution.version,
        }),
        licenses: distribution.licenses,
        locations: [{ path: file.path, layer: file.layer }],
        osOwned: false,
      };
      packages.push(pkg);
      if (file.path.endsWith('.dist-info/METADATA')) {
        const recorded = recordedFiles(files, dirname(file.path), warnings);
        if (recorded !== undefined) installedFiles.set(pkg, recorded);
      }
    }
    return { packages, warnings, installedFiles };
  },
};

/**
 * The files the RECORD beside a dist-info's METADATA lists, image-root relative. A missing
 * RECORD is no warning: pip leaves it out for distributions another tool manages.
 */
function recordedFiles(files: ImageFiles, distInfo: string, warnings: string[]): string[] | undefined {
  const path = `${distInfo}/RECORD`;
  const data = files.read(path);
  if (data === undefined) return undefined;
  const record = parseRecord(decodeText(data, path, warnings), dirname(distInfo));
  if (record.malformed > 0) warnings.push(`${path}: ${record.malformed} rows name no file; skipped`);
  if (record.truncated) warnings.push(`${path}: more than ${MAX_RECORD_ROWS} rows; the rest was not read`);
  return record.paths;
}

/** Names and versions are short one-line values; anything else is not metadata an installer wrote. */
function usable(value: string): boolean {
  return value.length <= 256 && isOneLine(value);
}

/** The purl spec's PyPI name: lowercased, underscores as dashes. */
export function pypiPurlName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}
