import { readFileSync } from 'node:fs';
import type { ParseResult } from '@marcbachmann/cel-js';
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { CeranaError } from '../common/errors.js';
import { POLICY_FUNCTIONS, policyEnvironment } from './cel-env.js';
import { INPUT_VARIABLES, VIEW_FIELDS } from './input.js';

export type RuleAction = 'deny' | 'warn' | 'info';
export const RULE_ACTIONS: readonly RuleAction[] = ['deny', 'warn', 'info'];

export interface PolicyRule {
  id: string;
  description: string;
  /** CEL; the rule fires when it is true. */
  expr: string;
  action: RuleAction;
  compiled: ParseResult;
  /** For `<list>.exists(v, P)` rules: `<list>.filter(v, P)`, which names the evidence. */
  evidence?: ParseResult;
}

export interface PolicyStage {
  name: string;
  /** The lowest risk score the stage accepts (0 accepts any). */
  minScore: number;
  rules: PolicyRule[];
}

export interface Policy {
  name: string;
  description: string;
  file: string;
  stages: Map<string, PolicyStage>;
}

/** Comprehensions (exists, all, filter...) may nest this deep: each level multiplies the work by the list size. */
export const MAX_COMPREHENSION_DEPTH = 2;
const MACROS = new Set(['exists', 'all', 'exists_one', 'filter', 'map']);

interface AstNode {
  op: string;
  args: unknown;
  pos?: number;
}

/** The deepest nesting of comprehensions in an expression, and where it gets too deep. */
function comprehensionDepth(node: unknown, depth = 0): { depth: number; pos: number } {
  if (Array.isArray(node)) {
    let worst = { depth, pos: 0 };
    for (const child of node) {
      const found = comprehensionDepth(child, depth);
      if (found.depth > worst.depth) worst = found;
    }
    return worst;
  }
  if (typeof node !== 'object' || node === null || typeof (node as AstNode).op !== 'string')
    return { depth, pos: 0 };
  const n = node as AstNode;
  const isMacro = n.op === 'rcall' && Array.isArray(n.args) && MACROS.has(String(n.args[0]));
  const here = isMacro ? depth + 1 : depth;
  const inner = comprehensionDepth(n.args, here);
  return inner.depth > here ? inner : { depth: here, pos: n.pos ?? 0 };
}

const TOP_KEYS = ['apiVersion', 'kind', 'metadata', 'rules', 'stages'];
const METADATA_KEYS = ['name', 'description', 'owner', 'version'];
const RULE_KEYS = ['id', 'description', 'expr', 'action'];
const STAGE_KEYS = ['minScore', 'rules'];
export const POLICY_API_VERSION = 'cerana.io/v1';
/** Bound on a policy's size; real policies are a few KiB. */
const MAX_POLICY_BYTES = 1024 * 1024;

class Located {
  constructor(
    readonly file: string,
    readonly lines: LineCounter,
  ) {}

  at(node: Node | null | undefined, offset = 0): string {
    const start = (node?.range?.[0] ?? 0) + offset;
    const pos = this.lines.linePos(start);
    return `${this.file}:${pos.line}:${pos.col}`;
  }

  fail(node: Node | null | undefined, message: string, hint?: string, offset = 0): never {
    throw new CeranaError(
      'INPUT',
      `${this.at(node, offset)}: ${message}`,
      hint === undefined ? {} : { hint },
    );
  }
}

function checkKeys(loc: Located, map: YAMLMap, allowed: string[], what: string): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!allowed.includes(key)) {
      loc.fail(
        pair.key as Node,
        `unknown field ${JSON.stringify(key)} in ${what}`,
        `expected one of: ${allowed.join(', ')}`,
      );
    }
  }
}

function stringAt(loc: Located, map: YAMLMap, key: string, required: boolean): string | undefined {
  const node = map.get(key, true) as Node | undefined;
  if (node === undefined) {
    if (required) loc.fail(map, `missing required field ${JSON.stringify(key)}`);
    return undefined;
  }
  if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
    loc.fail(node, `${key} must be a non-empty string`);
  }
  return node.value as string;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The fields or variables an unknown name could have meant, for the error hint. */
function expectedFor(message: string): string | undefined {
  const key = /No such key: (\w+)/.exec(message)?.[1];
  if (key !== undefined) {
    const scored: { type: string; fields: string[]; distance: number }[] = [];
    for (const [type, fields] of Object.entries(VIEW_FIELDS)) {
      const names = Object.keys(fields);
      const distance = Math.min(...names.map((n) => levenshtein(key.toLowerCase(), n.toLowerCase())));
      scored.push({ type, fields: names, distance });
    }
    scored.sort((a, b) => a.distance - b.distance);
    const best = scored[0];
    if (best) return `${best.type} fields: ${best.fields.join(', ')}`;
  }
  if (/Unknown variable/.test(message)) return `variables: ${Object.keys(INPUT_VARIABLES).join(', ')}`;
  if (/found no matching overload|Function not found|Unknown function/i.test(message)) {
    return `helpers: ${POLICY_FUNCTIONS.join('; ')}`;
  }
  return undefined;
}

