import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The SPDX License List identifiers (current and deprecated), from the spdx-license-ids package. */
const LISTED: readonly string[] = [
  ...(require('spdx-license-ids') as string[]),
  ...(require('spdx-license-ids/deprecated.json') as string[]),
];
const CANONICAL = new Map(LISTED.map((id) => [id.toLowerCase(), id]));

const MAX_TOKENS = 64;
const MAX_DEPTH = 16;

/** The listed SPDX identifier a license name spells (case-insensitively), if any. */
export function spdxLicenseId(text: string): string | undefined {
  return CANONICAL.get(text.trim().toLowerCase());
}

/**
 * A license expression as SPDX's Annex D defines it, rewritten canonically (listed identifiers
 * in their official case, operators upper case, single spaces), or undefined when the text is
 * not one — a free-form name like "Apache Software License", or an identifier that is not on
 * the SPDX License List and not a `LicenseRef-`. Exceptions after WITH are checked for shape only.
 */
export function spdxExpression(text: string): string | undefined {
  const tokens = text.match(/[()]|[^\s()]+/g);
  if (tokens === null || tokens.length > MAX_TOKENS) return undefined;
  let at = 0;
  const peek = () => tokens[at];
  const operator = (name: string) => peek()?.toUpperCase() === name;

  const license = (): string | undefined => {
    const token = peek();
    if (token === undefined) return undefined;
    at++;
    if (/^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(token)) return token;
    const plus = token.endsWith('+');
    const id = spdxLicenseId(plus ? token.slice(0, -1) : token);
    return id === undefined ? undefined : `${id}${plus ? '+' : ''}`;
  };
  const factor = (depth: number): string | undefined => {
    if (peek() === '(') {
      if (depth >= MAX_DEPTH) return undefined;
      at++;
      const inner = expression(depth + 1);
      if (inner === undefined || peek() !== ')') return undefined;
      at++;
      return `(${inner})`;
    }
    const id = license();
    if (id === undefined) return undefined;
    if (!operator('WITH')) return id;
    at++;
    const exception = peek();
    if (exception === undefined || !/^[A-Za-z0-9.-]+$/.test(exception)) return undefined;
    at++;
    return `${id} WITH ${exception}`;
  };
  const chain = (name: string, next: (depth: number) => string | undefined, depth: number) => {
    let left = next(depth);
    while (left !== undefined && operator(name)) {
      at++;
      const right = next(depth);
      left = right === undefined ? undefined : `${left} ${name} ${right}`;
    }
    return left;
  };
  const term = (depth: number) => chain('AND', factor, depth);
  const expression = (depth: number): string | undefined => chain('OR', term, depth);

  const result = expression(0);
  return result !== undefined && at === tokens.length ? result : undefined;
}

/** A name that is no SPDX expression as a `LicenseRef-` identifier (SPDX idstring characters only). */
export function licenseRef(name: string): string {
  const id = name
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return `LicenseRef-${id || 'unnamed'}`;
}
