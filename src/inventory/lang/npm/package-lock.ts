import { isRecord, stringField } from '../manifest.js';
import { nameFromInstallPath, npmLicenses, validNpmName, validNpmVersion } from './manifest.js';

/** One package a lockfile pins. */
export interface LockedPackage {
  name: string;
  version: string;
  licenses: string[];
  /** Where npm installs it, relative to the lockfile's directory (`node_modules/a/node_modules/b`). */
  installPath?: string;
  /** Only development dependencies need it. */
  dev: boolean;
}

/**
 * package-lock.json / npm-shrinkwrap.json in every lockfileVersion, and npm's hidden lockfile
 * `node_modules/.package-lock.json` (the v3 layout). v2 and v3 list packages by install path in
 * `packages`; v1 nests them in `dependencies`.
 *
 * The project itself is not a package of its own lockfile: the `""` entry (v2/v3) and the
 * top-level name (v1) are skipped, and so are workspace members (entries outside node_modules
 * and the `link` entries pointing at them) — they are the project's own code; their
 * dependencies are listed like any other.
 */
export function parsePackageLock(doc: unknown, file: string, warnings: string[]): LockedPackage[] {
  if (!isRecord(doc)) {
    warnings.push(`${file}: not a package-lock document (expected a JSON object)`);
    return [];
  }
  if (isRecord(doc.packages)) return fromPackages(doc.packages, file, warnings);
  if (isRecord(doc.dependencies)) return fromDependencies(doc.dependencies, file, warnings);
  if (doc.packages !== undefined || doc.dependencies !== undefined) {
    warnings.push(`${file}: "packages" / "dependencies" is not an object`);
  }
  return [];
}

function fromPackages(packages: Record<string, unknown>, file: string, warnings: string[]): LockedPackage[] {
  const found: LockedPackage[] = [];
  let unnamed = 0;
  for (const [installPath, entry] of Object.entries(packages)) {
    if (installPath === '' || !isRecord(entry) || entry.link === true) continue;
    if (!installPath.startsWith('node_modules/') && !installPath.includes('/node_modules/')) continue;
    const name = stringField(entry, 'name') ?? nameFromInstallPath(installPath);
    const version = stringField(entry, 'version');
    if (name === undefined || version === undefined || !validNpmName(name) || !validNpmVersion(version)) {
      unnamed++;
      continue;
    }
    found.push({ name, version, licenses: npmLicenses(entry), installPath, dev: entry.dev === true });
  }
  if (unnamed > 0)
    warnings.push(`${file}: skipped ${unnamed} package entries without a usable name and version`);
  return found;
}

/** v1: `dependencies` nest as deep as node_modules does; walked with a stack, not recursion. */
function fromDependencies(
  dependencies: Record<string, unknown>,
  file: string,
  warnings: string[],
): LockedPackage[] {
  const found: LockedPackage[] = [];
  let unusable = 0;
  const pending: { prefix: string; dependencies: Record<string, unknown> }[] = [{ prefix: '', dependencies }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const [key, entry] of Object.entries(next.dependencies)) {
      if (!isRecord(entry)) continue;
      const installPath = `${next.prefix}node_modules/${key}`;
      if (isRecord(entry.dependencies)) {
        pending.push({ prefix: `${installPath}/`, dependencies: entry.dependencies });
      }
      const pinned = v1Version(key, stringField(entry, 'version'));
      if (pinned === 'not-registry') continue;
      if (pinned === undefined) {
        unusable++;
        continue;
      }
      found.push({ ...pinned, licenses: [], installPath, dev: entry.dev === true });
    }
  }
  if (unusable > 0)
    warnings.push(`${file}: skipped ${unusable} dependencies without a usable name and version`);
  return found;
}

/**
 * A v1 `version` is the registry version, `npm:<name>@<version>` for an alias, or the source
 * of a non-registry dependency (`file:` — the project's own code — git, a URL), which records
 * no version at all.
 */
function v1Version(
  key: string,
  version: string | undefined,
): { name: string; version: string } | 'not-registry' | undefined {
  if (version === undefined) return undefined;
  let name = key;
  let pinned = version;
  if (version.startsWith('npm:')) {
    const spec = version.slice(4);
    const at = spec.lastIndexOf('@');
    if (at <= 0) return undefined;
    name = spec.slice(0, at);
    pinned = spec.slice(at + 1);
  } else if (/[:/]/.test(version)) {
    return 'not-registry';
  }
  return validNpmName(name) && validNpmVersion(pinned) ? { name, version: pinned } : undefined;
}
