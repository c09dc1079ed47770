import type { Node } from 'yaml';
import type { FilePosition } from '../ast.js';
import type { Priority } from '../priority.js';
import type { TextPiece } from '../source.js';
import type { YamlFile } from './yaml-file.js';

/**
 * Everything read from the rules files, before compilation: lists, macros and rules with the
 * definitions, appends and overrides applied in file order, as Falco's rule collector does.
 */

export class ItemError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly at: FilePosition,
  ) {
    super(message);
    this.name = 'ItemError';
  }
}

/** An exception property: a string or a (nested) list of them, with its YAML node. */
export type ExceptionEntry =
  | { readonly kind: 'scalar'; readonly text: string; readonly file: YamlFile; readonly node: Node }
  | {
      readonly kind: 'list';
      readonly items: readonly ExceptionEntry[];
      readonly file: YamlFile;
      readonly node: Node;
    };

export interface ExceptionInfo {
  readonly name: string;
  readonly at: FilePosition;
  fields?: ExceptionEntry;
  comps?: ExceptionEntry;
  values: ExceptionEntry[];
}

interface Ordered {
  /** Position of the first definition: redefinitions keep it. */
  index: number;
  /** Id of the last definition or append: macros and lists see only items defined before it. */
  visibility: number;
}

export interface ListInfo extends Ordered {
  readonly name: string;
  items: string[];
  at: FilePosition;
}

export interface MacroInfo extends Ordered {
  readonly name: string;
  condition: TextPiece[];
  at: FilePosition;
}

export interface RuleInfo extends Ordered {
  readonly name: string;
  at: FilePosition;
  condition: TextPiece[];
  output: TextPiece[];
  outputAt: FilePosition;
  desc: string;
  priority: Priority;
  tags: Set<string>;
  source: string;
  enabled: boolean;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  exceptions: ExceptionInfo[];
  unknownSource: boolean;
}

/** The parts of a rule an append or override touches. */
export interface RuleUpdate {
  readonly name: string;
  readonly at: FilePosition;
  condition?: TextPiece;
  output?: TextPiece;
  desc?: string;
  tags?: Set<string>;
  exceptions?: ExceptionInfo[];
  priority?: Priority;
  enabled?: boolean;
  warnEvttypes?: boolean;
  skipIfUnknownFilter?: boolean;
}

const hasAnyValue = (u: RuleUpdate): boolean =>
  u.condition !== undefined ||
  u.output !== undefined ||
  u.desc !== undefined ||
  u.tags !== undefined ||
  u.exceptions !== undefined ||
  u.priority !== undefined ||
  u.enabled !== undefined ||
  u.warnEvttypes !== undefined ||
  u.skipIfUnknownFilter !== undefined;

export class Collector {
  readonly lists = new Map<string, ListInfo>();
  readonly macros = new Map<string, MacroInfo>();
  readonly rules = new Map<string, RuleInfo>();
  private next = 0;

  /** Checks an exception before it joins a rule (fields and comps); throws ItemError. */
  constructor(private readonly validateException: (ex: ExceptionInfo) => void) {}

  private define<T extends Ordered & { name: string }>(map: Map<string, T>, info: T): void {
    const id = this.next++;
    const prev = map.get(info.name);
    info.index = prev?.index ?? id;
    info.visibility = id;
    map.set(info.name, info);
  }

  defineList(info: ListInfo): void {
    this.define(this.lists, info);
  }

  appendList(name: string, items: readonly string[], at: FilePosition): void {
    const prev = this.lists.get(name);
    if (prev === undefined) {
      throw new ItemError(
        'no-previous-item',
        "list has 'append' but no list by that name is defined before",
        at,
      );
    }
    prev.items.push(...items);
    prev.visibility = this.next++;
  }

  defineMacro(info: MacroInfo): void {
    this.define(this.macros, info);
  }

