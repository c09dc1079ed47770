import type { ImageFiles } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { decodeText } from '../../text.js';
import {
  basename,
  captureUpTo,
  dirname,
  noteOversized,
  oversizedWarnings,
  visibleFiles,
} from '../manifest.js';
import { parseGemspec } from './gemspec.js';

/** Generated gemspecs are a few KiB (the file list is not in them). */
export const MAX_GEMSPEC_BYTES = 1024 * 1024;

const NAME = 'inventory/ruby';

/** `<gem dir>/specifications/<name>-<version>.gemspec`, default gems in `specifications/default/`. */
export function isInstalledGemspec(path: string): boolean {
  if (!path.endsWith('.gemspec')) return false;
  const dir = dirname(path);
  return basename(dir) === 'specifications' || dir.endsWith('/specifications/default');
}

/**
 * Installed gems, from the specifications RubyGems keeps for every gem in every gem directory
 * (`/usr/lib/ruby/gems/<v>/`, `/var/lib/gems/<v>/`, Bundler's `vendor/bundle`, Debian's
 * rubygems-integration), default gems included — what `gem list` shows.
 */
export const rubyCataloger: Cataloger = {
  name: NAME,
  version: 1,

  wants: (path, header) => (isInstalledGemspec(path) ? captureUpTo(header.size, MAX_GEMSPEC_BYTES) : false),

  onStream: noteOversized,

  catalog(files: ImageFiles): CatalogResult {
    const warnings = oversizedWarnings(files, NAME, MAX_GEMSPEC_BYTES);
    const packages: Package[] = [];
    for (const file of visibleFiles(files, isInstalledGemspec)) {
      const spec = parseGemspec(decodeText(file.data, file.path, warnings));
      if (spec === undefined) {
        warnings.push(`${file.path}: no literal gem name and version in the gemspec`);
        continue;
      }
      packages.push({
        type: 'gem',
        name: spec.name,
        version: spec.version,
        purl: formatPurl({ type: 'gem', name: spec.name, version: spec.version }),
        licenses: spec.licenses,
        locations: [{ path: file.path, layer: file.layer }],
        osOwned: false,
      });
    }
    return { packages, warnings };
  },
};
