import type {
  CheckExpr,
  Expr,
  FieldOperand,
  ListValue,
  Loc,
  Operator,
  RightOperand,
  SourceText,
} from '../ast.js';
import { bindOperand, compileExpr, type Filter } from '../compile.js';
import { type EventTypeSet, eventTypesOf } from '../evttypes.js';
import type { FieldContext } from '../fields/field.js';
import { FilterError } from '../filter-error.js';
import { type OutputTemplate, parseOutput } from '../output.js';
import { OPERATORS, parseCondition, parseFieldOperand, parseListText } from '../parser.js';
import type { Priority } from '../priority.js';
import { BROKEN_MACRO, type ListElement, listElement, resolveExpr, type Scope } from '../resolve.js';
import { joinPieces } from '../source.js';
import type { Collector, ExceptionEntry, ExceptionInfo, ListInfo, MacroInfo, RuleInfo } from './collector.js';
import { ItemError } from './collector.js';
import type { MessageSink } from './messages.js';

/** A rule ready to run: its condition compiled to a closure, its output template bound. */
export interface LoadedRule {
  readonly name: string;
  readonly desc: string;
  readonly priority: Priority;
  readonly tags: readonly string[];
  readonly source: string;
  readonly enabled: boolean;
  /** The condition with macros inlined, lists expanded and exceptions applied. */
  readonly condition: Expr;
  readonly filter: Filter;
  readonly output: OutputTemplate;
  readonly eventTypes: EventTypeSet;
  readonly file: string;
  readonly line: number;
}

export interface BuildOptions {
  readonly ctx: FieldContext;
  /** Appended to every rule output that does not already show the container (Falco's suggested fields). */
  readonly appendOutput?: string;
}

const LIST_OPERATORS: ReadonlySet<string> = new Set(['in', 'intersects', 'pmatch']);
/** Lists of lists can multiply; a hostile file must not make one list exhaust memory. */
const MAX_LIST_ITEMS = 100_000;
const UNKNOWN_FILTER_CODES: ReadonlySet<string> = new Set(['unknown-field', 'unknown-event-type']);

/** Checks an exception's fields and comps as soon as it joins a rule. */
export function exceptionValidator(ctx: FieldContext): (ex: ExceptionInfo) => void {
  return (ex) => {
    const fields = ex.fields;
    if (fields === undefined)
      throw new ItemError('invalid-exception', `exception '${ex.name}' needs 'fields'`, ex.at);
    const checkField = (entry: ExceptionEntry): void => {
      if (entry.kind !== 'scalar') {
        throw new ItemError(
          'invalid-exception',
          `fields of exception '${ex.name}' must be field names`,
          entry.file.nodePosition(entry.node),
        );
      }
      try {
        bindOperand(parseFieldOperand(entry.file.source(entry.node, 'exception', ex.name)), ctx);
      } catch (err) {
        if (!(err instanceof FilterError)) throw err;
        const message = `'${entry.text}' is not a supported filter field: ${err.message}`;
        throw new ItemError('invalid-exception', message, entry.file.nodePosition(entry.node));
      }
    };
    const checkComp = (entry: ExceptionEntry): void => {
      if (entry.kind !== 'scalar' || !(OPERATORS as readonly string[]).includes(entry.text)) {
        const text = entry.kind === 'scalar' ? entry.text : '[...]';
        throw new ItemError(
          'invalid-exception',
          `'${text}' is not a supported comparison operator`,
          entry.file.nodePosition(entry.node),
        );
      }
    };
    if (fields.kind === 'list') {
      const comps = ex.comps;
      if (comps !== undefined && (comps.kind !== 'list' || comps.items.length !== fields.items.length)) {
        throw new ItemError(
          'invalid-exception',
          `fields and comps of exception '${ex.name}' must be lists of equal length`,
          ex.at,
        );
      }
      fields.items.forEach(checkField);
      if (comps?.kind === 'list') comps.items.forEach(checkComp);
    } else {
      const comps = ex.comps;
      if (comps !== undefined) {
        if (comps.kind !== 'scalar') {
          throw new ItemError(
            'invalid-exception',
            `fields and comps of exception '${ex.name}' must both be strings`,
            ex.at,
          );
        }
        if (!LIST_OPERATORS.has(comps.text)) {
          throw new ItemError(
            'invalid-exception',
            'when fields is a single field, comps must be one of (in, pmatch, intersects)',
            comps.file.nodePosition(comps.node),
          );
        }
      }
      checkField(fields);
    }
  };
}