type ExprPosition = { offset: number } | { blockStart: number; lineIndex: number; column: number };

/** Where character `pos` of an expression sits in the YAML source. */
function exprPosition(node: Scalar, expr: string, pos: number): ExprPosition {
  const start = node.range?.[0] ?? 0;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return { offset: start + 1 + pos };
  if (node.type === 'PLAIN') return { offset: start + pos };
  // Block scalars: the content starts on the line after the indicator, every line re-indented.
  const before = expr.slice(0, pos);
  return {
    blockStart: start,
    lineIndex: before.split('\n').length - 1,
    column: pos - (before.lastIndexOf('\n') + 1),
  };
}

function compileRule(loc: Located, node: Node, source: string): PolicyRule {
  if (!isMap(node)) loc.fail(node, 'a rule must be a mapping with id, expr and action');
  checkKeys(loc, node, RULE_KEYS, 'rule');
  const id = stringAt(loc, node, 'id', true) as string;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id))
    loc.fail(node.get('id', true) as Node, `bad rule id ${JSON.stringify(id)}`);
  const expr = stringAt(loc, node, 'expr', true) as string;
  const action = (stringAt(loc, node, 'action', false) ?? 'deny') as RuleAction;
  if (!RULE_ACTIONS.includes(action)) {
    loc.fail(
      node.get('action', true) as Node,
      `action must be one of ${RULE_ACTIONS.join(', ')}, not ${JSON.stringify(action)}`,
    );
  }
  const exprNode = node.get('expr', true) as Scalar;
  const env = policyEnvironment();
  const checked = env.check(expr);
  if (!checked.valid || checked.type !== 'bool') {
    const error = checked.error;
    const pos = (error?.node as { pos?: number } | undefined)?.pos ?? error?.range?.start ?? 0;
    const where = exprLocation(loc, exprNode, source, expr, pos);
    if (!error) {
      throw new CeranaError(
        'INPUT',
        `${where}: rule ${id}: expr must be a boolean, but it is ${checked.type ?? 'unknown'}`,
        {
          hint: 'compare it (== / > / in) or use exists/all',
        },
      );
    }
    const summary = (error.message.split('\n')[0] ?? error.message).trim();
    const hint = expectedFor(summary);
    throw new CeranaError(
      'INPUT',
      `${where}: rule ${id}: ${error.name === 'ParseError' ? 'syntax error' : 'type error'}: ${summary}`,
      hint === undefined ? {} : { hint },
    );
  }
  const compiled = env.parse(expr);
  const nesting = comprehensionDepth(compiled.ast);
  if (nesting.depth > MAX_COMPREHENSION_DEPTH) {
    throw new CeranaError(
      'INPUT',
      `${exprLocation(loc, exprNode, source, expr, nesting.pos)}: rule ${id}: comprehensions nested ${nesting.depth} deep (at most ${MAX_COMPREHENSION_DEPTH})`,
      { hint: 'each nested exists/all/filter/map multiplies the work by the list size; split the rule' },
    );
  }
  const rule: PolicyRule = {
    id,
    description: stringAt(loc, node, 'description', false) ?? '',
    expr,
    action,
    compiled,
  };
  const evidence = evidenceFilter(expr);
  if (evidence) rule.evidence = evidence;
  return rule;
}

function exprLocation(loc: Located, node: Scalar, source: string, expr: string, pos: number): string {
  const position = exprPosition(node, expr, pos);
  if ('offset' in position) {
    const p = loc.lines.linePos(position.offset);
    return `${loc.file}:${p.line}:${p.col}`;
  }
  const header = loc.lines.linePos(position.blockStart);
  const contentLine = header.line + 1 + position.lineIndex;
  // Every content line carries the block's indentation, which the first content line shows.
  const lineStart = loc.lines.lineStarts[header.line] ?? 0;
  const indent = /^ */.exec(source.slice(lineStart))?.[0].length ?? 0;
  return `${loc.file}:${contentLine}:${indent + position.column + 1}`;
}

/** `findings.exists(f, P)` → a compiled `findings.filter(f, P)` naming what made the rule fire. */
function evidenceFilter(expr: string): PolicyRule['evidence'] | undefined {
  const match = /^\s*(findings|packages)\.exists\(\s*([A-Za-z_]\w*)\s*,([\s\S]*)\)\s*$/.exec(expr);
  if (!match) return undefined;
  const candidate = `${match[1]}.filter(${match[2]}, ${match[3]})`;
  const checked = policyEnvironment().check(candidate);
  if (!checked.valid || !checked.type?.startsWith('list')) return undefined;
  return policyEnvironment().parse(candidate);
}

