import type { Expr, ListValue, Loc, RightOperand } from './ast.js';
import { FilterError } from './filter-error.js';
import { unquote } from './parser.js';

/** A list element: the value and whether it was written quoted (quoted values never name lists). */
export interface ListElement {
  readonly value: string;
  readonly quoted: boolean;
}

/** Returned for a macro that exists but failed to compile (its error is reported on its own). */
export const BROKEN_MACRO = Symbol('broken macro');

/** What a condition can refer to: macros (already parsed) and lists (already expanded). */
export interface Scope {
  /** `within` is the macro whose body holds the reference (undefined at the top level). */
  macro(name: string, within: string | undefined): Expr | typeof BROKEN_MACRO | undefined;
  list(name: string): readonly ListElement[] | undefined;
}

export interface ResolveHooks {
  readonly onMacro?: (name: string) => void;
  readonly onList?: (name: string) => void;
}

/**
 * A list item as written in YAML is filter text: `"(systemd)"` (with the quotes) is the value
 * `(systemd)`. Falco splices items into the condition text, so quoting rules are the parser's.
 */
export function listElement(raw: string): ListElement {
  const first = raw[0];
  if ((first === '"' || first === "'") && raw.length >= 2 && raw[raw.length - 1] === first) {
    const value = unquote(raw);
    if (typeof value === 'string') return { value, quoted: true };
  }
  return { value: raw, quoted: false };
}

/**
 * Inlines macros and expands list names inside list values, giving a tree with only checks,
 * `and`, `or` and `not`. Macro cycles and unknown names are errors at the reference.
 */
export function resolveExpr(expr: Expr, scope: Scope, hooks: ResolveHooks = {}): Expr {
  return new Resolver(scope, hooks).expr(expr, []);
}

/**
 * Macros inlined into macros can double a condition at each level; past this many nodes the
 * condition is rejected rather than built (a hostile rules file must not exhaust memory).
 */
const MAX_NODES = 1_000_000;

class Resolver {
  private nodes = 0;

  constructor(
    private readonly scope: Scope,
    private readonly hooks: ResolveHooks,
  ) {}

  expr(e: Expr, stack: readonly string[]): Expr {
    if (++this.nodes > MAX_NODES) {
      throw new FilterError(
        `the condition expands to more than ${MAX_NODES} checks through its macros`,
        e.at,
        'macro-cycle',
      );
    }
    switch (e.kind) {
      case 'and':
      case 'or':
        return { ...e, children: e.children.map((c) => this.expr(c, stack)) };
      case 'not':
        return { ...e, child: this.expr(e.child, stack) };
      case 'macro': {
        if (stack.includes(e.name)) {
          const cycle = [...stack, e.name].join(' → ');
          throw new FilterError(`macro '${e.name}' refers to itself (${cycle})`, e.at, 'macro-cycle');
        }
        const body = this.scope.macro(e.name, stack[stack.length - 1]);
        if (body === undefined) throw new FilterError(`undefined macro '${e.name}'`, e.at, 'undefined-macro');
        if (body === BROKEN_MACRO) {
          throw new FilterError(
            `macro '${e.name}' has errors (reported for the macro)`,
            e.at,
            'undefined-macro',
          );
        }
        this.hooks.onMacro?.(e.name);
        return this.expr(body, [...stack, e.name]);
      }
      case 'check':
        return e.right === undefined ? e : { ...e, right: this.right(e.right) };
    }
  }

  private right(r: RightOperand): RightOperand {
    if (r.kind === 'listref') {
      const items = this.scope.list(r.name);
      if (items === undefined) throw new FilterError(`undefined list '${r.name}'`, r.at, 'undefined-list');
      this.hooks.onList?.(r.name);
      return { kind: 'list', items: items.map((i) => ({ ...i, at: r.at })), at: r.at };
    }
    if (r.kind === 'list') return this.expandList(r);
    return r;
  }

  private expandList(list: ListValue): ListValue {
    const items: { value: string; quoted: boolean; at: Loc }[] = [];
    let changed = false;
    for (const item of list.items) {
      const named = item.quoted ? undefined : this.scope.list(item.value);
      if (named === undefined) {
        items.push(item);
        continue;
      }
      changed = true;
      this.hooks.onList?.(item.value);
      for (const el of named) items.push({ ...el, at: item.at });
    }
    return changed ? { ...list, items } : list;
  }
}
