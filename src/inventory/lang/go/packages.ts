import type { Package, PackageLocation } from '../../package.js';
import { formatPurl } from '../../purl.js';
import type { GoBuildInfo } from './buildinfo.js';
import { type GoModule, goRelease, parseModInfo } from './modinfo.js';

/**
 * The packages one Go binary contains: the Go toolchain as `stdlib`, the main module and every
 * dependency the linker recorded, replacements applied.
 */
export function goPackages(info: GoBuildInfo, location: PackageLocation): Package[] {
  const packages = [goPackage('stdlib', goRelease(info.goVersion), location)];
  const modules = parseModInfo(info.modinfo);
  for (const module of modules.main ? [modules.main, ...modules.deps] : modules.deps) {
    const { path, version } = effective(module);
    packages.push(goPackage(path, version, location));
  }
  return packages;
}

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

function goPackage(path: string, version: string, location: PackageLocation): Package {
  const slash = path.lastIndexOf('/');
  // `(devel)` is no release: the purl leaves the version out rather than invent one.
  const purlVersion = version === '(devel)' || version === '' ? undefined : version;
  const purl = formatPurl({
    type: 'golang',
    namespace: slash > 0 ? path.slice(0, slash) : undefined,
    name: slash > 0 ? path.slice(slash + 1) : path,
    version: purlVersion,
  });
  return {
    type: 'golang',
    name: path,
    version,
    purl,
    licenses: [],
    locations: [{ ...location }],
    osOwned: false,
  };
}
