import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { FilePosition } from '../ast.js';
import { type Priority, parsePriority } from '../priority.js';
import type { TextPiece } from '../source.js';
import {
  type Collector,
  type ExceptionEntry,
  type ExceptionInfo,
  ItemError,
  type RuleUpdate,
} from './collector.js';
import type { MessageSink } from './messages.js';
import type { YamlFile } from './yaml-file.js';

/**
 * Reads the items of one rules file into the collector, validating their shape the way
 * Falco's rule reader does. Problems in one item are reported and the next item is read.
 */

/** The engine version rules may require (`required_engine_version`). */
export const ENGINE_VERSION = { major: 0, minor: 57, patch: 0 } as const;
export const ENGINE_VERSION_TEXT = `${ENGINE_VERSION.major}.${ENGINE_VERSION.minor}.${ENGINE_VERSION.patch}`;

/** Plugins whose fields Cerana provides itself. */
const PROVIDED_PLUGINS = new Set(['container']);

const LIST_NAME_RE = /^[^()"'\s=,]+$/;
const MACRO_NAME_RE = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;

const KNOWN_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  list: new Set(['list', 'items', 'append', 'override']),
  macro: new Set(['macro', 'condition', 'append', 'override']),
  rule: new Set([
    'rule',
    'condition',
    'output',
    'desc',
    'priority',
    'tags',
    'enabled',
    'source',
    'exceptions',
    'append',
    'override',
    'warn_evttypes',
    'skip-if-unknown-filter',
    'capture',
    'capture_duration',
  ]),
};

const RULE_APPENDABLE = new Set(['condition', 'output', 'desc', 'tags', 'exceptions']);
const RULE_REPLACEABLE = new Set([
  'condition',
  'output',
  'desc',
  'priority',
  'tags',
  'exceptions',
  'enabled',
  'warn_evttypes',
  'skip-if-unknown-filter',
]);

const OVERRIDE_WITH_APPEND =
  "'override' and 'append: true' cannot be used together: add an 'append' entry under 'override' instead";

export interface ReaderContext {
  readonly collector: Collector;
  readonly sink: MessageSink;
  /** Sources the engine evaluates; rules for other sources are skipped with a warning. */
  readonly sources: ReadonlySet<string>;
}

interface Item {
  readonly kind: string;
  readonly name?: string;
}

