import { CeranaError } from '../../common/errors.js';

/**
 * Compose variable interpolation as the Compose specification defines it: `$VAR`, `${VAR}`,
 * `${VAR:-default}` / `${VAR-default}`, `${VAR:?error}` / `${VAR?error}`,
 * `${VAR:+replacement}` / `${VAR+replacement}`, nested in defaults, and `$$` for a literal `$`.
 */
export type Lookup = (name: string) => string | undefined;

export interface InterpolationResult {
  value: string;
  /** Variables used without a value and without a default (Compose warns and uses ''). */
  missing: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const MAX_DEPTH = 16;

export function interpolate(text: string, lookup: Lookup, depth = 0): InterpolationResult {
  if (depth > MAX_DEPTH) throw new CeranaError('INPUT', 'variable defaults nested too deeply');
  let out = '';
  const missing: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(text, i + 2);
      if (close < 0)
        throw new CeranaError('INPUT', `invalid interpolation format in ${JSON.stringify(text)}`, {
          hint: 'end the $ expression with a closing brace',
        });
      const body = text.slice(i + 2, close);
      out += expandBraced(body, lookup, missing, depth);
      i = close + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (name) {
      const v = lookup(name);
      if (v === undefined) missing.push(name);
      out += v ?? '';
      i += 1 + name.length;
      continue;
    }
    out += '$';
    i++;
  }
  return { value: out, missing };
}

function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function expandBraced(body: string, lookup: Lookup, missing: string[], depth: number): string {
  const name = NAME.exec(body)?.[0];
  if (!name)
    throw new CeranaError('INPUT', `invalid interpolation format for \${${body}}`, {
      hint: 'variable names are letters, digits and _',
    });
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) missing.push(name);
    return value ?? '';
  }
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) throw new CeranaError('INPUT', `invalid interpolation format for \${${body}}`);
  const arg = (): string => {
    const r = interpolate(rest.slice(op.length), lookup, depth + 1);
    missing.push(...r.missing);
    return r.value;
  };
  const unsetOrEmpty = value === undefined || value === '';
  switch (op) {
    case ':-':
      return unsetOrEmpty ? arg() : (value as string);
    case '-':
      return value === undefined ? arg() : value;
    case ':?':
      if (unsetOrEmpty)
        throw new CeranaError('INPUT', `required variable ${name} is missing a value: ${arg()}`);
      return value as string;
    case '?':
      if (value === undefined)
        throw new CeranaError('INPUT', `required variable ${name} is missing a value: ${arg()}`);
      return value;
    case ':+':
      return unsetOrEmpty ? '' : arg();
    default:
      return value === undefined ? '' : arg();
  }
}

/** Parses a `.env` file: `KEY=VALUE`, optional `export`, comments, single (literal) and double (escapes) quotes. */
export function parseDotEnv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    let value = m[2] ?? '';
    if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      value = end < 0 ? value.slice(1) : value.slice(1, end);
    } else if (value.startsWith('"')) {
      const end = value.lastIndexOf('"');
      value = (end > 0 ? value.slice(1, end) : value.slice(1))
        .replace(/\\n/g, '\n')
        .replace(/\\"/g, '"')
        .replace(/\\\\/g, '\\');
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    vars.set(key, value);
  }
  return vars;
}
