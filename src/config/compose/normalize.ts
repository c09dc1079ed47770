import { dirname, isAbsolute, join } from 'node:path';
import { CeranaError } from '../../common/errors.js';
import {
  entries,
  get,
  items,
  type PEntry,
  type PMap,
  type PNode,
  type PScalar,
  parseYaml,
  str,
  type YamlLimits,
} from '../yaml/tree.js';
import { interpolate, type Lookup, parseDotEnv } from './interpolate.js';

/**
 * Builds the effective Compose model the way `docker compose config` does before anything runs:
 * interpolation (process environment over `.env`), `extends`, merging of several files in
 * order, and profile selection. Every node keeps the file and span it came from.
 */
export interface ComposeFile {
  path: string;
  text: string;
}

export interface ComposeOptions {
  /** Variables that win over `.env` (the process environment for the CLI). */
  env?: Record<string, string | undefined>;
  /** Contents of the `.env` file of the project directory, when there is one. */
  dotEnv?: string;
  /** Active profiles (`--profile`, COMPOSE_PROFILES). */
  profiles?: string[];
  /** Reads files named by `extends.file`; without it such extends are an error. */
  readFile?: (path: string) => string;
  limits?: YamlLimits;
}

export interface ComposeProject {
  services: Map<string, { node: PMap; file: string; keySpan: PEntry['keySpan'] }>;
  /** Variables referenced but not set (Compose prints a warning and uses ''). */
  missing: string[];
}

const REPLACED_SEQUENCES = new Set(['command', 'entrypoint', 'test']);
const KEYED_MAPS = new Set([
  'environment',
  'labels',
  'annotations',
  'extra_hosts',
  'sysctls',
  'build.args',
  'args',
]);
const MAX_EXTENDS = 32;

function scalar(value: PScalar['value'], like: PNode): PScalar {
  return { kind: 'scalar', value, span: like.span, file: like.file };
}

function interpolateTree(node: PNode, lookup: Lookup, missing: Set<string>): PNode {
  if (node.kind === 'scalar') {
    if (typeof node.value !== 'string' || !node.value.includes('$')) return node;
    const r = interpolate(node.value, lookup);
    for (const m of r.missing) missing.add(m);
    return { ...node, value: r.value };
  }
  if (node.kind === 'seq')
    return { ...node, items: node.items.map((n) => interpolateTree(n, lookup, missing)) };
  const out = new Map<string, PEntry>();
  for (const [k, e] of node.entries) out.set(k, { ...e, value: interpolateTree(e.value, lookup, missing) });
  return { ...node, entries: out };
}

/** `["A=1", "B"]` and `{A: 1}` both become a map (values of bare names come from the environment later). */
function asMap(node: PNode): PMap {
  if (node.kind === 'map') return node;
  const out = new Map<string, PEntry>();
  for (const item of items(node)) {
    const text = str(item) ?? '';
    const eq = text.search(/[=:]/);
    const key = eq < 0 ? text : text.slice(0, eq);
    out.set(key, { key, keySpan: item.span, value: scalar(eq < 0 ? null : text.slice(eq + 1), item) });
  }
  return { kind: 'map', entries: out, span: node.span, file: node.file };
}

/** Container path of a volume/device entry, the key Compose merges them by. */
function mountTarget(node: PNode): string {
  if (node.kind === 'map') return str(get(node, 'target')) ?? str(get(node, 'source')) ?? '';
  const parts = (str(node) ?? '').split(':');
  return parts.length >= 2 ? (parts[1] ?? '') : (parts[0] ?? '');
}

function identity(node: PNode): string {
  return JSON.stringify(
    node.kind === 'scalar'
      ? node.value
      : node.kind === 'map'
        ? [...node.entries.keys()].map((k) => [k, identity(node.entries.get(k)?.value as PNode)])
        : node.items.map(identity),
  );
}

/** Compose merge: mappings merge, most sequences append uniquely, mounts merge by target, some keys replace. */
export function mergeNodes(base: PNode, override: PNode, key = ''): PNode {
  if (KEYED_MAPS.has(key) && (base.kind !== 'scalar' || override.kind !== 'scalar')) {
    return mergeNodes(asMap(base), asMap(override));
  }
  if (base.kind === 'map' && override.kind === 'map') {
    const out = new Map(base.entries);
    for (const [k, e] of override.entries) {
      const prev = out.get(k);
      out.set(k, prev ? { ...e, value: mergeNodes(prev.value, e.value, k) } : e);
    }
    return { ...override, entries: out };
  }
  if (base.kind === 'seq' && override.kind === 'seq' && !REPLACED_SEQUENCES.has(key)) {
    if (key === 'volumes' || key === 'devices' || key === 'secrets' || key === 'configs') {
      const byTarget = new Map(base.items.map((n) => [mountTarget(n), n]));
      for (const n of override.items) byTarget.set(mountTarget(n), n);
      return { ...override, items: [...byTarget.values()] };
    }
    const seen = new Set(base.items.map(identity));
    return { ...override, items: [...base.items, ...override.items.filter((n) => !seen.has(identity(n)))] };
  }
  return override;
}

