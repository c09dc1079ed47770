import { isRecord, stringField } from '../manifest.js';

export interface ComposerPackage {
  name: string;
  version: string;
  licenses: string[];
}

/** vendor/package, as Composer allows them (checked without nested quantifiers: no backtracking). */
const NAME = /^[a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*$/i;
const MAX_TOKEN = 256;

/**
 * Composer's record of what it installed into the vendor directory,
 * `vendor/composer/installed.json`: a list of package objects (Composer 1) or
 * `{ "packages": [...], "dev": ..., "dev-package-names": [...] }` (Composer 2). Development
 * packages count: they are installed. Versions are kept as Composer shows them (`v5.4.0`,
 * `dev-main`); the composer version scheme reads the `v` prefix.
 */
export function parseInstalledJson(doc: unknown, file: string, warnings: string[]): ComposerPackage[] {
  const list = Array.isArray(doc)
    ? doc
    : isRecord(doc) && Array.isArray(doc.packages)
      ? doc.packages
      : undefined;
  if (list === undefined) {
    warnings.push(`${file}: not a Composer installed.json (expected a list or { "packages": [...] })`);
    return [];
  }
  const found: ComposerPackage[] = [];
  let unusable = 0;
  for (const entry of list) {
    const name = isRecord(entry) ? stringField(entry, 'name') : undefined;
    const version = isRecord(entry) ? stringField(entry, 'version') : undefined;
    if (
      !isRecord(entry) ||
      name === undefined ||
      version === undefined ||
      name.length > MAX_TOKEN ||
      version.length > MAX_TOKEN ||
      !NAME.test(name) ||
      /\s/.test(version)
    ) {
      unusable++;
      continue;
    }
    found.push({ name, version, licenses: licensesOf(entry.license) });
  }
  if (unusable > 0) warnings.push(`${file}: skipped ${unusable} entries without a usable name and version`);
  return found;
}

function licensesOf(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return [
    ...new Set(
      values.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()),
    ),
  ];
}
