import { CONTAINER_FIELDS, USER_FIELDS } from './container.js';
import { EVT_FIELDS } from './evt.js';
import { FD_FIELDS } from './fd.js';
import type { BoundField, FieldArg, FieldContext, FieldDef } from './field.js';
import { PROC_FIELDS } from './proc.js';

export const ALL_FIELDS: readonly FieldDef[] = [
  ...EVT_FIELDS,
  ...PROC_FIELDS,
  ...FD_FIELDS,
  ...USER_FIELDS,
  ...CONTAINER_FIELDS,
];

const BY_NAME = new Map(ALL_FIELDS.map((f) => [f.name, f]));

export interface ResolvedField {
  readonly def: FieldDef;
  readonly arg?: FieldArg;
}

/**
 * Finds the field a name refers to: an exact name, or the longest field name followed by a
 * dotted argument (`evt.arg.flags` is `evt.arg` with argument `flags`), as libsinsp does.
 */
export function resolveField(name: string, bracketArg?: string): ResolvedField | undefined {
  const exact = BY_NAME.get(name);
  if (exact !== undefined) {
    return bracketArg === undefined
      ? { def: exact }
      : { def: exact, arg: { text: bracketArg, style: 'bracket' } };
  }
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
    const def = BY_NAME.get(name.slice(0, dot));
    if (def?.argument === 'key' || def?.argument === 'index or key') {
      if (bracketArg !== undefined) return undefined;
      return { def, arg: { text: name.slice(dot + 1), style: 'dot' } };
    }
  }
  return undefined;
}

/** Resolves and binds a field; a string is the error message. */
export function bindField(
  name: string,
  bracketArg: string | undefined,
  ctx: FieldContext,
): BoundField | string {
  const resolved = resolveField(name, bracketArg);
  if (resolved === undefined) return `unknown field '${name}'`;
  return resolved.def.bind(resolved.arg, ctx);
}
