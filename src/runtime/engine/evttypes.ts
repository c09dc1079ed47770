import { META_EVENT_NAMES, SYSCALL_ALIASES, SYSCALL_NAMES } from '../event/linux.js';
import type { Expr, RightOperand } from './ast.js';

/** Every event type a rule may name in `evt.type` checks. */
export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set([
  ...SYSCALL_NAMES,
  ...SYSCALL_ALIASES,
  ...META_EVENT_NAMES,
]);

/**
 * A set of event types that may be "all types except some": rules without an `evt.type`
 * restriction (or with `evt.type != x`) match nearly everything.
 */
export class EventTypeSet {
  private constructor(
    /** When true, `types` lists the excluded types. */
    readonly complement: boolean,
    readonly types: ReadonlySet<string>,
  ) {}

  static readonly ALL = new EventTypeSet(true, new Set());
  static readonly NONE = new EventTypeSet(false, new Set());

  static of(types: Iterable<string>): EventTypeSet {
    return new EventTypeSet(false, new Set(types));
  }

  has(type: string): boolean {
    return this.types.has(type) !== this.complement;
  }

  /** Number of known event types in the set (for the "matches too many types" warning). */
  get knownSize(): number {
    if (!this.complement) return this.types.size;
    let excluded = 0;
    for (const t of this.types) if (KNOWN_EVENT_TYPES.has(t)) excluded++;
    return KNOWN_EVENT_TYPES.size - excluded;
  }

  invert(): EventTypeSet {
    return new EventTypeSet(!this.complement, this.types);
  }

  union(other: EventTypeSet): EventTypeSet {
    if (!this.complement && !other.complement)
      return new EventTypeSet(false, new Set([...this.types, ...other.types]));
    if (this.complement && other.complement) {
      return new EventTypeSet(true, new Set([...this.types].filter((t) => other.types.has(t))));
    }
    const [pos, neg] = this.complement ? [other, this] : [this, other];
    return new EventTypeSet(true, new Set([...neg.types].filter((t) => !pos.types.has(t))));
  }

  intersect(other: EventTypeSet): EventTypeSet {
    return this.invert().union(other.invert()).invert();
  }

  /** The listed types, when the set is finite. */
  list(): readonly string[] | undefined {
    return this.complement ? undefined : [...this.types].sort();
  }
}

interface Bounds {
  /** Types for which the expression may be true. */
  readonly pos: EventTypeSet;
  /** Types for which the expression may be false. */
  readonly neg: EventTypeSet;
}

const UNKNOWN: Bounds = { pos: EventTypeSet.ALL, neg: EventTypeSet.ALL };

function literalTypes(right: RightOperand | undefined): EventTypeSet | undefined {
  if (right?.kind === 'value') return EventTypeSet.of([right.value]);
  if (right?.kind === 'list') return EventTypeSet.of(right.items.map((i) => i.value));
  return undefined;
}

function bounds(e: Expr): Bounds {
  switch (e.kind) {
    case 'not': {
      const b = bounds(e.child);
      return { pos: b.neg, neg: b.pos };
    }
    case 'and':
    case 'or': {
      const parts = e.children.map(bounds);
      const first = parts[0] as Bounds;
      let { pos, neg } = first;
      for (const b of parts.slice(1)) {
        pos = e.kind === 'and' ? pos.intersect(b.pos) : pos.union(b.pos);
        neg = e.kind === 'and' ? neg.union(b.neg) : neg.intersect(b.neg);
      }
      return { pos, neg };
    }
    case 'check': {
      if (e.left.kind !== 'field' || e.left.name !== 'evt.type' || e.left.arg !== undefined) return UNKNOWN;
      const types = literalTypes(e.right);
      if (types === undefined) return UNKNOWN;
      if (e.op === '=' || e.op === '==' || e.op === 'in' || e.op === 'intersects') {
        return { pos: types, neg: types.invert() };
      }
      if (e.op === '!=') return { pos: types.invert(), neg: types };
      return UNKNOWN;
    }
    case 'macro':
      return UNKNOWN;
  }
}

/**
 * The event types a (resolved) condition can match, derived like Falco does: from the
 * `evt.type` checks it contains, through `and`, `or` and `not`.
 */
export function eventTypesOf(e: Expr): EventTypeSet {
  return bounds(e).pos;
}