  appendMacro(name: string, condition: TextPiece, at: FilePosition): void {
    const prev = this.macros.get(name);
    if (prev === undefined) {
      throw new ItemError(
        'no-previous-item',
        "macro has 'append' but no macro by that name is defined before",
        at,
      );
    }
    prev.condition.push(condition);
    prev.visibility = this.next++;
  }

  defineRule(info: RuleInfo): void {
    const prev = this.rules.get(info.name);
    if (prev !== undefined && prev.source !== info.source) {
      throw new ItemError(
        'source-mismatch',
        `rule is redefined with source '${info.source}' instead of '${prev.source}'`,
        info.at,
      );
    }
    if (!info.unknownSource) for (const ex of info.exceptions) this.validateException(ex);
    this.define(this.rules, info);
  }

  /** `enabled: false` alone on a rule name: switch an existing rule off (or on). */
  enableRule(name: string, enabled: boolean, at: FilePosition): void {
    const prev = this.rules.get(name);
    if (prev === undefined) {
      throw new ItemError(
        'no-previous-item',
        "rule has only 'enabled' but no rule by that name is defined before",
        at,
      );
    }
    prev.enabled = enabled;
  }

  appendRule(update: RuleUpdate): void {
    const prev = this.rules.get(update.name);
    if (prev === undefined) {
      throw new ItemError('no-previous-item', 'rule appends to a rule that is not defined before', update.at);
    }
    if (!hasAnyValue(update)) {
      throw new ItemError(
        'empty-append',
        'an appended rule needs a condition or exceptions to append',
        update.at,
      );
    }
    if (update.condition !== undefined && update.condition.text.length > 0)
      prev.condition.push(update.condition);
    if (update.output !== undefined && update.output.text.length > 0) prev.output.push(update.output);
    if (update.desc !== undefined && update.desc.length > 0) prev.desc = `${prev.desc} ${update.desc}`;
    if (update.tags !== undefined) for (const t of update.tags) prev.tags.add(t);
    for (const ex of update.exceptions ?? []) {
      const existing = prev.exceptions.find((e) => e.name === ex.name);
      if (existing === undefined) {
        if (ex.fields === undefined) {
          throw new ItemError('invalid-exception', `new exception '${ex.name}' needs 'fields'`, ex.at);
        }
        if (ex.values.length === 0) {
          throw new ItemError('invalid-exception', `new exception '${ex.name}' needs 'values'`, ex.at);
        }
        if (!prev.unknownSource) this.validateException(ex);
        prev.exceptions.push(ex);
      } else {
        if (ex.fields !== undefined || ex.comps !== undefined) {
          throw new ItemError(
            'invalid-exception',
            `exception '${ex.name}' exists: only its values can be appended, not fields or comps`,
            ex.at,
          );
        }
        existing.values.push(...ex.values);
      }
    }
    prev.visibility = this.next++;
  }

  replaceRule(update: RuleUpdate): void {
    const prev = this.rules.get(update.name);
    if (prev === undefined) {
      throw new ItemError('no-previous-item', 'rule overrides a rule that is not defined before', update.at);
    }
    if (!hasAnyValue(update)) {
      throw new ItemError(
        'empty-override',
        'an overriding rule needs at least one property to replace',
        update.at,
      );
    }
    if (update.condition !== undefined) prev.condition = [update.condition];
    if (update.output !== undefined) prev.output = [update.output];
    if (update.desc !== undefined) prev.desc = update.desc;
    if (update.tags !== undefined) prev.tags = update.tags;
    if (update.exceptions !== undefined) {
      if (!prev.unknownSource) for (const ex of update.exceptions) this.validateException(ex);
      prev.exceptions = update.exceptions;
    }
    if (update.priority !== undefined) prev.priority = update.priority;
    if (update.enabled !== undefined) prev.enabled = update.enabled;
    if (update.warnEvttypes !== undefined) prev.warnEvttypes = update.warnEvttypes;
    if (update.skipIfUnknownFilter !== undefined) prev.skipIfUnknownFilter = update.skipIfUnknownFilter;
    prev.visibility = this.next++;
  }
}
