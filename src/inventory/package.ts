/** Kinds of packages Cerana inventories; the values are the purl types. */
export type PackageType =
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'npm'
  | 'pypi'
  | 'maven'
  | 'golang'
  | 'cargo'
  | 'gem'
  | 'composer'
  | 'nuget';

export interface PackageLocation {
  path: string;
  /** diffID of the layer the file came from. */
  layer: string;
}

export interface Package {
  type: PackageType;
  /** The ecosystem's own name: `@scope/name` for npm, `group:artifact` for Maven, the module path for Go. */
  name: string;
  version: string;
  purl: string;
  /** The source package an OS binary package was built from (dpkg `Source:`, rpm SRPM, apk origin). */
  source?: { name: string; version: string };
  arch?: string;
  licenses: string[];
  locations: PackageLocation[];
  /** A language package whose files belong to an OS package: distro advisories apply to it. */
  osOwned: boolean;
  /**
   * The purl of the language package that installed this one's file: a Go executable shipped in
   * a wheel is updated by upgrading the wheel, not by rebuilding the binary, so that is who a
   * finding goes to. Not a statement about the OS: `osOwned` stays what the OS databases say.
   */
  ownedBy?: string;
}

/** Stable order for deterministic output: type, name, version, first location. */
export function comparePackages(a: Package, b: Package): number {
  return (
    compareText(a.type, b.type) ||
    compareText(a.name, b.name) ||
    compareText(a.version, b.version) ||
    compareText(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '')
  );
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
