import { compileGlob, type GlobMatcher, hasGlobChars } from './glob.js';

/**
 * The `pmatch` operator: true when one of the listed paths is a prefix of the value, compared
 * component by component (`/var/run` matches `/var/run/x` but not `/var/runner`). Components
 * may be globs (`/var/*\/*.txt`). The prefixes form a tree, so one walk down the value's
 * components checks all of them at once.
 */

interface Node {
  terminal: boolean;
  readonly children: Map<string, Node>;
  readonly globs: { readonly match: GlobMatcher; readonly pattern: string; readonly node: Node }[];
}

const newNode = (): Node => ({ terminal: false, children: new Map(), globs: [] });

function components(path: string): string[] {
  return path.split('/').filter((c) => c.length > 0);
}

export type PathPrefixMatcher = (path: string) => boolean;

export function compilePathPrefixes(prefixes: readonly string[]): PathPrefixMatcher {
  const root = newNode();
  for (const prefix of prefixes) {
    let node = root;
    for (const part of components(prefix)) {
      if (hasGlobChars(part)) {
        let entry = node.globs.find((g) => g.pattern === part);
        if (entry === undefined) {
          entry = { match: compileGlob(part), pattern: part, node: newNode() };
          node.globs.push(entry);
        }
        node = entry.node;
      } else {
        let child = node.children.get(part);
        if (child === undefined) {
          child = newNode();
          node.children.set(part, child);
        }
        node = child;
      }
    }
    node.terminal = true;
  }
  let hasGlobs = false;
  const visit = (n: Node): void => {
    if (n.globs.length > 0) hasGlobs = true;
    for (const c of n.children.values()) visit(c);
    for (const g of n.globs) visit(g.node);
  };
  visit(root);
  // With globs, several branches can reach the same (node, depth); remembering dead ends keeps
  // the walk linear in tree size × path depth whatever the patterns.
  const walk = (node: Node, parts: readonly string[], i: number, dead: Set<Node>[] | undefined): boolean => {
    if (node.terminal) return true;
    if (i >= parts.length) return false;
    if (dead?.[i]?.has(node)) return false;
    const part = parts[i] as string;
    const child = node.children.get(part);
    if (child !== undefined && walk(child, parts, i + 1, dead)) return true;
    for (const g of node.globs) {
      if (g.match(part) && walk(g.node, parts, i + 1, dead)) return true;
    }
    if (dead !== undefined) {
      let set = dead[i];
      if (set === undefined) {
        set = new Set();
        dead[i] = set;
      }
      set.add(node);
    }
    return false;
  };
  return (path) => walk(root, components(path), 0, hasGlobs ? [] : undefined);
}
