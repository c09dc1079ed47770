import type { Package, PackageLocation } from '../../package.js';
import { formatPurl } from '../../purl.js';
import type { AuditablePackage } from './auditable.js';

/**
 * The crates compiled into a cargo-auditable binary: its dependency list without the
 * build-time-only entries (build scripts and proc macros are not in the binary).
 */
export function rustPackages(crates: readonly AuditablePackage[], location: PackageLocation): Package[] {
  return crates
    .filter((crate) => crate.kind !== 'build')
    .map((crate) => ({
      type: 'cargo',
      name: crate.name,
      version: crate.version,
      purl: formatPurl({ type: 'cargo', name: crate.name, version: crate.version }),
      licenses: [],
      locations: [{ ...location }],
      osOwned: false,
    }));
}