export class RuleSetBuilder {
  private readonly expandedLists = new Map<string, ListElement[]>();
  private readonly macroBodies = new Map<string, Expr | typeof BROKEN_MACRO>();
  private readonly usedMacros = new Set<string>();
  private readonly usedLists = new Set<string>();

  constructor(
    private readonly collector: Collector,
    private readonly sink: MessageSink,
    private readonly opts: BuildOptions,
  ) {}

  build(): LoadedRule[] {
    for (const list of this.collector.lists.values()) {
      try {
        this.expandList(list, new Set());
      } catch (err) {
        if (!(err instanceof ItemError)) throw err;
        this.expandedLists.set(list.name, []);
        this.sink.error(err.code, err.message, err.at, { kind: 'list', name: list.name });
      }
    }
    for (const macro of this.collector.macros.values()) this.parseMacro(macro);
    for (const macro of this.collector.macros.values()) this.checkMacro(macro);
    const rules: LoadedRule[] = [];
    const ordered = [...this.collector.rules.values()].sort((a, b) => a.index - b.index);
    for (const rule of ordered) {
      if (rule.unknownSource) continue;
      const loaded = this.buildRule(rule);
      if (loaded !== undefined) rules.push(loaded);
    }
    this.reportUnused();
    return rules;
  }

  /** The valid macros and expanded lists, for conditions compiled after loading. */
  definitions(): {
    macro(name: string): Expr | undefined;
    list(name: string): readonly ListElement[] | undefined;
  } {
    return {
      macro: (name) => {
        const body = this.macroBodies.get(name);
        return body === BROKEN_MACRO ? undefined : body;
      },
      list: (name) => this.expandedLists.get(name),
    };
  }

  /** List items naming an earlier list are replaced by its items, recursively. */
  private expandList(list: ListInfo, visiting: Set<string>): ListElement[] {
    const done = this.expandedLists.get(list.name);
    if (done !== undefined) return done;
    visiting.add(list.name);
    const out: ListElement[] = [];
    for (const raw of list.items) {
      const ref = this.collector.lists.get(raw);
      if (ref !== undefined && ref.index < list.visibility && !visiting.has(ref.name)) {
        this.usedLists.add(ref.name);
        out.push(...this.expandList(ref, visiting));
      } else {
        out.push(listElement(raw));
      }
      if (out.length > MAX_LIST_ITEMS) {
        throw new ItemError('list-too-large', `list expands to more than ${MAX_LIST_ITEMS} items`, list.at);
      }
    }
    visiting.delete(list.name);
    this.expandedLists.set(list.name, out);
    return out;
  }

  private parseMacro(macro: MacroInfo): void {
    try {
      this.macroBodies.set(macro.name, parseCondition(joinPieces(macro.condition, 'macro', macro.name)));
    } catch (err) {
      this.macroBodies.set(macro.name, BROKEN_MACRO);
      this.reportFilterError(err, { kind: 'macro', name: macro.name });
    }
  }

  /** Macros see the macros defined before them; conditions of rules see all lists. */
  private scope(): Scope {
    return {
      macro: (name, within) => {
        const target = this.collector.macros.get(name);
        if (target === undefined) return undefined;
        if (within !== undefined) {
          const holder = this.collector.macros.get(within);
          if (holder !== undefined && target.index >= holder.visibility) return undefined;
        }
        return this.macroBodies.get(name);
      },
      list: (name) => this.expandedLists.get(name),
    };
  }

  private hooks() {
    return {
      onMacro: (name: string) => this.usedMacros.add(name),
      onList: (name: string) => this.usedLists.add(name),
    };
  }

