import type { ImageFiles } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { readJson, visibleFiles } from '../manifest.js';
import { parseInstalledJson } from './installed-json.js';

/** `<vendor dir>/composer/installed.json` (the vendor directory's name is configurable). */
export function isComposerInstalled(path: string): boolean {
  return path === 'composer/installed.json' || path.endsWith('/composer/installed.json');
}

/** PHP packages Composer installed, from each vendor directory's installed.json. */
export const phpCataloger: Cataloger = {
  name: 'inventory/php',
  version: 1,

  wants: (path) => (isComposerInstalled(path) ? 'capture' : false),

  catalog(files: ImageFiles): CatalogResult {
    const warnings: string[] = [];
    const packages: Package[] = [];
    for (const file of visibleFiles(files, isComposerInstalled)) {
      const doc = readJson(file.data, file.path, warnings);
      if (doc === undefined) continue;
      for (const pkg of parseInstalledJson(doc, file.path, warnings)) {
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
