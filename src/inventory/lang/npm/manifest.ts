import { isOneLine, isRecord, stringField } from '../manifest.js';

/** A package as npm knows it: its registry name (`@scope/name` for scoped ones) and version. */
export interface NpmPackageInfo {
  name: string;
  version: string;
  licenses: string[];
}

const MAX_NAME = 214; // npm's own limit for package names
const MAX_VERSION = 256;
const MAX_LICENSE = 200;

/** `name` or `@scope/name` (not starting with `.` or `_`), without whitespace, within npm's length limit. */
const NPM_NAME = /^(?:@[^\s/@]+\/)?[^\s/@._][^\s/]*$/;

export function validNpmName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME && NPM_NAME.test(name) && isOneLine(name);
}

export function validNpmVersion(version: string): boolean {
  return version.length > 0 && version.length <= MAX_VERSION && !/\s/.test(version) && isOneLine(version);
}

/**
 * The declared licenses of a package.json (or a lockfile entry copied from one): the SPDX
 * expression in `license`, the legacy `{ type }` object, or the older `licenses` list.
 */
export function npmLicenses(manifest: Record<string, unknown>): string[] {
  const found: string[] = [];
  const add = (value: unknown) => {
    const text = typeof value === 'string' ? value : isRecord(value) ? value.type : undefined;
    if (typeof text === 'string' && text.trim() !== '' && text.length <= MAX_LICENSE) found.push(text.trim());
  };
  add(manifest.license);
  if (Array.isArray(manifest.licenses)) for (const license of manifest.licenses) add(license);
  else add(manifest.licenses);
  return [...new Set(found)];
}

/**
 * An installed package's package.json. Undefined when it names no package (no name or
 * version, as in the `{"type": "module"}` files packages keep in subdirectories).
 */
export function readInstalledManifest(manifest: unknown): NpmPackageInfo | undefined {
  if (!isRecord(manifest)) return undefined;
  const name = stringField(manifest, 'name');
  const version = stringField(manifest, 'version');
  if (name === undefined || version === undefined || !validNpmName(name) || !validNpmVersion(version))
    return undefined;
  return { name, version, licenses: npmLicenses(manifest) };
}

/** The package name an install path ends with: `a/node_modules/@s/b` → `@s/b`. */
export function nameFromInstallPath(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const name = path.slice(at + 'node_modules/'.length);
  const parts = name.split('/');
  if (parts.length === 1 && parts[0] !== '') return name;
  if (parts.length === 2 && parts[0]?.startsWith('@') && parts[1] !== '') return name;
  return undefined;
}