  /** Resolves each macro on its own, so undefined references are reported even in unused macros. */
  private checkMacro(macro: MacroInfo): void {
    const body = this.macroBodies.get(macro.name);
    if (body === undefined || body === BROKEN_MACRO) return;
    const scope = this.scope();
    const own: Scope = { macro: (name, within) => scope.macro(name, within ?? macro.name), list: scope.list };
    try {
      resolveExpr(body, own, this.hooks());
    } catch (err) {
      this.macroBodies.set(macro.name, BROKEN_MACRO);
      this.reportFilterError(err, { kind: 'macro', name: macro.name });
    }
  }

  private buildRule(rule: RuleInfo): LoadedRule | undefined {
    const item = { kind: 'rule', name: rule.name };
    const warnings: { message: string; at: Loc }[] = [];
    try {
      let condition = parseCondition(joinPieces(rule.condition, 'rule', rule.name));
      const exceptions = rule.exceptions
        .map((ex) => this.exceptionExpr(ex))
        .filter((e): e is Expr => e !== undefined);
      if (exceptions.length > 0) {
        const at = condition.at;
        condition = {
          kind: 'and',
          at,
          children: [condition, ...exceptions.map((child): Expr => ({ kind: 'not', at, child }))],
        };
      }
      const resolved = resolveExpr(condition, this.scope(), this.hooks());
      const filter = compileExpr(resolved, {
        ctx: this.opts.ctx,
        warn: (message, at) => warnings.push({ message, at }),
      });
      const output = parseOutput(this.outputSource(rule), this.opts.ctx);
      const eventTypes = eventTypesOf(resolved);
      for (const w of warnings)
        this.sink.warning('unsafe-na-check', w.message, w.at.src.locate(w.at.offset), item);
      if (rule.warnEvttypes && (eventTypes.complement || eventTypes.knownSize > 100)) {
        this.sink.warning(
          'no-event-type',
          'rule matches too many event types (no evt.type restriction): it runs on every event, which is slow',
          rule.at,
          item,
        );
      }
      return {
        name: rule.name,
        desc: rule.desc,
        priority: rule.priority,
        tags: [...rule.tags].sort(),
        source: rule.source,
        enabled: rule.enabled,
        condition: resolved,
        filter,
        output,
        eventTypes,
        file: rule.at.file,
        line: rule.at.line,
      };
    } catch (err) {
      if (err instanceof FilterError && rule.skipIfUnknownFilter && UNKNOWN_FILTER_CODES.has(err.code)) {
        this.sink.warning(
          'unknown-filter-skipped',
          `${err.message}: rule skipped (skip-if-unknown-filter)`,
          err.at.src.locate(err.at.offset),
          item,
        );
        return undefined;
      }
      if (err instanceof ItemError) {
        this.sink.error(err.code, err.message, err.at, item);
        return undefined;
      }
      this.reportFilterError(err, item);
      return undefined;
    }
  }

  private outputSource(rule: RuleInfo): SourceText {
    const src = joinPieces(rule.output, 'output', rule.name);
    const extra = this.opts.appendOutput;
    if (extra === undefined || extra.length === 0 || /%container\.(id|info)\b/.test(src.text)) return src;
    const base = src.text.length;
    return {
      ...src,
      text: `${src.text} ${extra}`,
      locate: (offset) => src.locate(Math.min(offset, base)),
    };
  }

  private reportFilterError(err: unknown, item: { kind: string; name: string }): void {
    if (!(err instanceof FilterError)) throw err;
    const where =
      err.at.src.itemKind === 'macro' && item.kind !== 'macro' ? ` (in macro '${err.at.src.itemName}')` : '';
    this.sink.error(err.code, `${err.message}${where}`, err.at.src.locate(err.at.offset), item);
  }

  // -------------------------------------------------------------------------------------------
  // Exceptions, built as Falco does: `and not ((f1 c1 v1 and f2 c2 v2) or (...))` per exception.

