import { renderBytes } from '../event/render.js';
import type { RuntimeEvent } from '../event/types.js';
import type { Loc, SourceText } from './ast.js';
import { bindOperand, type Operand } from './compile.js';
import type { Extractor, FieldContext, Scalar } from './fields/field.js';
import { FilterError } from './filter-error.js';
import { parseFieldOperand } from './parser.js';

/**
 * Rule output templates: literal text with `%field` tokens (`%proc.name`, `%proc.aname[2]`,
 * `%evt.arg.flags`, `%tolower(proc.name)`), rendered like Falco: missing values print `<NA>`.
 */

export interface OutputField {
  /** The token without its `%`, as it appears in `output_fields`. */
  readonly key: string;
  readonly get: Extractor;
}

export interface OutputTemplate {
  readonly text: string;
  /** Literal strings and fields, alternating in order of appearance. */
  readonly parts: readonly (string | OutputField)[];
  /** Distinct fields, in order of first appearance. */
  readonly fields: readonly OutputField[];
}

/** `%container.info` predates per-field output; it stands for the container id and name. */
export const CONTAINER_INFO_EXPANSION = 'container_id=%container.id container_name=%container.name';

const FIELD_TOKEN_RE = /[a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+(?:\[[^\]\s]*\])?/y;
const TRANSFORMER_TOKEN_RE = /(?:tolower|toupper|b64|basename|len)\(/y;

/** Parses an output template; unknown or filter-only fields are errors at their position. */
export function parseOutput(src: SourceText, ctx: FieldContext): OutputTemplate {
  const text = src.text;
  const parts: (string | OutputField)[] = [];
  const fields = new Map<string, OutputField>();
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '%') {
      literal += c;
      i++;
      continue;
    }
    if (text[i + 1] === '%') {
      literal += '%';
      i += 2;
      continue;
    }
    const token = lexToken(text, i + 1);
    if (token === undefined) {
      literal += c;
      i++;
      continue;
    }
    if (token === 'container.info') {
      const offset = i;
      const expansion = parseOutput(
        { ...src, text: CONTAINER_INFO_EXPANSION, locate: () => src.locate(offset) },
        ctx,
      );
      for (const part of expansion.parts) {
        if (typeof part === 'string') literal += part;
        else {
          if (literal.length > 0) parts.push(literal);
          literal = '';
          const known = fields.get(part.key) ?? part;
          fields.set(part.key, known);
          parts.push(known);
        }
      }
      i += 1 + token.length;
      continue;
    }
    const at: Loc = { src, offset: i };
    const field = fields.get(token) ?? bindOutputField(token, src, i + 1, at, ctx);
    fields.set(token, field);
    if (literal.length > 0) parts.push(literal);
    literal = '';
    parts.push(field);
    i += 1 + token.length;
  }
  if (literal.length > 0) parts.push(literal);
  return { text, parts, fields: [...fields.values()] };
}

/** The field token starting at `start` (after a `%`), including a transformer call. */
function lexToken(text: string, start: number): string | undefined {
  TRANSFORMER_TOKEN_RE.lastIndex = start;
  if (TRANSFORMER_TOKEN_RE.test(text)) {
    let depth = 0;
    for (let j = start; j < text.length; j++) {
      if (text[j] === '(') depth++;
      else if (text[j] === ')' && --depth === 0) return text.slice(start, j + 1);
    }
    return undefined;
  }
  FIELD_TOKEN_RE.lastIndex = start;
  const m = FIELD_TOKEN_RE.exec(text);
  return m === null ? undefined : m[0];
}

function bindOutputField(
  token: string,
  src: SourceText,
  offset: number,
  at: Loc,
  ctx: FieldContext,
): OutputField {
  const operandSrc: SourceText = { ...src, text: token, locate: (o) => src.locate(offset + o) };
  let operand: ReturnType<typeof parseFieldOperand>;
  try {
    operand = parseFieldOperand(operandSrc);
  } catch (err) {
    if (err instanceof FilterError)
      throw new FilterError(`invalid output token '%${token}': ${err.message}`, at, 'invalid-output');
    throw err;
  }
  let bound: Operand;
  try {
    bound = bindOperand(operand, ctx);
  } catch (err) {
    if (err instanceof FilterError)
      throw new FilterError(`invalid output token '%${token}': ${err.message}`, at, err.code);
    throw err;
  }
  if (bound.filterOnly) {
    throw new FilterError(`'${token}' is filter only and cannot be used in an output`, at, 'invalid-output');
  }
  return { key: token, get: bound.get };
}

/** A value as output text. */
export function formatValue(v: Scalar | undefined): string {
  if (v === undefined) return '<NA>';
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return renderBytes(v);
  return String(v);
}

export function renderOutput(t: OutputTemplate, e: RuntimeEvent): string {
  let out = '';
  for (const part of t.parts) out += typeof part === 'string' ? part : formatValue(part.get(e));
  return out;
}

/** A value as it appears in `output_fields`: JSON types, null when missing. */
export type OutputValue = string | number | bigint | boolean | null;

export function outputValue(v: Scalar | undefined): OutputValue {
  if (v === undefined) return null;
  if (v instanceof Uint8Array) return renderBytes(v);
  return v;
}