interface LoadedFile {
  path: string;
  root: PMap;
}

function load(file: ComposeFile, lookup: Lookup, missing: Set<string>, limits?: YamlLimits): LoadedFile {
  const docs = parseYaml(file.path, file.text, limits);
  const root = docs[0]?.root;
  if (!root || root.kind !== 'map') {
    throw new CeranaError('INPUT', `${file.path}: not a Compose file (top level must be a mapping)`, {
      hint: 'a Compose file starts with `services:`',
    });
  }
  return { path: file.path, root: interpolateTree(root, lookup, missing) as PMap };
}

export function normalizeCompose(files: ComposeFile[], options: ComposeOptions = {}): ComposeProject {
  if (files.length === 0) throw new CeranaError('USAGE', 'no Compose file given');
  const dotEnv = options.dotEnv !== undefined ? parseDotEnv(options.dotEnv) : new Map<string, string>();
  const lookup: Lookup = (name) => options.env?.[name] ?? dotEnv.get(name);
  const missing = new Set<string>();
  const loaded = new Map<string, LoadedFile>();
  const loadPath = (path: string): LoadedFile => {
    const known =
      loaded.get(path) ??
      files
        .map((f) => (f.path === path ? load(f, lookup, missing, options.limits) : undefined))
        .find(Boolean);
    if (known) {
      loaded.set(path, known);
      return known;
    }
    if (!options.readFile)
      throw new CeranaError('INPUT', `cannot read extended file ${path}`, {
        hint: 'pass the file on the command line',
      });
    const file = load({ path, text: options.readFile(path) }, lookup, missing, options.limits);
    loaded.set(path, file);
    return file;
  };

  /** Resolves `extends` of one service, depth-first, with cycle detection. */
  const resolve = (file: LoadedFile, name: string, chain: string[]): PMap => {
    const entry = (get(file.root, 'services') as PMap | undefined)?.entries.get(name);
    if (!entry || entry.value.kind !== 'map') {
      throw new CeranaError(
        'INPUT',
        `${file.path}: service "${name}" not found${chain.length ? ` (extended by ${chain[chain.length - 1]})` : ''}`,
      );
    }
    const id = `${file.path}#${name}`;
    if (chain.includes(id) || chain.length > MAX_EXTENDS)
      throw new CeranaError('INPUT', `${file.path}: circular extends of service "${name}"`);
    const service = entry.value;
    const ext = get(service, 'extends');
    if (!ext) return service;
    const baseName = ext.kind === 'scalar' ? str(ext) : str(get(ext, 'service'));
    if (!baseName)
      throw new CeranaError('INPUT', `${file.path}:${ext.span.line}: extends needs a service name`);
    const otherFile = ext.kind === 'map' ? str(get(ext, 'file')) : undefined;
    const baseFile = otherFile
      ? loadPath(isAbsolute(otherFile) ? otherFile : join(dirname(file.path), otherFile))
      : file;
    const base = resolve(baseFile, baseName, [...chain, id]);
    const own = new Map(service.entries);
    own.delete('extends');
    return mergeNodes(base, { ...service, entries: own }) as PMap;
  };

  let merged: Map<string, { node: PMap; file: string; keySpan: PEntry['keySpan'] }> = new Map();
  for (const f of files) {
    const file = loadPath(f.path);
    const services = get(file.root, 'services');
    if (services !== undefined && services.kind !== 'map')
      throw new CeranaError('INPUT', `${f.path}:${services.span.line}: services must be a mapping`);
    for (const e of entries(services)) {
      const node = resolve(file, e.key, []);
      const prev = merged.get(e.key);
      merged.set(
        e.key,
        prev
          ? { ...prev, node: mergeNodes(prev.node, node) as PMap }
          : { node, file: f.path, keySpan: e.keySpan },
      );
    }
  }

  const active = new Set(options.profiles ?? []);
  merged = new Map(
    [...merged].filter(([, s]) => {
      const profiles = items(get(s.node, 'profiles')).flatMap((p) => str(p) ?? []);
      return profiles.length === 0 || active.has('*') || profiles.some((p) => active.has(p));
    }),
  );
  // Bare names in `environment` take their value from the environment, like Compose does.
  for (const s of merged.values()) {
    const env = s.node.entries.get('environment');
    if (!env) continue;
    const map = asMap(env.value);
    for (const [k, e] of map.entries) {
      if (e.value.kind === 'scalar' && e.value.value === null) {
        const v = lookup(k);
        if (v !== undefined) map.entries.set(k, { ...e, value: scalar(v, e.value) });
      }
    }
    s.node.entries.set('environment', { ...env, value: map });
  }
  return { services: merged, missing: [...missing].sort() };
}
