import type { RuntimeEvent } from '../event/types.js';
import {
  type CheckExpr,
  type Expr,
  type FieldOperand,
  type Loc,
  type Operator,
  operandText,
  type TransformerName,
  type ValueItem,
} from './ast.js';
import { KNOWN_EVENT_TYPES } from './evttypes.js';
import type { BoundField, Extractor, FieldContext, Scalar, ValueType } from './fields/field.js';
import { bindField } from './fields/registry.js';
import { FilterError } from './filter-error.js';
import { compileGlob } from './glob.js';
import { canonicalIp, type IpNetwork, networkContains, parseNetwork } from './ip.js';
import { compilePathPrefixes } from './pmatch.js';
import { compileRegex, RegexSyntaxError } from './regex.js';

/**
 * Turns a resolved condition (macros inlined, lists expanded) into a closure. All parsing,
 * type checking and literal conversion happens here, once; evaluation only extracts values
 * and compares them.
 */

export type Filter = (e: RuntimeEvent) => boolean;

export interface CompileOptions {
  readonly ctx: FieldContext;
  readonly warn?: (message: string, at: Loc) => void;
}

/** A bound left- or right-hand operand: a field, possibly transformed. */
export interface Operand extends BoundField {
  readonly text: string;
}

type Test = (v: Scalar) => boolean;

const LIST_OPS: ReadonlySet<Operator> = new Set(['in', 'intersects', 'pmatch']);
const ORDER_OPS: ReadonlySet<Operator> = new Set(['<', '<=', '>', '>=']);
const EQUALITY_OPS: ReadonlySet<Operator> = new Set(['=', '==', '!=', 'in', 'intersects', 'exists']);

const OPS_BY_TYPE: Readonly<Record<ValueType, ReadonlySet<Operator>>> = {
  string: new Set<Operator>([
    ...EQUALITY_OPS,
    ...ORDER_OPS,
    'contains',
    'icontains',
    'bcontains',
    'startswith',
    'bstartswith',
    'endswith',
    'glob',
    'iglob',
    'regex',
    'pmatch',
  ]),
  int: new Set([...EQUALITY_OPS, ...ORDER_OPS]),
  reltime: new Set([...EQUALITY_OPS, ...ORDER_OPS]),
  port: new Set([...EQUALITY_OPS, ...ORDER_OPS]),
  abstime: new Set([...EQUALITY_OPS, ...ORDER_OPS]),
  bool: EQUALITY_OPS,
  ipaddr: EQUALITY_OPS,
  ipnet: EQUALITY_OPS,
  bytes: new Set<Operator>([
    ...EQUALITY_OPS,
    'contains',
    'bcontains',
    'startswith',
    'bstartswith',
    'endswith',
  ]),
  dyn: new Set<Operator>([
    ...EQUALITY_OPS,
    ...ORDER_OPS,
    'contains',
    'icontains',
    'startswith',
    'endswith',
    'glob',
    'iglob',
  ]),
};

