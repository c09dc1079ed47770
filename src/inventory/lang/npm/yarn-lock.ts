import { decodeText } from '../../text.js';
import { isRecord, readYaml, stringField } from '../manifest.js';
import { validNpmName, validNpmVersion } from './manifest.js';
import type { LockedPackage } from './package-lock.js';

/** Protocols of the project's own code (workspaces, linked and copied folders), never registry packages. */
const OWN_CODE = new Set(['workspace', 'link', 'portal', 'file']);

/**
 * yarn.lock in both of its formats: Yarn 1's own text format and the YAML of Yarn 2+ ("berry",
 * recognized by its `__metadata` entry). yarn.lock lists only resolved dependencies; the root
 * project appears in berry lockfiles as a `workspace:` entry and is skipped with the other
 * workspaces. Neither format records which packages only development needs, so every entry
 * counts (dev: false).
 */
export function parseYarnLock(data: Buffer, file: string, warnings: string[]): LockedPackage[] {
  const text = data.toString('utf8');
  if (/^__metadata:/m.test(text)) return parseBerry(data, file, warnings);
  return parseClassic(decodeText(data, file, warnings), file, warnings);
}

/**
 * Yarn 1: unindented `spec, spec:` lines open an entry; its two-space-indented fields follow
 * (`version "1.2.3"`). The name comes from the specifiers (`name@range`, `alias@npm:name@range`).
 */
export function parseClassic(text: string, file: string, warnings: string[]): LockedPackage[] {
  const found: LockedPackage[] = [];
  let unusable = 0;
  let current: { name: string | undefined; version: string | undefined } | undefined;
  const close = () => {
    if (current === undefined) return;
    const { name, version } = current;
    current = undefined;
    if (name === '') return; // the project's own code
    if (name === undefined || version === undefined || !validNpmName(name) || !validNpmVersion(version)) {
      unusable++;
      return;
    }
    found.push({ name, version, licenses: [], dev: false });
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) continue;
    if (line[0] !== ' ' && line.endsWith(':')) {
      close();
      current = { name: classicName(line.slice(0, -1)), version: undefined };
      continue;
    }
    if (current === undefined || !line.startsWith('  ') || line[2] === ' ') continue;
    const field = /^ {2}version:? +"?([^"]*)"?$/.exec(line);
    if (field) current.version = field[1]?.trim();
  }
  close();
  if (unusable > 0) warnings.push(`${file}: skipped ${unusable} entries without a usable name and version`);
  return found;
}

/** The package an entry's specifiers resolve to; '' for the project's own code; undefined when unreadable. */
function classicName(key: string): string | undefined {
  const first = key.split(',')[0]?.trim().replace(/^"|"$/g, '');
  if (!first) return undefined;
  const at = first.indexOf('@', 1);
  if (at < 0) return undefined;
  const name = first.slice(0, at);
  const range = first.slice(at + 1);
  const protocol = /^([a-z]+):/.exec(range)?.[1];
  if (protocol === 'npm') {
    const target = range.slice(4);
    const versionAt = target.indexOf('@', 1);
    return versionAt < 0 ? target : target.slice(0, versionAt);
  }
  if (protocol !== undefined && OWN_CODE.has(protocol)) return '';
  return name;
}

/** Yarn 2+: a YAML map of entries, each with the `resolution` it settled on and its `version`. */
function parseBerry(data: Buffer, file: string, warnings: string[]): LockedPackage[] {
  const doc = readYaml(data, file, warnings);
  if (doc === undefined) return [];
  if (!isRecord(doc)) {
    warnings.push(`${file}: not a yarn lockfile (expected a YAML map)`);
    return [];
  }
  const found: LockedPackage[] = [];
  let unusable = 0;
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata' || !isRecord(entry)) continue;
    const resolution = stringField(entry, 'resolution');
    const version = stringField(entry, 'version');
    const at = resolution?.indexOf('@', 1) ?? -1;
    if (resolution === undefined || at < 0 || version === undefined) {
      unusable++;
      continue;
    }
    const protocol = /^([a-z]+):/.exec(resolution.slice(at + 1))?.[1];
    if (entry.linkType === 'soft' || (protocol !== undefined && OWN_CODE.has(protocol))) continue;
    const name = resolution.slice(0, at);
    if (!validNpmName(name) || !validNpmVersion(version)) {
      unusable++;
      continue;
    }
    found.push({ name, version, licenses: [], dev: false });
  }
  if (unusable > 0) warnings.push(`${file}: skipped ${unusable} entries without a usable name and version`);
  return found;
}
