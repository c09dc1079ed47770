import type { OsInfo } from '../../../src/inventory/os/detect.js';
import type { Package, PackageType } from '../../../src/inventory/package.js';
import { formatPurl } from '../../../src/inventory/purl.js';

const PURL_TYPES: Record<PackageType, string> = {
  deb: 'deb',
  apk: 'apk',
  rpm: 'rpm',
  npm: 'npm',
  pypi: 'pypi',
  maven: 'maven',
  golang: 'golang',
  cargo: 'cargo',
  gem: 'gem',
  composer: 'composer',
  nuget: 'nuget',
};

/** A package as a cataloger would report it, for matching tests that do not need an image. */
export function pkg(type: PackageType, name: string, version: string, extra: Partial<Package> = {}): Package {
  return {
    type,
    name,
    version,
    purl: formatPurl({ type: PURL_TYPES[type], name, version }),
    licenses: [],
    locations: [{ path: `/fixture/${type}/${name}`, layer: 'sha256:layer' }],
    osOwned: false,
    ...extra,
  };
}

export function os(family: string, version: string): OsInfo {
  return { family, version, prettyName: `${family} ${version}`, source: 'etc/os-release', eol: false };
}
