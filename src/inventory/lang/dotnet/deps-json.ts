import { isRecord, stringField } from '../manifest.js';

export interface NugetPackage {
  name: string;
  version: string;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const VERSION = /^[0-9][0-9A-Za-z.+-]*$/;
const MAX_TOKEN = 256;

/**
 * The NuGet packages an application runs with, from its `<app>.deps.json`: every
 * `libraries` entry of type `package`, keyed `<id>/<version>`. Entries of type `project` are
 * the application's own assemblies; `reference` and `runtimepack` entries are the framework.
 */
export function parseDepsJson(doc: unknown, file: string, warnings: string[]): NugetPackage[] {
  if (!isRecord(doc) || !isRecord(doc.libraries)) {
    warnings.push(`${file}: not a .NET deps.json (no "libraries" object)`);
    return [];
  }
  const found: NugetPackage[] = [];
  let unusable = 0;
  for (const [key, library] of Object.entries(doc.libraries)) {
    if (!isRecord(library) || stringField(library, 'type') !== 'package') continue;
    const slash = key.lastIndexOf('/');
    const name = key.slice(0, slash);
    const version = key.slice(slash + 1);
    if (slash <= 0 || !valid(name, NAME) || !valid(version, VERSION)) {
      unusable++;
      continue;
    }
    found.push({ name, version });
  }
  if (unusable > 0)
    warnings.push(`${file}: skipped ${unusable} libraries without a usable <id>/<version> key`);
  return found;
}

function valid(value: string, pattern: RegExp): boolean {
  return value.length <= MAX_TOKEN && pattern.test(value);
}
