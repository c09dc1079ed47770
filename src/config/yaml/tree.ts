import type { Document, Node as YamlNode } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { CeranaError } from '../../common/errors.js';
import { LineIndex, type Span } from '../position.js';

/**
 * YAML (and JSON) as a tree whose every node knows its file and span, so findings point at the
 * exact key or value. Aliases are expanded under a node budget, so alias bombs fail with a clear
 * error instead of exhausting memory.
 */
interface Base {
  span: Span;
  file: string;
}
export interface PScalar extends Base {
  kind: 'scalar';
  value: string | number | boolean | null;
}
export interface PEntry {
  key: string;
  keySpan: Span;
  value: PNode;
}
export interface PMap extends Base {
  kind: 'map';
  entries: Map<string, PEntry>;
}
export interface PSeq extends Base {
  kind: 'seq';
  items: PNode[];
}
export type PNode = PScalar | PMap | PSeq;

export interface YamlLimits {
  /** Nodes produced per document, aliases expanded (default 200,000). */
  maxNodes?: number;
  /** Nesting depth (default 256). */
  maxDepth?: number;
}

export class ConfigSyntaxError extends CeranaError {
  constructor(
    readonly path: string,
    readonly span: Span,
    detail: string,
  ) {
    super('INPUT', `${path}:${span.line}:${span.column}: ${detail}`, { hint: 'fix the file syntax' });
  }
}

export interface YamlDocument {
  index: number;
  root: PNode | null;
}

export function parseYaml(path: string, text: string, limits: YamlLimits = {}): YamlDocument[] {
  const maxNodes = limits.maxNodes ?? 200_000;
  const maxDepth = limits.maxDepth ?? 256;
  const lines = new LineIndex(text);
  const docs = parseAllDocuments(text, {
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
    strict: false,
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const spanOf = (range: readonly number[] | null | undefined): Span =>
    range
      ? lines.span(range[0] ?? 0, range[1] ?? range[0] ?? 0)
      : { line: 1, column: 1, endLine: 1, endColumn: 1 };

  return list.map((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const at = error.pos[0];
      throw new ConfigSyntaxError(
        path,
        lines.span(at, error.pos[1]),
        error.message.split('\n')[0] ?? 'invalid YAML',
      );
    }
    let budget = maxNodes;
    const convert = (node: unknown, depth: number): PNode => {
      if (--budget < 0) {
        throw new CeranaError('LIMIT', `${path}: YAML expands to more than ${maxNodes} nodes (alias bomb?)`, {
          hint: 'remove the alias chain or raise the limit',
        });
      }
      if (depth > maxDepth) {
        const range = (node as { range?: number[] }).range;
        throw new ConfigSyntaxError(
          path,
          spanOf(range),
          `nesting deeper than ${maxDepth} levels (recursive alias?)`,
        );
      }
      if (isAlias(node)) {
        const target = node.resolve(doc as Document);
        if (!target) throw new ConfigSyntaxError(path, spanOf(node.range), `unknown alias *${node.source}`);
        return convert(target, depth + 1);
      }
      if (isScalar(node)) {
        const v = node.value;
        const value =
          typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
            ? v
            : String(v);
        return { kind: 'scalar', value, span: spanOf(node.range), file: path };
      }
      if (isSeq(node)) {
        return {
          kind: 'seq',
          items: node.items.map((item) => convert(item, depth + 1)),
          span: spanOf(node.range),
          file: path,
        };
      }
      if (isMap(node)) {
        const entries = new Map<string, PEntry>();
        const merged: PEntry[] = [];
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const keyNode = pair.key as YamlNode | null;
          const isMerge = isScalar(keyNode) && keyNode.source === '<<' && keyNode.type === 'PLAIN';
          if (isMerge) {
            const sources = pair.value && isSeq(pair.value) ? pair.value.items : [pair.value];
            for (const source of sources) {
              const target = convert(source, depth + 1);
              if (target.kind === 'map') for (const e of target.entries.values()) merged.push(e);
            }
            continue;
          }
          const key = isScalar(keyNode) ? String(keyNode.value) : keyNode ? String(keyNode) : '';
          const keySpan = spanOf(keyNode?.range);
          const value: PNode = pair.value
            ? convert(pair.value, depth + 1)
            : { kind: 'scalar', value: null, span: keySpan, file: path };
          entries.set(key, { key, keySpan, value });
        }
        // Explicit keys win over merged ones; among merged maps the first one wins.
        for (const e of merged) if (!entries.has(e.key)) entries.set(e.key, e);
        return { kind: 'map', entries, span: spanOf(node.range), file: path };
      }
      return {
        kind: 'scalar',
        value: null,
        span: spanOf((node as { range?: number[] } | null)?.range),
        file: path,
      };
    };
    const contents = doc.contents;
    return { index, root: contents === null ? null : convert(contents, 0) };
  });
}

// Accessors: small, total functions so rules read like the spec they implement.

export function get(node: PNode | undefined, ...path: (string | number)[]): PNode | undefined {
  let current = node;
  for (const key of path) {
    if (!current) return undefined;
    if (typeof key === 'number') current = current.kind === 'seq' ? current.items[key] : undefined;
    else current = current.kind === 'map' ? current.entries.get(key)?.value : undefined;
  }
  return current;
}

export function entry(node: PNode | undefined, key: string): PEntry | undefined {
  return node?.kind === 'map' ? node.entries.get(key) : undefined;
}

export function str(node: PNode | undefined): string | undefined {
  if (node?.kind !== 'scalar' || node.value === null) return undefined;
  return String(node.value);
}

export function bool(node: PNode | undefined): boolean | undefined {
  if (node?.kind !== 'scalar') return undefined;
  if (typeof node.value === 'boolean') return node.value;
  if (node.value === 'true') return true;
  if (node.value === 'false') return false;
  return undefined;
}

export function num(node: PNode | undefined): number | undefined {
  if (node?.kind !== 'scalar') return undefined;
  if (typeof node.value === 'number') return node.value;
  if (typeof node.value === 'string' && /^-?\d+(\.\d+)?$/.test(node.value.trim())) return Number(node.value);
  return undefined;
}

export function items(node: PNode | undefined): PNode[] {
  return node?.kind === 'seq' ? node.items : [];
}

export function entries(node: PNode | undefined): PEntry[] {
  return node?.kind === 'map' ? [...node.entries.values()] : [];
}

/** Plain JSON value of a subtree. */
export function plain(node: PNode | undefined): unknown {
  if (!node) return undefined;
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(plain);
  return Object.fromEntries([...node.entries.values()].map((e) => [e.key, plain(e.value)]));
}
