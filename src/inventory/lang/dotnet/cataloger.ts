import type { ImageFiles } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { readJson, visibleFiles } from '../manifest.js';
import { parseDepsJson } from './deps-json.js';

const isDepsJson = (path: string): boolean => path.endsWith('.deps.json');

/** NuGet packages of .NET applications, from their `*.deps.json` dependency manifests. */
export const dotnetCataloger: Cataloger = {
  name: 'inventory/dotnet',
  version: 1,

  wants: (path) => (isDepsJson(path) ? 'capture' : false),

  catalog(files: ImageFiles): CatalogResult {
    const warnings: string[] = [];
    const packages: Package[] = [];
    for (const file of visibleFiles(files, isDepsJson)) {
      const doc = readJson(file.data, file.path, warnings);
      if (doc === undefined) continue;
      for (const pkg of parseDepsJson(doc, file.path, warnings)) {
        packages.push({
          type: 'nuget',
          name: pkg.name,
          version: pkg.version,
          purl: formatPurl({ type: 'nuget', name: pkg.name, version: pkg.version }),
          licenses: [],
          locations: [{ path: file.path, layer: file.layer }],
          osOwned: false,
        });
      }
    }
    return { packages, warnings };
  },
};