export function readRulesFile(file: YamlFile, rc: ReaderContext): void {
  for (const doc of file.documents) {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const at = file.position(err.pos[0]);
        rc.sink.error('yaml-syntax', firstLine(err.message), at);
      }
      return;
    }
  }
  for (const doc of file.documents) {
    const root = doc.contents;
    if (root === null || (isScalar(root) && (root.value === '' || root.value === null))) continue;
    if (!isSeq(root)) {
      rc.sink.error(
        'invalid-file',
        'rules content must be a YAML sequence of items (- rule: ..., - macro: ...)',
        file.nodePosition(root),
      );
      return;
    }
    for (const raw of root.items) {
      const node = file.deref(raw);
      if (node === undefined || (isScalar(node) && (node.value === '' || node.value === null))) continue;
      new ItemReader(file, rc).read(node);
    }
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

class ItemReader {
  constructor(
    private readonly file: YamlFile,
    private readonly rc: ReaderContext,
  ) {}

  read(node: Node): void {
    let item: Item = { kind: 'item' };
    try {
      if (!isMap(node)) {
        throw new ItemError(
          'invalid-item',
          'each item must be a mapping (rule, macro, list...)',
          this.file.nodePosition(node),
        );
      }
      const has = (key: string) => this.file.get(node, key) !== undefined;
      if (has('required_engine_version')) {
        item = { kind: 'required_engine_version' };
        this.engineVersion(node);
      } else if (has('required_plugin_versions')) {
        item = { kind: 'required_plugin_versions' };
        this.pluginVersions(node);
      } else if (has('list')) {
        item = { kind: 'list', name: this.requireScalar(node, 'list') };
        this.list(node, item);
      } else if (has('macro')) {
        item = { kind: 'macro', name: this.requireScalar(node, 'macro') };
        this.macro(node, item);
      } else if (has('rule')) {
        item = { kind: 'rule', name: this.requireScalar(node, 'rule') };
        this.rule(node, item);
      } else {
        this.rc.sink.warning(
          'unknown-item',
          'unknown top-level item (expected rule, macro, list, required_engine_version or required_plugin_versions)',
          this.file.nodePosition(node),
        );
      }
    } catch (err) {
      if (!(err instanceof ItemError)) throw err;
      this.rc.sink.error(err.code, err.message, err.at, item);
    }
  }

  private pos(node: Node | undefined): FilePosition {
    return this.file.nodePosition(node);
  }

  private warnUnknownKeys(map: YAMLMap, item: Item): void {
    const known = KNOWN_KEYS[item.kind];
    if (known === undefined) return;
    for (const { key, node } of this.file.keys(map)) {
      if (!known.has(key)) this.rc.sink.warning('unknown-key', `unknown key '${key}'`, this.pos(node), item);
    }
  }

  private requireScalar(map: YAMLMap, key: string): string {
    const node = this.file.get(map, key);
    if (node === undefined) throw new ItemError('missing-key', `missing '${key}'`, this.pos(map));
    const text = this.file.scalar(node);
    if (text === undefined) throw new ItemError('invalid-value', `'${key}' must be a string`, this.pos(node));
    if (text.trim().length === 0)
      throw new ItemError('invalid-value', `'${key}' must not be empty`, this.pos(node));
    return text;
  }

  private optionalBool(map: YAMLMap, key: string): boolean | undefined {
    const node = this.file.get(map, key);
    if (node === undefined) return undefined;
    const text = this.file.scalar(node)?.trim().toLowerCase();
    if (text === 'true' || text === 'yes' || text === 'on') return true;
    if (text === 'false' || text === 'no' || text === 'off') return false;
    throw new ItemError('invalid-value', `'${key}' must be true or false`, this.pos(node));
  }

  private piece(map: YAMLMap, key: string): TextPiece {
    const node = this.file.get(map, key) as Node;
    return this.file.piece(node);
  }

  private scalarSequence(map: YAMLMap, key: string): string[] {
    const node = this.file.get(map, key);
    if (node === undefined) throw new ItemError('missing-key', `missing '${key}'`, this.pos(map));
    if (isScalar(node) && (node.value === '' || node.value === null)) {
      throw new ItemError('invalid-value', `'${key}' must be a sequence`, this.pos(node));
    }
    if (!isSeq(node)) throw new ItemError('invalid-value', `'${key}' must be a sequence`, this.pos(node));
    return node.items.map((raw) => {
      const v = this.file.deref(raw);
      const text = this.file.scalar(v);
      if (text === undefined)
        throw new ItemError('invalid-value', `'${key}' entries must be strings`, this.pos(v));
      return text;
    });
  }

  private tags(map: YAMLMap): Set<string> | undefined {
    return this.file.get(map, 'tags') === undefined ? undefined : new Set(this.scalarSequence(map, 'tags'));
  }

  private priority(map: YAMLMap): Priority {
    const text = this.requireScalar(map, 'priority');
    const p = parsePriority(text);
    if (p === undefined) {
      throw new ItemError(
        'invalid-priority',
        `invalid priority '${text.trim()}' (one of emergency, alert, critical, error, warning, notice, informational, debug)`,
        this.pos(this.file.get(map, 'priority')),
      );
    }
    return p;
  }

  /** The `override:` mapping, split into keys to append and keys to replace. */
  private overrides(map: YAMLMap, appendable: ReadonlySet<string>, replaceable: ReadonlySet<string>) {
    const append = new Set<string>();
    const replace = new Set<string>();
    const node = this.file.get(map, 'override');
    if (node === undefined) return { append, replace };
    if (!isMap(node))
      throw new ItemError(
        'invalid-override',
        "'override' must be a mapping of key: append|replace",
        this.pos(node),
      );
    for (const { key, node: keyNode } of this.file.keys(node)) {
      const op = this.file.scalar(this.file.get(node, key))?.trim();
      if (op === 'append') {
        if (!appendable.has(key)) {
          throw new ItemError(
            'invalid-override',
            `key '${key}' cannot be appended to, use 'replace' instead`,
            this.pos(keyNode),
          );
        }
        append.add(key);
      } else if (op === 'replace') {
        if (!replaceable.has(key))
          throw new ItemError('invalid-override', `key '${key}' cannot be replaced`, this.pos(keyNode));
        replace.add(key);
      } else {
        const allowed = [appendable.has(key) ? 'append' : '', replaceable.has(key) ? 'replace' : ''].filter(
          Boolean,
        );
        throw new ItemError(
          'invalid-override',
          `invalid override operation for key '${key}': '${op ?? ''}' (allowed: ${allowed.join(', ') || 'none'})`,
          this.pos(keyNode),
        );
      }
    }
    return { append, replace };
  }

  private engineVersion(map: YAMLMap): void {
    const node = this.file.get(map, 'required_engine_version');
    const text = this.file.scalar(node)?.trim() ?? '';
    let version: [number, number, number] | undefined;
    if (/^[0-9]+$/.test(text)) version = [0, Number(text), 0];
    else {
      const m = /^([0-9]+)\.([0-9]+)\.([0-9]+)$/.exec(text);
      if (m !== null) version = [Number(m[1]), Number(m[2]), Number(m[3])];
    }
    if (version === undefined) {
      throw new ItemError(
        'invalid-version',
        `cannot parse engine version '${text}': expected x.y.z`,
        this.pos(node),
      );
    }
    const [major, minor, patch] = version;
    const ok =
      major === ENGINE_VERSION.major &&
      (minor < ENGINE_VERSION.minor || (minor === ENGINE_VERSION.minor && patch <= ENGINE_VERSION.patch));
    if (!ok) {
      throw new ItemError(
        'engine-version',
        `rules require engine version ${major}.${minor}.${patch}, but this engine is version ${ENGINE_VERSION_TEXT}`,
        this.pos(node),
      );
    }
  }

  private pluginVersions(map: YAMLMap): void {
    const node = this.file.get(map, 'required_plugin_versions');
    if (!isSeq(node))
      throw new ItemError('invalid-value', "'required_plugin_versions' must be a sequence", this.pos(node));
    for (const raw of node.items) {
      const entry = this.file.deref(raw);
      if (!isMap(entry))
        throw new ItemError('invalid-value', 'each plugin requirement must be a mapping', this.pos(entry));
      const names = [this.requireScalar(entry, 'name')];
      this.requireVersion(entry);
      const alternatives = this.file.get(entry, 'alternatives');
      if (alternatives !== undefined) {
        if (!isSeq(alternatives)) {
          throw new ItemError('invalid-value', "'alternatives' must be a sequence", this.pos(alternatives));
        }
        for (const rawAlt of alternatives.items) {
          const alt = this.file.deref(rawAlt);
          if (!isMap(alt))
            throw new ItemError('invalid-value', 'each alternative must be a mapping', this.pos(alt));
          names.push(this.requireScalar(alt, 'name'));
          this.requireVersion(alt);
        }
      }
      if (!names.some((n) => PROVIDED_PLUGINS.has(n))) {
        this.rc.sink.warning(
          'plugin-unavailable',
          `plugin '${names.join("' or '")}' is not available: only 'container' fields are provided; rules needing it will be skipped`,
          this.pos(entry),
          { kind: 'required_plugin_versions' },
        );
      }
    }
  }

  private requireVersion(map: YAMLMap): void {
    const version = this.requireScalar(map, 'version');
    if (!/^[0-9]+\.[0-9]+\.[0-9]+/.test(version.trim())) {
      throw new ItemError(
        'invalid-version',
        `invalid plugin version '${version}'`,
        this.pos(this.file.get(map, 'version')),
      );
    }
  }

  private list(map: YAMLMap, item: Item): void {
    const name = item.name as string;
    const at = this.pos(map);
    if (!LIST_NAME_RE.test(name)) {
      throw new ItemError(
        'invalid-name',
        `invalid list name '${name}': no spaces, quotes, commas, '=' or parentheses`,
        at,
      );
    }
    this.warnUnknownKeys(map, item);
    const items = this.scalarSequence(map, 'items');
    const append = this.legacyAppend(map, item);
    const { append: overAppend, replace } = this.overrides(map, new Set(['items']), new Set(['items']));
    if (append && (overAppend.size > 0 || replace.size > 0))
      throw new ItemError('invalid-override', OVERRIDE_WITH_APPEND, at);
    if (append || overAppend.has('items')) this.rc.collector.appendList(name, items, at);
    else this.rc.collector.defineList({ name, items, at, index: 0, visibility: 0 });
  }

  private macro(map: YAMLMap, item: Item): void {
    const name = item.name as string;
    const at = this.pos(map);
    if (!MACRO_NAME_RE.test(name)) {
      throw new ItemError(
        'invalid-name',
        `invalid macro name '${name}': letters, digits and '_', starting with a letter`,
        at,
      );
    }
    this.warnUnknownKeys(map, item);
    this.requireScalar(map, 'condition');
    const condition = this.piece(map, 'condition');
    const append = this.legacyAppend(map, item);
    const { append: overAppend, replace } = this.overrides(
      map,
      new Set(['condition']),
      new Set(['condition']),
    );
    if (append && (overAppend.size > 0 || replace.size > 0))
      throw new ItemError('invalid-override', OVERRIDE_WITH_APPEND, at);
    if (append || overAppend.has('condition')) this.rc.collector.appendMacro(name, condition, at);
    else this.rc.collector.defineMacro({ name, condition: [condition], at, index: 0, visibility: 0 });
  }

  private legacyAppend(map: YAMLMap, item: Item): boolean {
    const append = this.optionalBool(map, 'append') === true;
    if (append) {
      this.rc.sink.warning(
        'deprecated-append',
        "'append: true' is deprecated: use 'override:' with 'append' for the keys to extend",
        this.pos(this.file.get(map, 'append')),
        item,
      );
    }
    return append;
  }

  private rule(map: YAMLMap, item: Item): void {
    const name = item.name as string;
    const at = this.pos(map);
    this.warnUnknownKeys(map, item);
    const append = this.legacyAppend(map, item);
    const { append: overAppend, replace } = this.overrides(map, RULE_APPENDABLE, RULE_REPLACEABLE);
    const hasOverrides = overAppend.size > 0 || replace.size > 0;
    if (append && hasOverrides) throw new ItemError('invalid-override', OVERRIDE_WITH_APPEND, at);
    const defined = (key: string) => this.file.get(map, key) !== undefined;

    if (hasOverrides) {
      const expected = new Set([...RULE_APPENDABLE, ...RULE_REPLACEABLE].filter(defined));
      for (const [kind, keys] of [
        ['append', overAppend],
        ['replace', replace],
      ] as const) {
        for (const key of keys) {
          if (!expected.has(key)) {
            throw new ItemError(
              'invalid-override',
              `an ${kind} override for '${key}' is given but '${key}' is not defined`,
              at,
            );
          }
          expected.delete(key);
        }
      }
      for (const key of expected) {
        throw new ItemError(
          'invalid-override',
          `unexpected key '${key}': no entry for it under 'override'`,
          this.pos(this.file.get(map, key)),
        );
      }
      if (overAppend.size > 0) this.rc.collector.appendRule(this.ruleUpdate(map, item, overAppend, true));
      if (replace.size > 0) this.rc.collector.replaceRule(this.ruleUpdate(map, item, replace, false));
      return;
    }

    if (append) {
      const keys = new Set(['condition', 'exceptions'].filter(defined));
      this.rc.collector.appendRule(this.ruleUpdate(map, item, keys, true));
      return;
    }

    if (!defined('condition') && !defined('output') && !defined('desc') && !defined('priority')) {
      const enabled = this.optionalBool(map, 'enabled');
      if (enabled === undefined) {
        throw new ItemError(
          'missing-key',
          "a rule needs 'condition', 'output', 'desc' and 'priority' (or only 'enabled')",
          at,
        );
      }
      this.rc.sink.warning(
        'deprecated-enabled',
        "a rule with only 'enabled' is deprecated: use 'override: { enabled: replace }'",
        at,
        item,
      );
      this.rc.collector.enableRule(name, enabled, at);
      return;
    }

    this.requireScalar(map, 'condition');
    const output = this.requireScalar(map, 'output');
    const desc = this.requireScalar(map, 'desc');
    const priority = this.priority(map);
    const source =
      this.file.get(map, 'source') === undefined ? 'syscall' : this.requireScalar(map, 'source').trim();
    const unknownSource = !this.rc.sources.has(source);
    if (unknownSource) {
      this.rc.sink.warning('unknown-source', `unknown source '${source}': rule skipped`, at, item);
    }
    const outputNode = this.file.get(map, 'output') as Node;
    const outputPiece = this.file.piece(outputNode);
    this.rc.collector.defineRule({
      name,
      at,
      condition: [this.piece(map, 'condition')],
      output: [trimPiece(outputPiece, output)],
      outputAt: this.pos(outputNode),
      desc: desc.trim(),
      priority,
      tags: this.tags(map) ?? new Set(),
      source,
      enabled: this.optionalBool(map, 'enabled') ?? true,
      warnEvttypes: this.optionalBool(map, 'warn_evttypes') ?? true,
      skipIfUnknownFilter: this.optionalBool(map, 'skip-if-unknown-filter') ?? false,
      exceptions: this.exceptions(map, false) ?? [],
      unknownSource,
      index: 0,
      visibility: 0,
    });
  }

  private ruleUpdate(map: YAMLMap, item: Item, keys: ReadonlySet<string>, append: boolean): RuleUpdate {
    const update: RuleUpdate = { name: item.name as string, at: this.pos(map) };
    if (keys.has('condition')) {
      this.requireScalar(map, 'condition');
      update.condition = this.piece(map, 'condition');
    }
    if (keys.has('output')) {
      const text = this.requireScalar(map, 'output');
      update.output = trimPiece(this.piece(map, 'output'), text);
    }
    if (keys.has('desc')) update.desc = this.requireScalar(map, 'desc').trim();
    if (keys.has('tags')) update.tags = this.tags(map) ?? new Set();
    if (keys.has('exceptions')) update.exceptions = this.exceptions(map, append) ?? [];
    if (keys.has('priority')) update.priority = this.priority(map);
    if (keys.has('enabled')) update.enabled = this.optionalBool(map, 'enabled');
    if (keys.has('warn_evttypes')) update.warnEvttypes = this.optionalBool(map, 'warn_evttypes');
    if (keys.has('skip-if-unknown-filter'))
      update.skipIfUnknownFilter = this.optionalBool(map, 'skip-if-unknown-filter');
    return update;
  }

  private exceptions(map: YAMLMap, append: boolean): ExceptionInfo[] | undefined {
    const node = this.file.get(map, 'exceptions');
    if (node === undefined || (isScalar(node) && (node.value === '' || node.value === null)))
      return undefined;
    if (!isSeq(node))
      throw new ItemError('invalid-exception', "'exceptions' must be a sequence", this.pos(node));
    const out: ExceptionInfo[] = [];
    for (const raw of node.items) {
      const ex = this.file.deref(raw);
      if (!isMap(ex))
        throw new ItemError('invalid-exception', 'each exception must be a mapping', this.pos(ex));
      const name = this.requireScalar(ex, 'name');
      const at = this.pos(ex);
      if (out.some((e) => e.name === name)) {
        throw new ItemError(
          'invalid-exception',
          `exception names must be unique within a rule ('${name}')`,
          at,
        );
      }
      const info: ExceptionInfo = { name, at, values: [] };
      const fields = this.file.get(ex, 'fields');
      if (fields !== undefined) info.fields = this.exceptionEntry(fields, 'fields');
      else if (!append) throw new ItemError('invalid-exception', `exception '${name}' needs 'fields'`, at);
      const comps = this.file.get(ex, 'comps');
      if (comps !== undefined) info.comps = this.exceptionEntry(comps, 'comps');
      const values = this.file.get(ex, 'values');
      if (values !== undefined) {
        if (!isSeq(values))
          throw new ItemError(
            'invalid-exception',
            `'values' of exception '${name}' must be a sequence`,
            this.pos(values),
          );
        for (const v of values.items) info.values.push(this.exceptionEntry(this.file.deref(v), 'values'));
      } else if (append) {
        this.rc.sink.warning(
          'exception-without-values',
          `exception '${name}' is appended or overridden without values`,
          at,
        );
      }
      out.push(info);
    }
    return out;
  }

  private exceptionEntry(node: Node | undefined, key: string): ExceptionEntry {
    if (node !== undefined && isSeq(node)) {
      return {
        kind: 'list',
        items: node.items.map((v) => this.exceptionEntry(this.file.deref(v), key)),
        file: this.file,
        node,
      };
    }
    const text = this.file.scalar(node);
    if (node === undefined || text === undefined) {
      throw new ItemError('invalid-exception', `'${key}' entries must be strings or lists`, this.pos(node));
    }
    if (text.length === 0)
      throw new ItemError('invalid-exception', `'${key}' entries must not be empty`, this.pos(node));
    return { kind: 'scalar', text, file: this.file, node };
  }
}

/** Falco trims rule outputs; the piece keeps mapping positions from the untrimmed start. */
function trimPiece(piece: TextPiece, text: string): TextPiece {
  const lead = text.length - text.trimStart().length;
  const trimmed = text.trim();
  return { text: trimmed, locate: (offset) => piece.locate(offset + lead) };
}
