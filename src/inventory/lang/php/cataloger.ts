import type { ImageFiles } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { isRecord, readJson, visibleFiles } from '../manifest.js';
import { parseInstalledJson } from './installed-json.js';

/**
 * `<vendor dir>/composer/installed.json` (the vendor directory's name is configurable), or a
 * project's composer.lock — not one inside a vendor directory, which describes how that
 * package was developed.
 */
export function composerFileKind(path: string): 'installed' | 'lock' | undefined {
  if (path === 'composer/installed.json' || path.endsWith('/composer/installed.json')) return 'installed';
  if (path === 'composer.lock' || path.endsWith('/composer.lock')) {
    return path.startsWith('vendor/') || path.includes('/vendor/') ? undefined : 'lock';
  }
  return undefined;
}

/**
 * PHP packages: what Composer installed into each vendor directory (installed.json, Composer 1
 * and 2), and what project lockfiles pin for production (`packages`; `packages-dev` is left
 * out, as for npm lockfiles). A package in both is one package with both locations.
 */
export const phpCataloger: Cataloger = {
  name: 'inventory/php',
  version: 1,

  wants: (path) => (composerFileKind(path) !== undefined ? 'capture' : false),

  catalog(files: ImageFiles): CatalogResult {
    const warnings: string[] = [];
    const packages: Package[] = [];
    for (const file of visibleFiles(files, (path) => composerFileKind(path) !== undefined)) {
      const doc = readJson(file.data, file.path, warnings);
      if (doc === undefined) continue;
      let listed = doc;
      if (composerFileKind(file.path) === 'lock') {
        if (!isRecord(doc) || !Array.isArray(doc.packages)) {
          warnings.push(`${file.path}: not a composer.lock (no "packages" list)`);
          continue;
        }
        listed = { packages: doc.packages };
      }
      for (const pkg of parseInstalledJson(listed, file.path, warnings)) {
        const [vendor, name] = pkg.name.split('/') as [string, string];
        packages.push({
          type: 'composer',
          name: pkg.name,
          version: pkg.version,
          purl: formatPurl({ type: 'composer', namespace: vendor, name, version: pkg.version }),
          licenses: pkg.licenses,
          locations: [{ path: file.path, layer: file.layer }],
          osOwned: false,
        });
      }
    }
    return { packages, warnings };
  },
};
