import { isRecord, readYaml, stringField } from '../manifest.js';
import { npmLicenses, validNpmName, validNpmVersion } from './manifest.js';
import type { LockedPackage } from './package-lock.js';

/**
 * pnpm-lock.yaml, lockfile formats 5.x (`/name/version_peer`), 6.x (`/name@version(peer)`) and
 * 9.x (`name@version(peer)` in `packages`, the dependency graph in `snapshots`). Projects
 * (`importers`) are the project's own code, not packages. Packages only development needs are
 * left out: 5.x and 6.x mark them `dev: true`; 9.x does not, so the graph is walked from every
 * importer's production and optional dependencies.
 */
export function parsePnpmLock(data: Buffer, file: string, warnings: string[]): LockedPackage[] {
  const doc = readYaml(data, file, warnings);
  if (doc === undefined) return [];
  if (!isRecord(doc) || !('lockfileVersion' in doc)) {
    warnings.push(`${file}: not a pnpm lockfile (no lockfileVersion)`);
    return [];
  }
  const packages = isRecord(doc.packages) ? doc.packages : {};
  const major = Number.parseInt(String(doc.lockfileVersion), 10);
  const production = major >= 9 ? productionSnapshots(doc) : undefined;
  const found: LockedPackage[] = [];
  let unusable = 0;
  for (const [key, entry] of Object.entries(packages)) {
    const record = isRecord(entry) ? entry : {};
    const pinned = identify(key, record, major);
    if (pinned === undefined) {
      unusable++;
      continue;
    }
    if (pinned === 'own-code') continue;
    const dev = major >= 9 ? production !== undefined && !production.has(key) : record.dev === 'true';
    if (dev) continue;
    found.push({ name: pinned.name, version: pinned.version, licenses: npmLicenses(record), dev: false });
  }
  if (unusable > 0)
    warnings.push(`${file}: skipped ${unusable} package entries without a usable name and version`);
  return found;
}

/**
 * Name and version of a `packages` key. Registry packages carry both in the key; tarball and
 * git dependencies have a URL-ish key and `name`/`version` fields; local folders (`file:`,
 * `link:`) are the project's own code.
 */
function identify(
  key: string,
  entry: Record<string, unknown>,
  major: number,
): { name: string; version: string } | 'own-code' | undefined {
  if (/^(?:file|link|workspace):/.test(key)) return 'own-code';
  const declaredName = stringField(entry, 'name');
  const declaredVersion = stringField(entry, 'version');
  let parsed: { name: string; version: string } | undefined;
  const path = key.startsWith('/') ? key.slice(1) : key;
  if (major < 6) {
    // name/version, @scope/name/version, with a `_peer@1.0.0` suffix
    const parts = path.split('/');
    const scoped = parts[0]?.startsWith('@') === true;
    if (parts.length === (scoped ? 3 : 2)) {
      const version = (parts[parts.length - 1] as string).split('_')[0] as string;
      parsed = { name: parts.slice(0, -1).join('/'), version };
    }
  } else {
    const bare = withoutPeers(path);
    const at = bare.indexOf('@', 1);
    if (at > 0 && !bare.slice(0, at).includes(':'))
      parsed = { name: bare.slice(0, at), version: bare.slice(at + 1) };
  }
  const name = declaredName ?? parsed?.name;
  const version = declaredVersion ?? parsed?.version;
  if (name === undefined || version === undefined || !validNpmName(name) || !validNpmVersion(version))
    return undefined;
  return { name, version };
}

/** `foo@1.0.0(react@18.2.0)(b@1)` → `foo@1.0.0`. */
function withoutPeers(key: string): string {
  const paren = key.indexOf('(');
  return paren < 0 ? key : key.slice(0, paren);
}

/**
 * 9.x: the `packages` keys reachable from any importer's `dependencies` or
 * `optionalDependencies` through `snapshots`. Undefined when the lockfile has no importers to
 * start from (then nothing can be called development-only).
 */
function productionSnapshots(doc: Record<string, unknown>): Set<string> | undefined {
  if (!isRecord(doc.importers)) return undefined;
  const snapshots = isRecord(doc.snapshots) ? doc.snapshots : {};
  const seen = new Set<string>();
  const pending: string[] = [];
  const visit = (name: string, reference: unknown) => {
    const version = isRecord(reference)
      ? stringField(reference, 'version')
      : typeof reference === 'string'
        ? reference
        : undefined;
    if (version === undefined || /^(?:link|file):/.test(version)) return;
    // An alias resolves to another package: its reference is `name@version` itself.
    const key = withoutPeers(version).indexOf('@', 1) > 0 ? version : `${name}@${version}`;
    if (!seen.has(key)) {
      seen.add(key);
      pending.push(key);
    }
  };
  for (const importer of Object.values(doc.importers)) {
    if (!isRecord(importer)) continue;
    for (const group of ['dependencies', 'optionalDependencies']) {
      const deps = importer[group];
      if (isRecord(deps)) for (const [name, reference] of Object.entries(deps)) visit(name, reference);
    }
  }
  for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
    const snapshot = snapshots[key];
    if (!isRecord(snapshot)) continue;
    for (const group of ['dependencies', 'optionalDependencies']) {
      const deps = snapshot[group];
      if (isRecord(deps)) for (const [name, reference] of Object.entries(deps)) visit(name, reference);
    }
  }
  return new Set([...seen].map(withoutPeers));
}