export function compileExpr(expr: Expr, opts: CompileOptions): Filter {
  switch (expr.kind) {
    case 'and': {
      const parts = expr.children.map((c) => compileExpr(c, opts));
      if (parts.length === 2) {
        const [a, b] = parts as [Filter, Filter];
        return (e) => a(e) && b(e);
      }
      return (e) => {
        for (let i = 0; i < parts.length; i++) if (!(parts[i] as Filter)(e)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = expr.children.map((c) => compileExpr(c, opts));
      if (parts.length === 2) {
        const [a, b] = parts as [Filter, Filter];
        return (e) => a(e) || b(e);
      }
      return (e) => {
        for (let i = 0; i < parts.length; i++) if ((parts[i] as Filter)(e)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compileExpr(expr.child, opts);
      return (e) => !inner(e);
    }
    case 'macro':
      throw new FilterError(`undefined macro '${expr.name}'`, expr.at, 'undefined-macro');
    case 'check':
      return compileCheck(expr, opts);
  }
}

// ---------------------------------------------------------------------------------------------
// Operands

export function bindOperand(op: FieldOperand, ctx: FieldContext): Operand {
  if (op.kind === 'field') {
    const bound = bindField(op.name, op.arg, ctx);
    if (typeof bound === 'string') {
      const code = bound.startsWith('unknown field') ? 'unknown-field' : 'invalid-field-argument';
      throw new FilterError(bound, op.at, code);
    }
    return { ...bound, text: operandText(op) };
  }
  return transform(op.fn, bindOperand(op.operand, ctx), op.at);
}

const STRINGISH: ReadonlySet<ValueType> = new Set(['string', 'dyn']);
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function transform(fn: TransformerName, inner: Operand, at: Loc): Operand {
  let type: ValueType;
  let map: (v: Scalar) => Scalar | undefined;
  const accepts = (types: readonly ValueType[]): void => {
    if (!types.includes(inner.type)) {
      throw new FilterError(
        `${fn}() does not apply to '${inner.text}' (a ${inner.type} field)`,
        at,
        'invalid-operator',
      );
    }
  };
  switch (fn) {
    case 'tolower':
    case 'toupper':
      accepts([...STRINGISH]);
      type = 'string';
      map =
        fn === 'tolower'
          ? (v) => (typeof v === 'string' ? v.toLowerCase() : undefined)
          : (v) => (typeof v === 'string' ? v.toUpperCase() : undefined);
      break;
    case 'basename':
      accepts([...STRINGISH]);
      type = 'string';
      map = (v) => (typeof v === 'string' ? v.slice(v.lastIndexOf('/') + 1) : undefined);
      break;
    case 'b64':
      accepts(['string', 'bytes', 'dyn']);
      type = inner.type === 'bytes' ? 'bytes' : 'string';
      map = (v) => {
        const text =
          typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : undefined;
        if (text === undefined || !BASE64_RE.test(text)) return undefined;
        const decoded = Buffer.from(text, 'base64');
        return v instanceof Uint8Array ? new Uint8Array(decoded) : decoded.toString('utf8');
      };
      break;
    case 'len':
      accepts(['string', 'bytes', 'dyn']);
      type = 'int';
      map = (v) =>
        typeof v === 'string' ? Buffer.byteLength(v) : v instanceof Uint8Array ? v.length : undefined;
      break;
  }
  const innerGet = inner.get;
  const get: Extractor = (e) => {
    const v = innerGet(e);
    return v === undefined ? undefined : map(v);
  };
  const innerSome = inner.some;
  const text = `${fn}(${inner.text})`;
  const filterOnly = inner.filterOnly === true;
  if (innerSome === undefined) return { type, get, text, filterOnly };
  return {
    type,
    get,
    text,
    filterOnly,
    some: (e, test) =>
      innerSome(e, (v) => {
        const m = map(v);
        return m !== undefined && test(m);
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Checks

function compileCheck(c: CheckExpr, opts: CompileOptions): Filter {
  const left = bindOperand(c.left, opts.ctx);
  if (c.left.kind === 'field' && c.left.name === 'evt.dir') {
    opts.warn?.(
      "evt.dir is deprecated: the sensor reports system call exits only, so 'evt.dir=>' never matches",
      c.at,
    );
  }
  if (!OPS_BY_TYPE[left.type].has(c.op)) {
    const message = `operator '${c.op}' does not apply to '${left.text}' (a ${left.type} field)`;
    throw new FilterError(message, c.at, 'invalid-operator');
  }
  if (c.op === 'exists') {
    const some = left.some;
    if (some !== undefined) return (e) => some(e, () => true);
    const get = left.get;
    return (e) => get(e) !== undefined;
  }
  const right = c.right;
  if (right === undefined) throw new FilterError(`operator '${c.op}' needs a value`, c.at);
  if (right.kind === 'fieldval') return compareFields(c, left, bindOperand(right.field, opts.ctx));
  if (right.kind === 'listref')
    throw new FilterError(`undefined list '${right.name}'`, right.at, 'undefined-list');

  const items: readonly ValueItem[] = right.kind === 'list' ? right.items : [right];
  checkEventTypes(c, items);
  if (c.op === '=' || c.op === '==' || c.op === '!=' || LIST_OPS.has(c.op)) {
    const na = items.find((i) => i.value === '<NA>');
    if (na !== undefined) {
      opts.warn?.(`comparing '${left.text}' with <NA> is unsafe: a missing value never equals <NA>`, na.at);
    }
  }
  if (LIST_OPS.has(c.op)) return wrap(left, listTest(left, c.op, items));
  if (right.kind === 'list')
    throw new FilterError(`operator '${c.op}' takes one value, not a list`, right.at);
  const fast = fastEquality(left, c.op, items[0] as ValueItem);
  if (fast !== undefined) return fast;
  return wrap(left, scalarTest(left, c.op, items[0] as ValueItem));
}

/** `evt.type = x` with an x no event has is a mistake Falco reports too. */
function checkEventTypes(c: CheckExpr, items: readonly ValueItem[]): void {
  if (c.left.kind !== 'field' || c.left.name !== 'evt.type' || c.left.arg !== undefined) return;
  if (!['=', '==', '!=', 'in', 'intersects'].includes(c.op)) return;
  for (const item of items) {
    if (!KNOWN_EVENT_TYPES.has(item.value)) {
      throw new FilterError(`unknown event type '${item.value}'`, item.at, 'unknown-event-type');
    }
  }
}

function wrap(left: Operand, test: Test): Filter {
  const some = left.some;
  if (some !== undefined) return (e) => some(e, test);
  const get = left.get;
  return (e) => {
    const v = get(e);
    return v !== undefined && test(v);
  };
}

/** `field = literal` on plain string and number fields: one extraction, one comparison. */
function fastEquality(left: Operand, op: Operator, item: ValueItem): Filter | undefined {
  if (left.some !== undefined || (op !== '=' && op !== '==')) return undefined;
  const get = left.get;
  if (left.type === 'string') {
    const x = item.value;
    return (e) => get(e) === x;
  }
  if (left.type === 'int' || left.type === 'port' || left.type === 'reltime') {
    const x = parseNumber(item, left);
    return (e) => get(e) === x;
  }
  if (left.type === 'bool') {
    const x = parseBool(item, left);
    return (e) => get(e) === x;
  }
  return undefined;
}

function literalError(item: ValueItem, left: Operand, what: string): FilterError {
  return new FilterError(`'${item.value}' is not ${what} (compared with '${left.text}')`, item.at);
}

function parseNumber(item: ValueItem, left: Operand): number {
  const n = numberOf(item.value);
  if (n === undefined) throw literalError(item, left, 'a number');
  return n;
}

function numberOf(text: string): number | undefined {
  const t = text.trim();
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) {
    const neg = t.startsWith('-');
    const n = Number.parseInt(t.replace(/^[+-]/, '').slice(2), 16);
    return neg ? -n : n;
  }
  if (!/^[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$/.test(t)) return undefined;
  return Number(t);
}

function bigintOf(text: string): bigint | undefined {
  const t = text.trim();
  if (!/^[+-]?([0-9]+|0[xX][0-9a-fA-F]+)$/.test(t)) return undefined;
  const neg = t.startsWith('-');
  const v = BigInt(t.replace(/^[+-]/, ''));
  return neg ? -v : v;
}

function parseBool(item: ValueItem, left: Operand): boolean {
  if (item.value === 'true') return true;
  if (item.value === 'false') return false;
  throw literalError(item, left, "a boolean ('true' or 'false')");
}

function hexBytes(item: ValueItem, left: Operand): Uint8Array {
  const t = item.value;
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t))
    throw literalError(item, left, 'hexadecimal bytes (like CAFE00)');
  return new Uint8Array(Buffer.from(t, 'hex'));
}

const asBytes = (v: Scalar): Uint8Array | undefined =>
  v instanceof Uint8Array ? v : typeof v === 'string' ? Buffer.from(v, 'utf8') : undefined;

function bytesIndexOf(hay: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(needle);
}

function bytesStartWith(hay: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length > hay.length) return false;
  for (let i = 0; i < needle.length; i++) if (hay[i] !== needle[i]) return false;
  return true;
}

function bytesEndWith(hay: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length > hay.length) return false;
  const off = hay.length - needle.length;
  for (let i = 0; i < needle.length; i++) if (hay[off + i] !== needle[i]) return false;
  return true;
}

function ordered(op: Operator, cmp: number): boolean {
  switch (op) {
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    default:
      return cmp >= 0;
  }
}

function compareOrder<T extends number | bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One literal value against a field of the left operand's type. */
function scalarTest(left: Operand, op: Operator, item: ValueItem): Test {
  switch (left.type) {
    case 'string':
      return stringTest(left, op, item);
    case 'int':
    case 'reltime':
    case 'port': {
      const x = parseNumber(item, left);
      return numericTest(op, x);
    }
    case 'abstime': {
      const x = bigintOf(item.value);
      if (x === undefined) throw literalError(item, left, 'an integer timestamp');
      return numericTest(op, x);
    }
    case 'bool': {
      const x = parseBool(item, left);
      return op === '!=' ? (v) => v !== x : (v) => v === x;
    }
    case 'ipaddr': {
      const x = canonicalIp(item.value);
      if (x === undefined) throw literalError(item, left, 'an IP address');
      return op === '!=' ? (v) => v !== x : (v) => v === x;
    }
    case 'ipnet': {
      const net = parseNetwork(item.value);
      if (net === undefined) throw literalError(item, left, 'an IP network (like 10.0.0.0/8)');
      return op === '!='
        ? (v) => typeof v === 'string' && !networkContains(net, v)
        : (v) => typeof v === 'string' && networkContains(net, v);
    }
    case 'bytes':
      return bytesTest(left, op, item);
    case 'dyn':
      return dynTest(left, op, item);
  }
}

function numericTest<T extends number | bigint>(op: Operator, x: T): Test {
  switch (op) {
    case '=':
    case '==':
      return (v) => v === x;
    case '!=':
      return (v) => v !== x;
    default:
      return (v) => (typeof v === typeof x ? ordered(op, compareOrder(v as T, x)) : false);
  }
}

function stringTest(left: Operand, op: Operator, item: ValueItem): Test {
  const x = item.value;
  switch (op) {
    case '=':
    case '==':
      return (v) => v === x;
    case '!=':
      return (v) => v !== x;
    case 'contains':
      return (v) => (v as string).includes(x);
    case 'icontains': {
      const lx = x.toLowerCase();
      return (v) => (v as string).toLowerCase().includes(lx);
    }
    case 'startswith':
      return (v) => (v as string).startsWith(x);
    case 'endswith':
      return (v) => (v as string).endsWith(x);
    case 'glob':
    case 'iglob': {
      const g = compileGlob(x, op === 'iglob');
      return (v) => g(v as string);
    }
    case 'regex': {
      try {
        const r = compileRegex(x);
        return (v) => r(v as string);
      } catch (err) {
        if (err instanceof RegexSyntaxError)
          throw new FilterError(`invalid regular expression: ${err.message}`, item.at);
        throw err;
      }
    }
    case 'bcontains': {
      const needle = hexBytes(item, left);
      return (v) => bytesIndexOf(asBytes(v) as Uint8Array, needle) >= 0;
    }
    case 'bstartswith': {
      const needle = hexBytes(item, left);
      return (v) => bytesStartWith(asBytes(v) as Uint8Array, needle);
    }
    default:
      return (v) => ordered(op, compareOrder(v as string, x));
  }
}

function bytesTest(left: Operand, op: Operator, item: ValueItem): Test {
  const binary = op === 'bcontains' || op === 'bstartswith';
  const x = binary ? hexBytes(item, left) : new Uint8Array(Buffer.from(item.value, 'utf8'));
  const equal = (v: Scalar): boolean => {
    const b = v as Uint8Array;
    return b.length === x.length && bytesStartWith(b, x);
  };
  switch (op) {
    case '=':
    case '==':
      return equal;
    case '!=':
      return (v) => !equal(v);
    case 'contains':
    case 'bcontains':
      return (v) => bytesIndexOf(v as Uint8Array, x) >= 0;
    case 'startswith':
    case 'bstartswith':
      return (v) => bytesStartWith(v as Uint8Array, x);
    default:
      return (v) => bytesEndWith(v as Uint8Array, x);
  }
}

/** Raw arguments (`evt.rawarg.x`) are numbers or text depending on the event: decide per value. */
function dynTest(left: Operand, op: Operator, item: ValueItem): Test {
  const text = item.value;
  const num = numberOf(text);
  const big = bigintOf(text);
  const str = stringTest(left, op, item);
  const numTest = num === undefined ? undefined : numericTest(op, num);
  const bigTest = big === undefined ? undefined : numericTest(op, big);
  const unmatched = op === '!=';
  return (v) => {
    if (typeof v === 'string') return str(v);
    if (typeof v === 'number') return numTest === undefined ? unmatched : numTest(v);
    if (typeof v === 'bigint') return bigTest === undefined ? unmatched : bigTest(v);
    if (typeof v === 'boolean') return unmatched ? String(v) !== text : String(v) === text;
    return str(Buffer.from(v).toString('utf8'));
  };
}

/** `in`, `intersects` (the same for single-valued fields) and `pmatch`. */
function listTest(left: Operand, op: Operator, items: readonly ValueItem[]): Test {
  if (op === 'pmatch') {
    const m = compilePathPrefixes(items.map((i) => i.value));
    return (v) => typeof v === 'string' && m(v);
  }
  switch (left.type) {
    case 'string': {
      const set = new Set(items.map((i) => i.value));
      return (v) => set.has(v as string);
    }
    case 'int':
    case 'reltime':
    case 'port': {
      const set = new Set(items.map((i) => parseNumber(i, left)));
      return (v) => set.has(v as number);
    }
    case 'abstime': {
      const set = new Set(
        items.map((i) => {
          const b = bigintOf(i.value);
          if (b === undefined) throw literalError(i, left, 'an integer timestamp');
          return b;
        }),
      );
      return (v) => set.has(v as bigint);
    }
    case 'bool': {
      const set = new Set(items.map((i) => parseBool(i, left)));
      return (v) => set.has(v as boolean);
    }
    case 'ipaddr': {
      const set = new Set(
        items.map((i) => {
          const ip = canonicalIp(i.value);
          if (ip === undefined) throw literalError(i, left, 'an IP address');
          return ip;
        }),
      );
      return (v) => set.has(v as string);
    }
    case 'ipnet': {
      const nets: IpNetwork[] = items.map((i) => {
        const net = parseNetwork(i.value);
        if (net === undefined) throw literalError(i, left, 'an IP network (like 10.0.0.0/8)');
        return net;
      });
      return (v) => typeof v === 'string' && nets.some((n) => networkContains(n, v));
    }
    default: {
      const tests = items.map((i) => scalarTest(left, '=', i));
      return (v) => tests.some((t) => t(v));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Field-to-field comparisons (`val()` and transformers on the right-hand side)

const FAMILY: Readonly<Record<ValueType, string>> = {
  string: 'text',
  dyn: 'any',
  int: 'number',
  reltime: 'number',
  port: 'number',
  abstime: 'time',
  bool: 'bool',
  ipaddr: 'ip',
  ipnet: 'ip',
  bytes: 'bytes',
};

function compareFields(c: CheckExpr, left: Operand, right: Operand): Filter {
  const at = c.right?.at ?? c.at;
  if (c.op === 'pmatch' || c.op === 'regex')
    throw new FilterError(`operator '${c.op}' cannot compare with a field`, at);
  if (left.some !== undefined) {
    throw new FilterError(
      `'${left.text}' stands for several values and cannot be compared with a field`,
      c.at,
    );
  }
  if (left.type === 'ipnet') throw new FilterError(`'${left.text}' cannot be compared with a field`, c.at);
  if (right.some !== undefined || right.filterOnly) {
    throw new FilterError(`'${right.text}' cannot be used as a right-hand side field`, at);
  }
  const lf = FAMILY[left.type];
  const rf = FAMILY[right.type];
  if (lf !== rf && lf !== 'any' && rf !== 'any') {
    throw new FilterError(
      `cannot compare '${left.text}' (${left.type}) with '${right.text}' (${right.type})`,
      at,
    );
  }
  const op = c.op;
  const lget = left.get;
  const rget = right.get;
  return (e) => {
    const a = lget(e);
    if (a === undefined) return false;
    const b = rget(e);
    return b !== undefined && compareValues(op, a, b);
  };
}

function sameValue(a: Scalar, b: Scalar): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    const x = asBytes(a);
    const y = asBytes(b);
    return x !== undefined && y !== undefined && x.length === y.length && bytesStartWith(x, y);
  }
  if (typeof a === typeof b) return a === b;
  if (typeof a === 'bigint' && typeof b === 'number') return Number.isInteger(b) && a === BigInt(b);
  if (typeof a === 'number' && typeof b === 'bigint') return Number.isInteger(a) && BigInt(a) === b;
  return String(a) === String(b);
}

/** Dynamic comparison of two extracted values (field-to-field checks). */
function compareValues(op: Operator, a: Scalar, b: Scalar): boolean {
  switch (op) {
    case '=':
    case '==':
    case 'in':
    case 'intersects':
      return sameValue(a, b);
    case '!=':
      return !sameValue(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (typeof a === 'string' && typeof b === 'string') return ordered(op, compareOrder(a, b));
      if (
        (typeof a === 'number' || typeof a === 'bigint') &&
        (typeof b === 'number' || typeof b === 'bigint')
      ) {
        return ordered(op, a < b ? -1 : a > b ? 1 : 0);
      }
      return false;
    }
    default:
      break;
  }
  const x = asBytes(a);
  const y = asBytes(b);
  if (x === undefined || y === undefined) return false;
  switch (op) {
    case 'contains':
    case 'bcontains':
      return bytesIndexOf(x, y) >= 0;
    case 'icontains':
      return String(a).toLowerCase().includes(String(b).toLowerCase());
    case 'startswith':
    case 'bstartswith':
      return bytesStartWith(x, y);
    case 'endswith':
      return bytesEndWith(x, y);
    case 'glob':
    case 'iglob':
      return compileGlob(String(b), op === 'iglob')(String(a));
    default:
      return false;
  }
}