  private exceptionExpr(ex: ExceptionInfo): Expr | undefined {
    const fields = ex.fields as ExceptionEntry;
    if (fields.kind === 'scalar') {
      const op = (ex.comps?.kind === 'scalar' ? ex.comps.text : 'in') as Operator;
      const items = ex.values.map((v) => {
        if (v.kind !== 'scalar') {
          throw new ItemError(
            'invalid-exception',
            `values of exception '${ex.name}' must be strings when fields is a single field`,
            v.file.nodePosition(v.node),
          );
        }
        return { ...exceptionValue(v.text), at: entryLoc(v, ex.name) };
      });
      if (items.length === 0) return undefined;
      const left = fieldOf(fields, ex.name);
      const list: ListValue = { kind: 'list', items, at: left.at };
      return { kind: 'check', left, op, right: list, at: left.at };
    }
    const comps =
      ex.comps?.kind === 'list'
        ? ex.comps.items.map((c) => (c as { text: string }).text)
        : fields.items.map(() => '=');
    const alternatives: Expr[] = [];
    for (const tuple of ex.values) {
      if (tuple.kind !== 'list' || tuple.items.length !== fields.items.length) {
        throw new ItemError(
          'invalid-exception',
          `each value of exception '${ex.name}' must be a list with one entry per field (${fields.items.length})`,
          tuple.file.nodePosition(tuple.node),
        );
      }
      const checks: Expr[] = fields.items.map((f, k) => {
        const left = fieldOf(f, ex.name);
        const op = comps[k] as Operator;
        const value = tuple.items[k] as ExceptionEntry;
        const check: CheckExpr =
          op === 'exists'
            ? { kind: 'check', left, op, at: left.at }
            : { kind: 'check', left, op, right: this.exceptionOperand(value, op, ex.name), at: left.at };
        return check;
      });
      const at = (checks[0] as Expr).at;
      alternatives.push(checks.length === 1 ? (checks[0] as Expr) : { kind: 'and', children: checks, at });
    }
    if (alternatives.length === 0) return undefined;
    return alternatives.length === 1
      ? alternatives[0]
      : { kind: 'or', children: alternatives, at: (alternatives[0] as Expr).at };
  }

  private exceptionOperand(value: ExceptionEntry, op: Operator, exName: string): RightOperand {
    const at = entryLoc(value, exName);
    if (value.kind === 'list') {
      const items = value.items.map((v) => {
        if (v.kind !== 'scalar') {
          throw new ItemError(
            'invalid-exception',
            'exception values may nest lists only one level deep',
            v.file.nodePosition(v.node),
          );
        }
        return { ...exceptionValue(v.text), at: entryLoc(v, exName) };
      });
      return { kind: 'list', items, at };
    }
    if (LIST_OPERATORS.has(op)) {
      if (value.text.trimStart().startsWith('('))
        return parseListText(value.file.source(value.node, 'exception', exName));
      return { kind: 'list', items: [{ ...exceptionValue(value.text), at }], at };
    }
    return { kind: 'value', ...exceptionValue(value.text), at };
  }

  private reportUnused(): void {
    for (const macro of this.collector.macros.values()) {
      if (!this.usedMacros.has(macro.name)) {
        this.sink.warning('unused-macro', 'macro is not used by any rule or macro', macro.at, {
          kind: 'macro',
          name: macro.name,
        });
      }
    }
    for (const list of this.collector.lists.values()) {
      if (!this.usedLists.has(list.name)) {
        this.sink.warning('unused-list', 'list is not used by any rule, macro or list', list.at, {
          kind: 'list',
          name: list.name,
        });
      }
    }
  }
}

/** Falco quotes exception values containing spaces, so they are never taken for list names. */
function exceptionValue(raw: string): ListElement {
  if (raw.includes(' ') && raw[0] !== '"' && raw[0] !== "'") return { value: raw, quoted: true };
  return listElement(raw);
}

function entryLoc(entry: ExceptionEntry, exName: string): Loc {
  return { src: entry.file.source(entry.node, 'exception', exName), offset: 0 };
}

function fieldOf(entry: ExceptionEntry, exName: string): FieldOperand {
  return parseFieldOperand(entry.file.source(entry.node, 'exception', exName));
}