export function parsePolicy(source: string, file: string): Policy {
  if (source.length > MAX_POLICY_BYTES) throw new CeranaError('LIMIT', `${file}: policy larger than 1 MiB`);
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const loc: Located = new Located(file, lines);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const p = lines.linePos(yamlError.pos[0]);
    throw new CeranaError('INPUT', `${file}:${p.line}:${p.col}: YAML: ${yamlError.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) loc.fail(root, 'a policy must be a YAML mapping', `start from 'cerana policy init'`);
  checkKeys(loc, root, TOP_KEYS, 'policy');
  const apiVersion = stringAt(loc, root, 'apiVersion', true);
  if (apiVersion !== POLICY_API_VERSION) {
    loc.fail(root.get('apiVersion', true) as Node, `apiVersion must be ${POLICY_API_VERSION}`);
  }
  const kind = stringAt(loc, root, 'kind', true);
  if (kind !== 'Policy') loc.fail(root.get('kind', true) as Node, 'kind must be Policy');
  const metadata = root.get('metadata', true) as Node | undefined;
  if (!isMap(metadata)) loc.fail(metadata ?? root, 'metadata must be a mapping with a name');
  checkKeys(loc, metadata, METADATA_KEYS, 'metadata');
  const name = stringAt(loc, metadata, 'name', true) as string;
  const description = stringAt(loc, metadata, 'description', false) ?? '';

  const rulesNode = root.get('rules', true) as Node | undefined;
  if (!isSeq(rulesNode)) loc.fail(rulesNode ?? root, 'rules must be a list of rules');
  const rules = new Map<string, PolicyRule>();
  for (const item of rulesNode.items) {
    const rule = compileRule(loc, item as Node, source);
    if (rules.has(rule.id)) loc.fail(item as Node, `duplicate rule id ${rule.id}`);
    rules.set(rule.id, rule);
  }

  const stagesNode = root.get('stages', true) as Node | undefined;
  if (!isMap(stagesNode) || stagesNode.items.length === 0) {
    loc.fail(stagesNode ?? root, 'stages must map stage names (ci, registry, production...) to their rules');
  }
  const stages = new Map<string, PolicyStage>();
  for (const pair of stagesNode.items) {
    const stageName = isScalar(pair.key) ? String(pair.key.value) : '';
    const stageNode = pair.value as Node;
    if (!isMap(stageNode)) loc.fail(stageNode ?? (pair.key as Node), `stage ${stageName} must be a mapping`);
    checkKeys(loc, stageNode, STAGE_KEYS, `stage ${stageName}`);
    const minNode = stageNode.get('minScore', true) as Node | undefined;
    let minScore = 0;
    if (minNode !== undefined) {
      const value = isScalar(minNode) ? minNode.value : undefined;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
        loc.fail(minNode, 'minScore must be a whole number from 0 to 100');
      }
      minScore = value as number;
    }
    const stageRulesNode = stageNode.get('rules', true) as Node | undefined;
    const stageRules: PolicyRule[] = [];
    if (stageRulesNode !== undefined) {
      if (!isMap(stageRulesNode))
        loc.fail(stageRulesNode, `stage ${stageName}: rules must map rule ids to deny, warn or info`);
      for (const ref of stageRulesNode.items) {
        const ruleId = isScalar(ref.key) ? String(ref.key.value) : '';
        const rule = rules.get(ruleId);
        if (!rule) {
          loc.fail(
            ref.key as Node,
            `stage ${stageName}: unknown rule ${JSON.stringify(ruleId)}`,
            `rules: ${[...rules.keys()].join(', ')}`,
          );
        }
        const actionNode = ref.value as Node | null;
        const action = isScalar(actionNode) ? String(actionNode.value) : '';
        if (!RULE_ACTIONS.includes(action as RuleAction)) {
          loc.fail(
            actionNode ?? (ref.key as Node),
            `stage ${stageName}: action must be one of ${RULE_ACTIONS.join(', ')}`,
          );
        }
        stageRules.push({ ...rule, action: action as RuleAction });
      }
    } else {
      stageRules.push(...rules.values());
    }
    stages.set(stageName, { name: stageName, minScore, rules: stageRules });
  }
  return { name, description, file, stages };
}

export function loadPolicy(path: string): Policy {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CeranaError('INPUT', `cannot read policy ${path}: ${(error as Error).message}`);
  }
  return parsePolicy(source, path);
}

export function policyStage(policy: Policy, stage: string): PolicyStage {
  const found = policy.stages.get(stage);
  if (!found) {
    throw new CeranaError('USAGE', `policy ${policy.name} has no stage ${JSON.stringify(stage)}`, {
      hint: `stages: ${[...policy.stages.keys()].join(', ')}`,
    });
  }
  return found;
}
