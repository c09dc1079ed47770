import type { ImageFiles, JsonValue } from '../../../image/scan/index.js';
import type { Cataloger, CatalogResult } from '../../cataloger.js';
import type { Package } from '../../package.js';
import { formatPurl } from '../../purl.js';
import { messageOf } from '../../text.js';
import { readGoBuildInfo } from './buildinfo.js';
import { type GoModule, goRelease, parseModInfo } from './modinfo.js';

const NAME = 'inventory/go';
/** Smaller than any ELF binary with a data segment. */
const MIN_BINARY_BYTES = 512;

interface GoFact {
  goVersion?: string;
  modinfo?: string;
  error?: string;
}

/**
 * Go binaries: the Go toolchain (package `stdlib`), the main module and every dependency the
 * linker recorded, replacements applied. Executable files are streamed through the build
 * information reader; anything that is not a Go ELF binary costs one look at its headers.
 */
export const goCataloger: Cataloger = {
  name: NAME,
  version: 1,

  wants: (_path, header) =>
    (header.mode & 0o111) !== 0 && header.size >= MIN_BINARY_BYTES ? 'stream' : false,

  async onStream(file) {
    let fact: GoFact;
    try {
      const info = await readGoBuildInfo(file.body, file.header.size);
      if (info === undefined) return [];
      fact = info;
    } catch (error) {
      fact = { error: messageOf(error) };
    }
    return [{ kind: 'go-build-info', data: fact as JsonValue }];
  },

  catalog(files: ImageFiles): CatalogResult {
    const packages: Package[] = [];
    const warnings: string[] = [];
    for (const fact of files.facts(NAME)) {
      const data = fact.data as GoFact;
      if (data.error !== undefined || data.goVersion === undefined) {
        warnings.push(`${fact.path}: Go build information is damaged: ${data.error ?? 'no Go version'}`);
        continue;
      }
      const location = { path: fact.path, layer: fact.layer };
      packages.push(goPackage('stdlib', goRelease(data.goVersion), location));
      const info = parseModInfo(data.modinfo ?? '');
      const modules = info.main ? [info.main, ...info.deps] : info.deps;
      for (const module of modules) {
        const { path, version } = effective(module);
        packages.push(goPackage(path, version, location));
      }
    }
    return { packages, warnings };
  },
};

/**
 * The module whose code is in the binary: a replacement by another module wins; a replacement
 * by a local directory keeps the original path (what the code imports) with version `(devel)`.
 */
function effective(module: GoModule): { path: string; version: string } {
  const replace = module.replace;
  if (replace === undefined) return module;
  const directory = /^(\.{1,2}[/\\]|\/|[A-Za-z]:[/\\])/.test(replace.path);
  return directory ? { path: module.path, version: '(devel)' } : replace;
}

function goPackage(path: string, version: string, location: { path: string; layer: string }): Package {
  const slash = path.lastIndexOf('/');
  // `(devel)` is no release: the purl leaves the version out rather than invent one.
  const purlVersion = version === '(devel)' || version === '' ? undefined : version;
  const purl = formatPurl({
    type: 'golang',
    namespace: slash > 0 ? path.slice(0, slash) : undefined,
    name: slash > 0 ? path.slice(slash + 1) : path,
    version: purlVersion,
  });
  return { type: 'golang', name: path, version, purl, licenses: [], locations: [location], osOwned: false };
}
