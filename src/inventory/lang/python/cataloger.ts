import type { ImageFiles } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { decodeText } from '../../text.js';
import { captureUpTo, isOneLine, noteOversized, oversizedWarnings, visibleFiles } from '../manifest.js';
import { parseCoreMetadata } from './metadata.js';

/** Core metadata carries the long description; real ones stay well below this. */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;

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

/**
 * Python distributions from their core metadata, wherever they are installed (site-packages,
 * Debian's dist-packages, virtual environments, vendored copies). The package keeps the name
 * the distribution declares; the purl carries the normalized form the purl spec asks for
 * (lowercase, `_` → `-`), and matching normalizes further (PEP 503) — see vuln/match. Whether
 * an OS package owns a distribution follows from its metadata file: dpkg, rpm and apk list it
 * with every other file of the distribution.
 */
export const pythonCataloger: Cataloger = {
  name: NAME,
  version: 1,

  wants: (path, header) => (isPythonMetadata(path) ? captureUpTo(header.size, MAX_METADATA_BYTES) : false),

  onStream: noteOversized,

  catalog(files: ImageFiles): CatalogResult {
    const warnings = oversizedWarnings(files, NAME, MAX_METADATA_BYTES);
    const packages: Package[] = [];
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
      packages.push({
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
      });
    }
    return { packages, warnings };
  },
};

/** Names and versions are short one-line values; anything else is not metadata an installer wrote. */
function usable(value: string): boolean {
  return value.length <= 256 && isOneLine(value);
}

/** The purl spec's PyPI name: lowercased, underscores as dashes. */
export function pypiPurlName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}
