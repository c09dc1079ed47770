import type { RuntimeEvent } from '../../event/types.js';

/**
 * Field value types, with the JavaScript representation extraction returns:
 * string → string; int, reltime, port → number; abstime → bigint (ns since the epoch);
 * bool → boolean; ipaddr → canonical address text; ipnet → address text compared by network
 * membership; bytes → Uint8Array; dyn → whatever the raw parameter is.
 */
export type ValueType =
  | 'string'
  | 'int'
  | 'reltime'
  | 'port'
  | 'abstime'
  | 'bool'
  | 'ipaddr'
  | 'ipnet'
  | 'bytes'
  | 'dyn';

export type Scalar = string | number | bigint | boolean | Uint8Array;

export type Extractor = (e: RuntimeEvent) => Scalar | undefined;

/** Settings a field may need that are not part of the event. */
export interface FieldContext {
  readonly hostname: string;
}

/** A field with its argument resolved: ready to extract. */
export interface BoundField {
  readonly type: ValueType;
  /** The single value (for ancestor-style fields without an index: the process's own). */
  readonly get: Extractor;
  /**
   * Fields that stand for several values at once in a filter (`proc.aname` without an index
   * means "any ancestor", `fd.ip` means "client or server"): a check holds when it holds for
   * one of them.
   */
  readonly some?: (e: RuntimeEvent, test: (v: Scalar) => boolean) => boolean;
  /** Only usable in conditions, not in outputs (Falco's filter-only fields). */
  readonly filterOnly?: boolean;
}

export interface FieldArg {
  readonly text: string;
  /** `proc.aname[2]` is bracket style; `evt.arg.flags` is dot style. */
  readonly style: 'bracket' | 'dot';
}

export interface FieldDef {
  readonly name: string;
  readonly type: ValueType;
  readonly desc: string;
  /** Which arguments the field takes, for listings and messages. */
  readonly argument?: 'index' | 'key' | 'index or key';
  readonly argumentRequired?: boolean;
  /** Resolves the argument; a string is the error message for a bad argument. */
  bind(arg: FieldArg | undefined, ctx: FieldContext): BoundField | string;
}

interface Options {
  readonly filterOnly?: boolean;
}

/** A field without arguments. */
export function plain(
  name: string,
  type: ValueType,
  desc: string,
  get: Extractor,
  opts: Options = {},
): FieldDef {
  const bound: BoundField = opts.filterOnly ? { type, get, filterOnly: true } : { type, get };
  return {
    name,
    type,
    desc,
    bind: (arg) => (arg === undefined ? bound : `field '${name}' does not take an argument`),
  };
}

/** A field that reads a setting rather than the event (`evt.hostname`). */
export function contextual(
  name: string,
  type: ValueType,
  desc: string,
  make: (ctx: FieldContext) => Extractor,
): FieldDef {
  return {
    name,
    type,
    desc,
    bind: (arg, ctx) =>
      arg === undefined ? { type, get: make(ctx) } : `field '${name}' does not take an argument`,
  };
}

/** A field with a numeric index (`proc.aname[2]`); without one it means "any" of the values. */
export function indexed(
  name: string,
  type: ValueType,
  desc: string,
  at: (e: RuntimeEvent, index: number) => Scalar | undefined,
  some: (e: RuntimeEvent, test: (v: Scalar) => boolean) => boolean,
): FieldDef {
  return {
    name,
    type,
    desc,
    argument: 'index',
    bind: (arg) => {
      if (arg === undefined) return { type, get: (e) => at(e, 0), some };
      if (arg.style !== 'bracket' || !/^[0-9]+$/.test(arg.text)) {
        return `field '${name}' takes a numeric index like ${name}[1], not '${arg.text}'`;
      }
      const index = Number(arg.text);
      return { type, get: (e) => at(e, index) };
    },
  };
}

/** A field keyed by a name (`container.label.app`, `container.label[app]`, `proc.env[HOME]`). */
export function keyed(
  name: string,
  type: ValueType,
  desc: string,
  byKey: (e: RuntimeEvent, key: string) => Scalar | undefined,
  whole?: Extractor,
): FieldDef {
  return {
    name,
    type,
    desc,
    argument: 'key',
    argumentRequired: whole === undefined,
    bind: (arg) => {
      if (arg === undefined) {
        return whole === undefined
          ? `field '${name}' needs an argument, like ${name}[key]`
          : { type, get: whole };
      }
      const key = arg.text;
      return { type, get: (e) => byKey(e, key) };
    },
  };
}
